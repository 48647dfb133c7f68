/**
 * Signing in to Entra with the client credentials, telling apart the four mistakes the customer
 * guide invites (wrong secret, expired secret, wrong tenant id, wrong client id), and the
 * secret's expiry date where it is known.
 */
import { EntraAuthError, type EntraAuthErrorCode } from '../../graph/graph-errors.js';
import { createTokenProvider } from '../../graph/token-provider.js';
import { type Check, fail, pass, warn } from './checklist.js';
import type { DoctorTarget } from './doctor-target.js';
import { fieldName } from './config-checks.js';

const WARN_DAYS = 30;
const DAY_MS = 86_400_000;

export interface TokenResult {
  readonly check: Check;
  readonly accessToken?: string;
}

export async function tokenCheck(t: DoctorTarget): Promise<TokenResult> {
  const { tenantId, clientId, clientSecret } = t;
  if (!tenantId || !clientId || !clientSecret) {
    return {
      check: fail(
        'no token requested: tenant id, client id or client secret is missing',
        'set the missing values (see Configuration)',
      ),
    };
  }
  const tokens = createTokenProvider({
    authorityUrl: t.settings.authorityUrl,
    graphBaseUrl: t.settings.graphBaseUrl,
    tenantId,
    clientId,
    clientSecret,
  });
  try {
    const accessToken = await tokens.getToken(true);
    return { check: pass(`signed in to Entra: tenant ${tenantId}, app ${clientId}`), accessToken };
  } catch (error) {
    if (!(error instanceof EntraAuthError)) throw error;
    return { check: explainAuthError(t, error) };
  }
}

function explainAuthError(t: DoctorTarget, error: EntraAuthError): Check {
  const advice: Record<EntraAuthErrorCode, () => Check> = {
    invalid_secret: () =>
      fail(
        'Entra rejected the client secret (AADSTS7000215)',
        `you may have copied the Secret ID instead of the Value: in Certificates & secrets, copy the secret's Value (shown only once; if hidden, create a new secret) into ${fieldName(t, 'clientSecret')}`,
      ),
    secret_expired: () =>
      fail(
        'the client secret has expired (AADSTS7000222)',
        `the customer must create a new client secret (Certificates & secrets → New client secret, Expires: 24 months) and share its Value; then update ${fieldName(t, 'clientSecret')} and its expiry date`,
      ),
    unknown_tenant: () =>
      fail(
        `Entra does not know the tenant "${t.tenantId}" (AADSTS90002)`,
        `copy the Directory (tenant) ID from App registration → Overview into ${fieldName(t, 'tenantId')}`,
      ),
    unknown_client: () =>
      fail(
        `no app with client id "${t.clientId}" in this tenant (AADSTS700016)`,
        `copy the Application (client) ID (not the Object ID) from App registration → Overview into ${fieldName(t, 'clientId')}, and check the app is registered in tenant ${t.tenantId}`,
      ),
    authority_unreachable: () =>
      fail(
        `the Entra token endpoint could not be reached${error.detail ? ` (${error.detail})` : ''}`,
        `check ENTRA_AUTHORITY_URL (${t.settings.authorityUrl}) and that this host may make outbound https calls`,
      ),
    empty_token: () =>
      fail(
        'the token endpoint answered without an access token',
        `check ENTRA_AUTHORITY_URL (${t.settings.authorityUrl})`,
      ),
    token_request_failed: () =>
      fail(error.message, `check ENTRA_AUTHORITY_URL (${t.settings.authorityUrl}) and the app registration`),
  };
  return advice[error.code]();
}

/** The expiry date the operator recorded (the guide sets 24 months), against today and what Entra said. */
export function secretExpiryCheck(t: DoctorTarget, signedIn: boolean, now = Date.now()): Check {
  const expiresAt = t.clientSecretExpiresAt;
  const where =
    t.source === 'env' ? 'ENTRA_CLIENT_SECRET_EXPIRES_AT' : "the connection's clientSecretExpiresAt";
  if (!expiresAt) {
    return warn(
      "the client secret's expiry date is not recorded",
      `set ${where} (Certificates & secrets shows "Expires") to be warned ${WARN_DAYS} days ahead`,
    );
  }
  const date = expiresAt.toISOString().slice(0, 10);
  const days = Math.floor((expiresAt.getTime() - now) / DAY_MS);
  if (days < 0 && signedIn)
    return warn(`the recorded expiry ${date} is past, yet Entra accepted the secret`, `correct ${where}`);
  if (days < 0)
    return fail(
      `the client secret expired on ${date}`,
      'the customer must create a new secret and share its Value',
    );
  if (days <= WARN_DAYS) {
    return warn(
      `the client secret expires in ${days} days (${date})`,
      'ask the customer for a new secret now (Certificates & secrets → New client secret) and update the connection',
    );
  }
  return pass(`the client secret expires on ${date} (in ${days} days)`);
}
