/**
 * Configuration: every environment variable the service reads, validated once at start-up into
 * a typed, frozen object. A bad value never surfaces later as a confusing runtime error: start-up
 * stops with one message naming every offending variable (see ConfigError).
 *
 * Names and defaults of the contract variables are fixed by shared/contract.md; the others are
 * this project's extensions and documented in README.md.
 */
import { z } from 'zod';
import { Cron } from 'croner';
import { isLoopbackUrl } from './urls.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const intInRange = (name: string, def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    })
    .describe(name);

const booleanFlag = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

const httpUrl = (what: string) =>
  optionalText.transform((v, ctx) => {
    if (v === undefined) return undefined;
    try {
      const url = new URL(v);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      return url.toString().replace(/\/+$/, '');
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected an http(s) URL for ${what}, got "${v}"` });
      return z.NEVER;
    }
  });

const secretKey = optionalText.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const key = Buffer.from(v, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== v.replace(/=+$/, '')) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected 32 random bytes in base64 (make one with: openssl rand -base64 32)',
    });
    return z.NEVER;
  }
  return key;
});

const isoDate = optionalText.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `expected an ISO 8601 date such as 2028-11-26, got "${v}"` });
    return z.NEVER;
  }
  return d;
});

const envSchema = z.object({
  DATABASE_URL: optionalText,
  DATA_DIR: optionalText.transform((v) => v ?? './.data'),
  HOST: optionalText.transform((v) => v ?? '0.0.0.0'),
  PORT: intInRange('PORT', 3000, 0, 65535),
  PUBLIC_URL: httpUrl('PUBLIC_URL'),
  ADMIN_TOKEN: optionalText,
  SECRET_KEY: secretKey,
  /** Extension: the key being rotated away from; still accepted for decryption. */
  SECRET_KEY_PREVIOUS: secretKey,
  ENTRA_TENANT_ID: optionalText,
  ENTRA_CLIENT_ID: optionalText,
  ENTRA_CLIENT_SECRET: optionalText,
  ENTRA_CLIENT_SECRET_EXPIRES_AT: isoDate,
  ENTRA_GROUP_ID: optionalText,
  LEENA_URL: httpUrl('LEENA_URL'),
  LEENA_API_KEY: optionalText,
  LEENA_SIGNING_SECRET: optionalText,
  GRAPH_BASE_URL: httpUrl('GRAPH_BASE_URL').transform((v) => v ?? 'https://graph.microsoft.com'),
  ENTRA_AUTHORITY_URL: httpUrl('ENTRA_AUTHORITY_URL').transform(
    (v) => v ?? 'https://login.microsoftonline.com',
  ),
  RECONCILE_CRON: optionalText.transform((v) => v ?? '0 2 * * *'),
  RECONCILE_TIMEZONE: optionalText.transform((v) => v ?? 'UTC'),
  SUBSCRIPTION_LIFETIME_MINUTES: intInRange('SUBSCRIPTION_LIFETIME_MINUTES', 41760, 1, 41760),
  SUBSCRIPTION_RENEW_CHECK_SECONDS: intInRange('SUBSCRIPTION_RENEW_CHECK_SECONDS', 3600, 1, 86400),
  CHANGE_DEBOUNCE_MS: intInRange('CHANGE_DEBOUNCE_MS', 1000, 0, 600_000),
  GROUP_POLL_SECONDS: intInRange('GROUP_POLL_SECONDS', 300, 1, 86400),
  LOG_LEVEL: optionalText.transform((v, ctx) => {
    const level = (v ?? 'info').toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${LOG_LEVELS.join(', ')}, got "${v}"` });
      return z.NEVER;
    }
    return level as (typeof LOG_LEVELS)[number];
  }),
  // --- extensions (README "Configuration") ---
  BODY_LIMIT_BYTES: intInRange('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
  RATE_LIMIT_ADMIN_PER_MINUTE: intInRange('RATE_LIMIT_ADMIN_PER_MINUTE', 600, 1, 10_000_000),
  RATE_LIMIT_WEBHOOK_PER_MINUTE: intInRange('RATE_LIMIT_WEBHOOK_PER_MINUTE', 3_000_000, 1, 100_000_000),
  DELIVERY_TIMEOUT_MS: intInRange('DELIVERY_TIMEOUT_MS', 15_000, 100, 600_000),
  DELIVERY_CONCURRENCY: intInRange('DELIVERY_CONCURRENCY', 4, 1, 64),
  DELIVERY_MAX_RETRY_HOURS: intInRange('DELIVERY_MAX_RETRY_HOURS', 72, 0, 24 * 30),
  DELIVERY_BACKOFF_BASE_MS: intInRange('DELIVERY_BACKOFF_BASE_MS', 1000, 1, 3_600_000),
  DELIVERY_BACKOFF_MAX_MS: intInRange('DELIVERY_BACKOFF_MAX_MS', 3_600_000, 1, 86_400_000),
  ALLOW_INSECURE_LEENA_URL: booleanFlag(false),
  ALLOW_PRIVATE_LEENA_URL: booleanFlag(false),
  RECONCILE_MAX_DELETE_PERCENT: intInRange('RECONCILE_MAX_DELETE_PERCENT', 10, 0, 100),
  RECONCILE_MAX_DELETE_FLOOR: intInRange('RECONCILE_MAX_DELETE_FLOOR', 10, 0, 1_000_000),
  LEASE_SECONDS: intInRange('LEASE_SECONDS', 30, 5, 3600),
});

type ParsedEnv = z.infer<typeof envSchema>;

export interface Config {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string | undefined;
  readonly adminToken: string;
  /** Current encryption key first, then the previous one (rotation). Empty until configured. */
  readonly secretKeys: readonly Buffer[];
  readonly defaultConnection: DefaultConnectionConfig | undefined;
  readonly graphBaseUrl: string;
  readonly authorityUrl: string;
  readonly reconcileCron: string;
  readonly reconcileTimezone: string;
  readonly subscriptionLifetimeMinutes: number;
  readonly subscriptionRenewCheckSeconds: number;
  readonly changeDebounceMs: number;
  readonly groupPollSeconds: number;
  readonly logLevel: ParsedEnv['LOG_LEVEL'];
  readonly bodyLimitBytes: number;
  readonly rateLimit: { readonly adminPerMinute: number; readonly webhookPerMinute: number };
  readonly delivery: {
    readonly timeoutMs: number;
    readonly concurrency: number;
    readonly maxRetryHours: number;
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
    readonly allowInsecureUrl: boolean;
    readonly allowPrivateUrl: boolean;
  };
  readonly reconcile: { readonly maxDeletePercent: number; readonly maxDeleteFloor: number };
  readonly leaseSeconds: number;
}

export interface DefaultConnectionConfig {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientSecretExpiresAt: Date | undefined;
  readonly groupId: string | undefined;
  readonly leena: { readonly url: string; readonly apiKey: string; readonly signingSecret: string };
}

/** Thrown by loadConfig; `problems` has one line per offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** The demo and tests may run without ADMIN_TOKEN (the demo generates one). */
  readonly requireAdminToken?: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  // Each variable is parsed on its own so that one message can name every bad variable.
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else problems.push(...result.error.issues.map((issue) => `${name}: ${issue.message}`));
  }
  const invalid = new Set(problems.map((p) => p.slice(0, p.indexOf(':'))));
  const e = values as ParsedEnv;
  for (const problem of crossFieldProblems(e, options)) {
    if (!invalid.has(problem.slice(0, problem.indexOf(':')))) problems.push(problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(toConfig(e));
}

function crossFieldProblems(e: ParsedEnv, options: LoadConfigOptions): string[] {
  const problems: string[] = [];
  if ((options.requireAdminToken ?? true) && e.ADMIN_TOKEN === undefined) {
    problems.push('ADMIN_TOKEN: required (the bearer token for every /admin route; at least 16 characters)');
  } else if (e.ADMIN_TOKEN !== undefined && e.ADMIN_TOKEN.length < 16) {
    problems.push('ADMIN_TOKEN: too short; use at least 16 random characters');
  }
  problems.push(...defaultConnectionProblems(e));
  const simulatorGraph = isLoopbackUrl(e.GRAPH_BASE_URL ?? '');
  if (e.PUBLIC_URL !== undefined && !e.PUBLIC_URL.startsWith('https:') && !simulatorGraph) {
    problems.push(
      `PUBLIC_URL: Graph only delivers notifications to https URLs; got "${e.PUBLIC_URL}" (http is accepted only when GRAPH_BASE_URL is a loopback simulator)`,
    );
  }
  if (e.ENTRA_AUTHORITY_URL?.startsWith('http:') && !isLoopbackUrl(e.ENTRA_AUTHORITY_URL)) {
    problems.push(`ENTRA_AUTHORITY_URL: must be https (plain http only for loopback hosts); got "${e.ENTRA_AUTHORITY_URL}"`);
  }
  if (e.GRAPH_BASE_URL?.startsWith('http:') && !simulatorGraph) {
    problems.push(`GRAPH_BASE_URL: must be https (plain http only for loopback hosts); got "${e.GRAPH_BASE_URL}"`);
  }
  if (e.RECONCILE_CRON && e.RECONCILE_TIMEZONE) problems.push(...scheduleProblems(e.RECONCILE_CRON, e.RECONCILE_TIMEZONE));
  return problems;
}

function defaultConnectionProblems(e: ParsedEnv): string[] {
  const entra = [e.ENTRA_TENANT_ID, e.ENTRA_CLIENT_ID, e.ENTRA_CLIENT_SECRET];
  const leena = [e.LEENA_URL, e.LEENA_API_KEY, e.LEENA_SIGNING_SECRET];
  if (entra.every((v) => v === undefined) && leena.every((v) => v === undefined)) return [];
  const problems: string[] = [];
  const required: Array<[string, string | undefined]> = [
    ['ENTRA_TENANT_ID', e.ENTRA_TENANT_ID],
    ['ENTRA_CLIENT_ID', e.ENTRA_CLIENT_ID],
    ['ENTRA_CLIENT_SECRET', e.ENTRA_CLIENT_SECRET],
    ['LEENA_URL', e.LEENA_URL],
    ['LEENA_API_KEY', e.LEENA_API_KEY],
    ['LEENA_SIGNING_SECRET', e.LEENA_SIGNING_SECRET],
  ];
  for (const [name, value] of required) {
    if (value === undefined) problems.push(`${name}: required to define the "default" connection (some ENTRA_*/LEENA_* values are set)`);
  }
  if (e.PUBLIC_URL === undefined) {
    problems.push('PUBLIC_URL: required when a connection exists (Graph sends notifications to {PUBLIC_URL}/webhooks/graph)');
  }
  if (e.SECRET_KEY === undefined) {
    problems.push('SECRET_KEY: required once a connection is stored (it encrypts client and signing secrets)');
  }
  return problems;
}

function scheduleProblems(cron: string, timezone: string): string[] {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return [`RECONCILE_TIMEZONE: unknown IANA time zone "${timezone}" (e.g. UTC, Europe/Berlin)`];
  }
  try {
    new Cron(cron, { timezone, paused: true }).stop();
    return [];
  } catch (error) {
    return [`RECONCILE_CRON: not a valid cron expression "${cron}" (${(error as Error).message})`];
  }
}

function toConfig(e: ParsedEnv): Config {
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    adminToken: e.ADMIN_TOKEN ?? '',
    secretKeys: [e.SECRET_KEY, e.SECRET_KEY_PREVIOUS].flatMap((k): Buffer[] => (k === undefined ? [] : [k])),
    defaultConnection:
      e.ENTRA_TENANT_ID === undefined
        ? undefined
        : {
            tenantId: e.ENTRA_TENANT_ID,
            clientId: e.ENTRA_CLIENT_ID ?? '',
            clientSecret: e.ENTRA_CLIENT_SECRET ?? '',
            clientSecretExpiresAt: e.ENTRA_CLIENT_SECRET_EXPIRES_AT,
            groupId: e.ENTRA_GROUP_ID,
            leena: { url: e.LEENA_URL ?? '', apiKey: e.LEENA_API_KEY ?? '', signingSecret: e.LEENA_SIGNING_SECRET ?? '' },
          },
    graphBaseUrl: e.GRAPH_BASE_URL,
    authorityUrl: e.ENTRA_AUTHORITY_URL,
    reconcileCron: e.RECONCILE_CRON,
    reconcileTimezone: e.RECONCILE_TIMEZONE,
    subscriptionLifetimeMinutes: e.SUBSCRIPTION_LIFETIME_MINUTES,
    subscriptionRenewCheckSeconds: e.SUBSCRIPTION_RENEW_CHECK_SECONDS,
    changeDebounceMs: e.CHANGE_DEBOUNCE_MS,
    groupPollSeconds: e.GROUP_POLL_SECONDS,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    rateLimit: { adminPerMinute: e.RATE_LIMIT_ADMIN_PER_MINUTE, webhookPerMinute: e.RATE_LIMIT_WEBHOOK_PER_MINUTE },
    delivery: {
      timeoutMs: e.DELIVERY_TIMEOUT_MS,
      concurrency: e.DELIVERY_CONCURRENCY,
      maxRetryHours: e.DELIVERY_MAX_RETRY_HOURS,
      backoffBaseMs: e.DELIVERY_BACKOFF_BASE_MS,
      backoffMaxMs: e.DELIVERY_BACKOFF_MAX_MS,
      allowInsecureUrl: e.ALLOW_INSECURE_LEENA_URL,
      allowPrivateUrl: e.ALLOW_PRIVATE_LEENA_URL,
    },
    reconcile: { maxDeletePercent: e.RECONCILE_MAX_DELETE_PERCENT, maxDeleteFloor: e.RECONCILE_MAX_DELETE_FLOOR },
    leaseSeconds: e.LEASE_SECONDS,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Date)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
