/**
 * Which Graph subscription ids are ours, and their connection, tenant and clientState hash —
 * cached, because every notification item is checked against it and the webhook must answer in
 * milliseconds. Unknown ids are cached briefly too, so a flood of forged ids cannot hammer
 * Postgres.
 */
import type { Db } from '../db/database.js';

export interface KnownSubscription {
  readonly subscriptionRowId: string;
  readonly connectionId: string;
  readonly tenantId: string;
  readonly kind: 'users' | 'groups';
  readonly clientStateHash: Buffer;
}

const KNOWN_TTL_MS = 30_000;
const UNKNOWN_TTL_MS = 5_000;
const MAX_UNKNOWN = 10_000;

export interface SubscriptionDirectory {
  lookup(graphSubscriptionIds: readonly string[]): Promise<Map<string, KnownSubscription>>;
}

export function createSubscriptionDirectory(db: Db): SubscriptionDirectory {
  const known = new Map<string, { at: number; value: KnownSubscription }>();
  const unknown = new Map<string, number>();
  return {
    async lookup(ids) {
      const now = Date.now();
      const found = new Map<string, KnownSubscription>();
      const missing: string[] = [];
      for (const id of new Set(ids)) {
        const hit = known.get(id);
        if (hit && now - hit.at < KNOWN_TTL_MS) found.set(id, hit.value);
        else if ((unknown.get(id) ?? 0) > now - UNKNOWN_TTL_MS) continue;
        else missing.push(id);
      }
      if (missing.length === 0) return found;
      const rows = await db
        .selectFrom('subscriptions as s')
        .innerJoin('connections as c', 'c.id', 's.connection_id')
        .select(['s.id', 's.graph_subscription_id', 's.connection_id', 's.kind', 's.client_state_hash', 'c.tenant_id'])
        .where('s.graph_subscription_id', 'in', missing)
        .execute();
      for (const r of rows) {
        if (!r.graph_subscription_id || !r.client_state_hash) continue;
        const value = {
          subscriptionRowId: r.id,
          connectionId: r.connection_id,
          tenantId: r.tenant_id,
          kind: r.kind,
          clientStateHash: r.client_state_hash,
        };
        known.set(r.graph_subscription_id, { at: now, value });
        found.set(r.graph_subscription_id, value);
      }
      for (const id of missing) {
        if (found.has(id)) continue;
        if (unknown.size >= MAX_UNKNOWN) unknown.clear();
        unknown.set(id, now);
      }
      return found;
    },
  };
}
