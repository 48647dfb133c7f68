/**
 * What the doctor examines: a stored connection (decrypted from Postgres) or the ENTRA_* /
 * LEENA_* values of the environment, plus the service settings the checks need. Settings are
 * read leniently here (with the service's defaults) so that one bad variable, already reported by
 * the configuration check, does not stop every other check.
 */
import { loadConfig } from '../../config/config.js';
import { findConnectionRow } from '../../connections/connection.repository.js';
import { decryptSecrets } from '../../connections/connection.service.js';
import { createSecretBox } from '../../crypto/secret-box.js';
import type { OutboundPolicy } from '../../delivery/leena-url.js';
import { openCliDatabase } from '../cli-database.js';
import { UsageError } from '../cli-io.js';

export interface DoctorSettings {
  readonly graphBaseUrl: string;
  readonly authorityUrl: string;
  readonly publicUrl: string | undefined;
  readonly groupPollSeconds: number;
  readonly outbound: OutboundPolicy;
  readonly timeoutMs: number;
}

export interface DoctorTarget {
  /** 'connection "acme"' or 'the ENTRA_* / LEENA_* values'. */
  readonly label: string;
  /** Where each value comes from, for fixes: variable names or connection fields. */
  readonly source: 'env' | 'connection';
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly clientSecretExpiresAt?: Date;
  readonly groupId?: string;
  readonly leena: { readonly url?: string; readonly apiKey?: string; readonly signingSecret?: string };
  readonly settings: DoctorSettings;
}

export function settingsFrom(env: NodeJS.ProcessEnv): DoctorSettings {
  return {
    graphBaseUrl: url(env.GRAPH_BASE_URL) ?? 'https://graph.microsoft.com',
    authorityUrl: url(env.ENTRA_AUTHORITY_URL) ?? 'https://login.microsoftonline.com',
    publicUrl: url(env.PUBLIC_URL),
    groupPollSeconds: Number(text(env.GROUP_POLL_SECONDS) ?? 300) || 300,
    outbound: {
      allowInsecureUrl: yes(env.ALLOW_INSECURE_LEENA_URL),
      allowPrivateUrl: yes(env.ALLOW_PRIVATE_LEENA_URL),
    },
    timeoutMs: Math.min(Number(text(env.DELIVERY_TIMEOUT_MS) ?? 10_000) || 10_000, 10_000),
  };
}

export function targetFromEnv(env: NodeJS.ProcessEnv): DoctorTarget {
  const expires = text(env.ENTRA_CLIENT_SECRET_EXPIRES_AT);
  const expiresAt = expires === undefined ? undefined : new Date(expires);
  return {
    label: 'the ENTRA_* / LEENA_* values',
    source: 'env',
    tenantId: text(env.ENTRA_TENANT_ID),
    clientId: text(env.ENTRA_CLIENT_ID),
    clientSecret: text(env.ENTRA_CLIENT_SECRET),
    clientSecretExpiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : undefined,
    groupId: text(env.ENTRA_GROUP_ID),
    leena: {
      url: text(env.LEENA_URL),
      apiKey: text(env.LEENA_API_KEY),
      signingSecret: text(env.LEENA_SIGNING_SECRET),
    },
    settings: settingsFrom(env),
  };
}

/** Reads and decrypts a stored connection: needs DATABASE_URL (or the embedded one) and SECRET_KEY. */
export async function targetFromConnection(env: NodeJS.ProcessEnv, idOrName: string): Promise<DoctorTarget> {
  let config;
  try {
    config = loadConfig(env, { requireAdminToken: false });
  } catch (error) {
    throw new UsageError(
      `cannot read connection "${idOrName}" with this configuration: ${(error as Error).message}`,
    );
  }
  if (config.secretKeys.length === 0) {
    throw new UsageError(
      `SECRET_KEY is not set: it is needed to decrypt the stored secrets of connection "${idOrName}"`,
    );
  }
  const cli = await openCliDatabase(config);
  try {
    const row = await findConnectionRow(cli.database.db, idOrName);
    if (!row)
      throw new UsageError(
        `no connection with id or name "${idOrName}" in ${cli.where} (list them: entra-sync connections list)`,
      );
    const secrets = decryptSecrets({ secretBox: createSecretBox(config.secretKeys) }, row);
    return {
      label: `connection "${row.name}"`,
      source: 'connection',
      tenantId: row.tenant_id,
      clientId: row.client_id,
      clientSecret: secrets.clientSecret,
      clientSecretExpiresAt: row.client_secret_expires_at ?? undefined,
      groupId: row.group_id ?? undefined,
      leena: { url: row.leena_url, apiKey: secrets.leenaApiKey, signingSecret: secrets.leenaSigningSecret },
      settings: settingsFrom(env),
    };
  } finally {
    await cli.close();
  }
}

function text(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function url(value: string | undefined): string | undefined {
  return text(value)?.replace(/\/+$/, '');
}

function yes(value: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test(value?.trim() ?? '');
}
