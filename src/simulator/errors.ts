// Errors the simulator's own API (methods and /_sim routes) raises when a test drives it wrongly.
// Kept apart from GraphHttpError: those are answers Graph would give, these are caller bugs.
export type SimErrorCode = 'not_found' | 'invalid_input' | 'conflict';

export class SimError extends Error {
  constructor(
    readonly code: SimErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }

  get status(): number {
    return this.code === 'not_found' ? 404 : this.code === 'conflict' ? 409 : 400;
  }
}

export const notFound = (what: string): SimError => new SimError('not_found', `${what} does not exist`);
export const invalidInput = (message: string): SimError => new SimError('invalid_input', message);
