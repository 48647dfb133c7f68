/**
 * Request bodies for `connections add` and `connections update`, from options and the
 * environment. Values use the service's own variable names (ENTRA_* / LEENA_*); secrets are read
 * only from the environment, never from arguments (shell history, `ps`).
 */
import { flag, type Parsed, stringOption } from './args.js';
import { UsageError } from './cli-io.js';

/** Options shared by add and update, each with the variable it falls back to (add only). */
const VALUE_OPTIONS = {
  'tenant-id': 'ENTRA_TENANT_ID',
  'client-id': 'ENTRA_CLIENT_ID',
  'group-id': 'ENTRA_GROUP_ID',
  'secret-expires-at': 'ENTRA_CLIENT_SECRET_EXPIRES_AT',
  'leena-url': 'LEENA_URL',
} as const;

/** update's switches: "take this secret from its variable". */
const SECRET_SWITCHES = {
  'client-secret': 'ENTRA_CLIENT_SECRET',
  'leena-api-key': 'LEENA_API_KEY',
  'leena-signing-secret': 'LEENA_SIGNING_SECRET',
} as const;

export const connectionOptions = {
  ...Object.fromEntries(Object.keys(VALUE_OPTIONS).map((k) => [k, { type: 'string' as const }])),
  ...Object.fromEntries(Object.keys(SECRET_SWITCHES).map((k) => [k, { type: 'boolean' as const }])),
  'no-group': { type: 'boolean' as const },
};

const text = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

export function addBody(name: string, parsed: Parsed, env: NodeJS.ProcessEnv, usage: string) {
  const value = (option: keyof typeof VALUE_OPTIONS) =>
    stringOption(parsed, option) ?? text(env[VALUE_OPTIONS[option]]);
  const body = {
    name,
    tenantId: value('tenant-id'),
    clientId: value('client-id'),
    clientSecret: text(env.ENTRA_CLIENT_SECRET),
    clientSecretExpiresAt: value('secret-expires-at') ?? null,
    groupId: value('group-id') ?? null,
    leena: {
      url: value('leena-url'),
      apiKey: text(env.LEENA_API_KEY),
      signingSecret: text(env.LEENA_SIGNING_SECRET),
    },
  };
  const missing = [
    ['--tenant-id or ENTRA_TENANT_ID', body.tenantId],
    ['--client-id or ENTRA_CLIENT_ID', body.clientId],
    ['ENTRA_CLIENT_SECRET', body.clientSecret],
    ['--leena-url or LEENA_URL', body.leena.url],
    ['LEENA_API_KEY', body.leena.apiKey],
    ['LEENA_SIGNING_SECRET', body.leena.signingSecret],
  ].flatMap(([what, v]) => (v === undefined ? [what] : []));
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}\nusage: ${usage}`);
  return body;
}

/** Only what was asked for; the secrets named by a switch come from their variables. */
export function updateBody(parsed: Parsed, env: NodeJS.ProcessEnv, usage: string): Record<string, unknown> {
  const secret = (option: keyof typeof SECRET_SWITCHES) => {
    if (!flag(parsed, option)) return undefined;
    const value = text(env[SECRET_SWITCHES[option]]);
    if (value === undefined)
      throw new UsageError(
        `--${option} takes the new value from ${SECRET_SWITCHES[option]}, which is not set`,
      );
    return value;
  };
  const leena = defined({
    url: stringOption(parsed, 'leena-url'),
    apiKey: secret('leena-api-key'),
    signingSecret: secret('leena-signing-secret'),
  });
  const body = {
    tenantId: stringOption(parsed, 'tenant-id'),
    clientId: stringOption(parsed, 'client-id'),
    clientSecret: secret('client-secret'),
    clientSecretExpiresAt: stringOption(parsed, 'secret-expires-at'),
    groupId: flag(parsed, 'no-group') ? null : stringOption(parsed, 'group-id'),
    leena: Object.keys(leena).length > 0 ? leena : undefined,
  };
  const given = defined(body);
  if (Object.keys(given).length === 0)
    throw new UsageError(`nothing to update: name at least one option\nusage: ${usage}`);
  return given;
}

function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
