/**
 * A connection's Leena AI target with its secrets decrypted, kept for a short while so that a
 * hundred batches a second do not each read and decrypt the row. Dropped as soon as the row's
 * updated_at moves (a rotated key or a new URL is used from the next batch on) and after a minute
 * regardless, so decrypted secrets do not linger in memory.
 */
import type { AppContext } from '../context.js';
import { decryptSecrets } from '../connections/connection.service.js';
import { findConnectionById } from '../connections/connection.repository.js';
import type { LeenaTarget } from './leena-client.js';
import { decodeSigningSecret } from './signing.js';

export const TARGET_CACHE_MS = 60_000;

export interface TargetCache {
  /** The target as of `updatedAt` (connections.updated_at seen by the claim). */
  get(updatedAt: Date): Promise<LeenaTarget>;
  clear(): void;
}

type Ctx = Pick<AppContext, 'database' | 'secretBox'>;

export function createTargetCache(ctx: Ctx, connectionId: string, ttlMs = TARGET_CACHE_MS): TargetCache {
  let entry: { target: LeenaTarget; updatedAt: number; expiresAt: number } | undefined;
  return {
    async get(updatedAt) {
      const now = Date.now();
      if (entry && entry.updatedAt === updatedAt.getTime() && entry.expiresAt > now) return entry.target;
      const loaded = await loadTarget(ctx, connectionId);
      entry = { target: loaded.target, updatedAt: loaded.updatedAt.getTime(), expiresAt: now + ttlMs };
      return loaded.target;
    },
    clear() {
      entry = undefined;
    },
  };
}

async function loadTarget(ctx: Ctx, connectionId: string): Promise<{ target: LeenaTarget; updatedAt: Date }> {
  const row = await findConnectionById(ctx.database.db, connectionId);
  if (!row) throw new Error(`connection ${connectionId} no longer exists; its batches are not sent`);
  let secrets;
  try {
    secrets = decryptSecrets(ctx, row);
  } catch (error) {
    throw new Error(
      `cannot decrypt the Leena AI secrets of connection "${row.name}": is SECRET_KEY (or SECRET_KEY_PREVIOUS) the key they were stored with?`,
      { cause: error },
    );
  }
  const signingKey = decodeSigningSecret(secrets.leenaSigningSecret);
  return {
    target: { url: row.leena_url, apiKey: secrets.leenaApiKey, signingKey },
    updatedAt: row.updated_at,
  };
}
