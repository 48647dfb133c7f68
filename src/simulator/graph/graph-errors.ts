// Graph's error envelope: {"error":{code, message, innerError:{date, request-id, client-request-id}}}.
// Route code throws GraphHttpError; one error handler renders it with the request's ids.
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly innerCode?: string,
  ) {
    super(message);
    this.name = 'GraphHttpError';
  }
}

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { code?: string; date: string; 'request-id': string; 'client-request-id': string };
  };
}

export function graphErrorBody(
  err: GraphHttpError,
  requestId: string,
  clientRequestId: string,
): GraphErrorBody {
  const innerError = {
    ...(err.innerCode ? { code: err.innerCode } : {}),
    date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
    'request-id': requestId,
    'client-request-id': clientRequestId,
  };
  return { error: { code: err.code, message: err.message, innerError } };
}

export const badRequest = (message: string, code = 'BadRequest'): GraphHttpError =>
  new GraphHttpError(400, code, message);

export const resourceNotFound = (id: string): GraphHttpError =>
  new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

export const accessDenied = (): GraphHttpError =>
  new GraphHttpError(
    403,
    'Authorization_RequestDenied',
    'Insufficient privileges to complete the operation.',
  );

export const unsupportedQuery = (message: string): GraphHttpError =>
  new GraphHttpError(400, 'Request_UnsupportedQuery', message);
