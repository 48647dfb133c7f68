/**
 * Access tokens for Graph by client credentials, through msal-node (which caches them and
 * refreshes 5 minutes before expiry). Two traps from graph-notes.md are handled here:
 * msal refuses an http authority (a loopback simulator is reached through authorityMetadata with
 * an http token_endpoint), and a 404 `{}` from the token endpoint yields an EMPTY token without
 * error (checked).
 */
import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import { isLoopbackUrl } from '../config/urls.js';
import type { Logger } from '../observability/logger.js';
import { EntraAuthError, type EntraAuthErrorCode } from './graph-errors.js';

export interface TokenProvider {
  /** A valid access token; `forceRefresh` bypasses the cache (after a 401 from Graph). */
  getToken(forceRefresh?: boolean): Promise<string>;
  /** Application permissions granted to the app, read from the token's `roles` claim. */
  grantedRoles(): Promise<string[]>;
}

export interface TokenProviderOptions {
  readonly authorityUrl: string;
  readonly graphBaseUrl: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly logger?: Logger;
}

export function graphScope(graphBaseUrl: string): string {
  // A simulator stands in for the global cloud; national clouds have their own resource id.
  return isLoopbackUrl(graphBaseUrl) ? 'https://graph.microsoft.com/.default' : `${graphBaseUrl}/.default`;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const app = new ConfidentialClientApplication({
    auth: { clientId: options.clientId, clientSecret: options.clientSecret, ...authorityOptions(options) },
    system: {
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level, message) => options.logger?.debug({ msal: message }),
      },
    },
  });
  const scopes = [graphScope(options.graphBaseUrl)];

  // Every Graph request asks for a token, and msal's cache lookup was 4 % of the service's busy
  // time under webhook load (50 delta rounds a second): the current token is kept here until
  // msal itself would refresh it.
  let current: { token: string; refreshAt: number } | undefined;

  async function getToken(forceRefresh = false): Promise<string> {
    if (!forceRefresh && current && Date.now() < current.refreshAt) return current.token;
    let result;
    try {
      result = await app.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh });
    } catch (error) {
      current = undefined;
      throw toAuthError(error);
    }
    if (!result?.accessToken) throw new EntraAuthError('empty_token');
    current = { token: result.accessToken, refreshAt: refreshTime(result.expiresOn, result.refreshOn) };
    return result.accessToken;
  }

  return {
    getToken,
    async grantedRoles() {
      return rolesOf(await getToken());
    },
  };
}

/** When msal would fetch a new token: its refreshOn, else 5 minutes before expiry; never more than 5 minutes from now. */
function refreshTime(expiresOn: Date | null, refreshOn: Date | undefined): number {
  const now = Date.now();
  const byExpiry = expiresOn ? expiresOn.getTime() - REFRESH_MARGIN_MS : now;
  const due = refreshOn ? Math.min(refreshOn.getTime(), byExpiry) : byExpiry;
  return Math.min(due, now + REFRESH_MARGIN_MS);
}

const REFRESH_MARGIN_MS = 5 * 60_000;

function authorityOptions(o: TokenProviderOptions) {
  const authority = `${o.authorityUrl}/${o.tenantId}`;
  if (!o.authorityUrl.startsWith('http://')) return { authority };
  // msal only accepts https authorities: present the loopback host as https and give it the
  // metadata (with the real http token endpoint) so it never tries to discover it.
  const host = new URL(o.authorityUrl).host;
  return {
    authority: `https://${host}/${o.tenantId}`,
    knownAuthorities: [host],
    authorityMetadata: JSON.stringify({
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      issuer: `${authority}/v2.0`,
      jwks_uri: `${authority}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      response_types_supported: ['code', 'token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      scopes_supported: ['openid'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${authority}/openid/userinfo`,
      tenant_region_scope: null,
      cloud_instance_name: host,
      cloud_graph_host_name: host,
      msgraph_host: host,
    }),
  };
}

const AADSTS_CODES: Array<[RegExp, EntraAuthErrorCode]> = [
  [/AADSTS7000222/, 'secret_expired'],
  [/AADSTS7000215/, 'invalid_secret'],
  [/AADSTS90002\b|AADSTS900023/, 'unknown_tenant'],
  [/AADSTS700016/, 'unknown_client'],
];

function toAuthError(error: unknown): EntraAuthError {
  const e = error as { errorCode?: string; errorMessage?: string; message?: string };
  const text = `${e.errorCode ?? ''} ${e.errorMessage ?? ''} ${e.message ?? ''}`;
  for (const [pattern, code] of AADSTS_CODES) {
    if (pattern.test(text)) return new EntraAuthError(code, undefined, { cause: error });
  }
  if (/network|ECONNREFUSED|ENOTFOUND|fetch failed|timeout|endpoints_resolution_error/i.test(text)) {
    return new EntraAuthError('authority_unreachable', firstLine(e.errorMessage ?? e.message), { cause: error });
  }
  return new EntraAuthError('token_request_failed', firstLine(e.errorMessage ?? e.message ?? e.errorCode), { cause: error });
}

function firstLine(text: string | undefined): string | undefined {
  return text?.split('\n')[0]?.slice(0, 300);
}

/** The `roles` claim of a JWT access token (no signature check: we only read our own token). */
export function rolesOf(accessToken: string): string[] {
  const payload = accessToken.split('.')[1];
  if (!payload) return [];
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
