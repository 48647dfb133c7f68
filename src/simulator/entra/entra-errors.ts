// Entra ID's OAuth error envelope. The AADSTS code is what operators search for, so the
// simulator reproduces the real codes for each failure the service must tell apart.
import { randomUUID } from 'node:crypto';

export class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    readonly description: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
    this.name = 'EntraError';
  }
}

export function entraErrorBody(err: EntraError) {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
  return {
    error: err.error,
    error_description:
      `AADSTS${err.aadsts}: ${err.description} Trace ID: ${traceId} ` +
      `Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [err.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${err.aadsts}`,
  };
}
