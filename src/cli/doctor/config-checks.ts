/**
 * Configuration: what would stop the service at start-up (loadConfig's problems) and values that
 * have the wrong shape for what the customer guide asks for (a Secret ID where the Value belongs,
 * an Object ID where the tenant id belongs...). These are caught before anyone calls Entra.
 */
import { ConfigError, loadConfig } from '../../config/config.js';
import { decodeSigningSecret } from '../../delivery/signing.js';
import { checkLeenaUrl } from '../../delivery/leena-url.js';
import { type Check, fail, pass } from './checklist.js';
import type { DoctorTarget } from './doctor-target.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

type Field =
  'tenantId' | 'clientId' | 'clientSecret' | 'groupId' | 'leena.url' | 'leena.apiKey' | 'leena.signingSecret';

const ENV_NAMES: Record<Field, string> = {
  tenantId: 'ENTRA_TENANT_ID',
  clientId: 'ENTRA_CLIENT_ID',
  clientSecret: 'ENTRA_CLIENT_SECRET',
  groupId: 'ENTRA_GROUP_ID',
  'leena.url': 'LEENA_URL',
  'leena.apiKey': 'LEENA_API_KEY',
  'leena.signingSecret': 'LEENA_SIGNING_SECRET',
};

/** How the operator names a value: the variable, or the connection's field. */
export function fieldName(target: DoctorTarget, field: Field): string {
  return target.source === 'env' ? ENV_NAMES[field] : `the connection's ${field}`;
}

/**
 * The service's own start-up validation, run on this environment. When the ENTRA_* / LEENA_*
 * values themselves are examined, their absence is reported by valueChecks (with where to find
 * each value), so loadConfig's "required to define the default connection" lines are dropped.
 */
export function serviceConfigChecks(env: NodeJS.ProcessEnv, target: DoctorTarget): Check[] {
  try {
    loadConfig(env);
    return [pass('the service configuration is valid')];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const covered = (p: string) =>
      target.source === 'env' && /^(ENTRA|LEENA)_\w+: required to define/.test(p);
    return error.problems
      .filter((p) => !covered(p))
      .map((problem) => fail(problem, 'correct this variable; the service would refuse to start with it'));
  }
}

/** One ✓ line when every value has the expected shape, else one ✗ per problem. */
export function valueChecks(t: DoctorTarget, leenaChecks = leenaValueChecks(t)): Check[] {
  const checks = [...entraValueChecks(t), ...leenaChecks];
  const what = t.source === 'env' ? t.label : `the values of ${t.label}`;
  return checks.length > 0 ? checks : [pass(`${what} have the expected shape`)];
}

function entraValueChecks(t: DoctorTarget): Check[] {
  const checks: Check[] = [];
  const missing = (field: Field, where: string) =>
    fail(`${fieldName(t, field)} is not set`, `copy it from ${where}`);
  if (!t.tenantId) checks.push(missing('tenantId', 'App registration → Overview → Directory (tenant) ID'));
  else if (!GUID.test(t.tenantId) && !DOMAIN.test(t.tenantId)) {
    checks.push(
      fail(
        `${fieldName(t, 'tenantId')} "${t.tenantId}" is not a tenant id`,
        'copy the Directory (tenant) ID, a GUID, from App registration → Overview',
      ),
    );
  }
  if (!t.clientId) checks.push(missing('clientId', 'App registration → Overview → Application (client) ID'));
  else if (!GUID.test(t.clientId)) {
    checks.push(
      fail(
        `${fieldName(t, 'clientId')} "${t.clientId}" is not a client id`,
        'copy the Application (client) ID, a GUID, from App registration → Overview',
      ),
    );
  }
  if (!t.clientSecret)
    checks.push(missing('clientSecret', 'Certificates & secrets → Client secrets → the Value column'));
  else if (GUID.test(t.clientSecret)) {
    checks.push(
      fail(
        `${fieldName(t, 'clientSecret')} looks like a Secret ID (a GUID), not a secret Value`,
        'copy the Value column of the secret (shown only right after it is created; otherwise create a new secret)',
      ),
    );
  }
  if (t.groupId && !GUID.test(t.groupId)) {
    checks.push(
      fail(
        `${fieldName(t, 'groupId')} "${t.groupId}" is not a group Object ID`,
        'copy the Object ID (a GUID) from Entra → Groups → the group → Overview, not its name or email',
      ),
    );
  }
  return checks;
}

export function leenaValueChecks(t: DoctorTarget): Check[] {
  const checks: Check[] = [];
  const { url, apiKey, signingSecret } = t.leena;
  if (!url)
    checks.push(fail(`${fieldName(t, 'leena.url')} is not set`, 'use the events URL Leena AI gave you'));
  else {
    const problem = checkLeenaUrl(url, t.settings.outbound);
    if (problem) checks.push(fail(`the Leena AI URL ${problem}`, `correct ${fieldName(t, 'leena.url')}`));
  }
  if (!apiKey)
    checks.push(
      fail(`${fieldName(t, 'leena.apiKey')} is not set`, 'use the API key Leena AI issued for this customer'),
    );
  if (!signingSecret)
    checks.push(
      fail(
        `${fieldName(t, 'leena.signingSecret')} is not set`,
        'use the signing secret (whsec_…) Leena AI issued',
      ),
    );
  else {
    try {
      decodeSigningSecret(signingSecret);
    } catch (error) {
      checks.push(fail((error as Error).message, `correct ${fieldName(t, 'leena.signingSecret')}`));
    }
  }
  return checks;
}
