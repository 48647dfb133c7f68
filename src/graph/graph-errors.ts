/**
 * Errors from Entra (tokens) and Graph, named for what the operator must do about them. Both
 * carry a closed `code` so callers branch on meaning, not on status numbers or message text.
 */

export type EntraAuthErrorCode =
  | 'invalid_secret'
  | 'secret_expired'
  | 'unknown_tenant'
  | 'unknown_client'
  | 'empty_token'
  | 'authority_unreachable'
  | 'token_request_failed';

const AUTH_ADVICE: Record<EntraAuthErrorCode, string> = {
  invalid_secret:
    'Entra rejected the client secret (AADSTS7000215): copy the secret Value (not the Secret ID) from Certificates & secrets',
  secret_expired:
    'the client secret has expired (AADSTS7000222): the customer must create a new secret under Certificates & secrets and share its Value',
  unknown_tenant:
    'Entra does not know this tenant (AADSTS90002): check the Directory (tenant) ID on the app registration Overview',
  unknown_client:
    'no app with this client id in the tenant (AADSTS700016): check the Application (client) ID, and that the app is registered in this tenant',
  empty_token: 'the token endpoint answered without an access token: check ENTRA_AUTHORITY_URL',
  authority_unreachable: 'the Entra token endpoint could not be reached: check ENTRA_AUTHORITY_URL and the network',
  token_request_failed: 'the token request failed',
};

export class EntraAuthError extends Error {
  constructor(
    readonly code: EntraAuthErrorCode,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(`${AUTH_ADVICE[code]}${detail ? ` (${detail})` : ''}`, options);
    this.name = 'EntraAuthError';
  }
}

export type GraphErrorCode =
  | 'permission_denied'
  | 'not_found'
  | 'throttled'
  | 'delta_token_expired'
  | 'bad_request'
  | 'conflict'
  | 'quota_exceeded'
  | 'validation_failed'
  | 'unauthorized'
  | 'unavailable'
  | 'network'
  | 'unknown';

export class GraphRequestError extends Error {
  constructor(
    readonly code: GraphErrorCode,
    message: string,
    readonly details: {
      readonly status?: number;
      readonly graphCode?: string;
      readonly operation: string;
      readonly permission?: string;
      readonly retryAfterMs?: number;
      /** 410 Gone: where Graph says to start again. */
      readonly location?: string;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GraphRequestError';
  }
}

/** Maps an HTTP answer from Graph to a named error with an operator-readable message. */
export function graphErrorFrom(
  status: number,
  body: { error?: { code?: string; message?: string } } | undefined,
  context: { operation: string; permission?: string; headers?: Headers },
): GraphRequestError {
  const graphCode = body?.error?.code ?? '';
  const graphMessage = body?.error?.message ?? '';
  const what = `Graph refused ${context.operation} (${status}${graphCode ? ` ${graphCode}` : ''})`;
  const base = { status, graphCode, operation: context.operation, permission: context.permission };
  const retryAfter = context.headers?.get('retry-after');
  if (status === 410 || /syncStateNotFound|resyncRequired|syncStateInvalid/i.test(graphCode)) {
    return new GraphRequestError('delta_token_expired', `${what}: the delta token is no longer valid; a full resync follows`, {
      ...base,
      location: context.headers?.get('location') ?? undefined,
    });
  }
  if (status === 403 && /quota|limit/i.test(graphMessage) && !/Unauthorized|Forbidden/i.test(graphMessage)) {
    return new GraphRequestError('quota_exceeded', `${what}: ${graphMessage}`, base);
  }
  if (status === 403) {
    const missing = context.permission
      ? `the app lacks the ${context.permission} application permission (or admin consent for it)`
      : 'the app lacks a permission (or admin consent)';
    return new GraphRequestError('permission_denied', `${what}: ${missing}`, base);
  }
  if (status === 401) return new GraphRequestError('unauthorized', `${what}: the access token was not accepted`, base);
  if (status === 404) return new GraphRequestError('not_found', `${what}: not found`, base);
  if (status === 409) return new GraphRequestError('conflict', `${what}: ${graphMessage || 'conflict'}`, base);
  if (status === 429) {
    return new GraphRequestError('throttled', `${what}: throttled, retry later`, {
      ...base,
      retryAfterMs: retryAfter !== null && retryAfter !== undefined ? Number(retryAfter) * 1000 : undefined,
    });
  }
  if (status === 503 || status === 504 || status === 502 || status === 500) {
    return new GraphRequestError('unavailable', `${what}: Graph is unavailable, retry later`, base);
  }
  if (status === 400 && /ValidationError|validation request failed/i.test(`${graphCode} ${graphMessage}`)) {
    return new GraphRequestError(
      'validation_failed',
      `${what}: Graph could not validate the notification URL (${graphMessage}); check that PUBLIC_URL reaches this service`,
      base,
    );
  }
  if (status === 400) return new GraphRequestError('bad_request', `${what}: ${graphMessage || 'bad request'}`, base);
  return new GraphRequestError('unknown', `${what}: ${graphMessage || 'unexpected answer'}`, base);
}
