/**
 * Contract-shaped outbox events for delivery tests, written by the sync's own writer: outbox and
 * delivery queue in one transaction with NOTIFY entra_sync_delivery. Each user's profile is tracked so that updates
 * carry correct `changes` and the sink's oracle can check the resulting state.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/database.js';
import { insertEvents as writeEvents } from '../../src/sync/apply-user-changes.js';
import type { LeenaEvent } from '../../src/sync/user-event.js';

type Profile = Record<string, unknown> & { id: string; jobTitle: string | null };
type Kind = 'created' | 'updated' | 'deleted';

export interface OutboxFixture {
  /** Appends one event per entry (default kind: created for a new or deleted user, else updated). */
  add(entries: ReadonlyArray<string | { userId: string; kind?: Kind }>): Promise<string[]>;
  /** `count` events spread round-robin over `users` users named `${prefix}-${n}`. */
  addSpread(count: number, users: number, prefix?: string): Promise<string[]>;
  /** Every event id written so far, in write order. */
  readonly written: string[];
}

export function createOutboxFixture(db: Db, connection: { id: string; tenantId: string }): OutboxFixture {
  const users = new Map<string, { sequence: number; profile: Profile | null }>();
  const written: string[] = [];
  const eventFor = (userId: string, kind?: Kind) => {
    const state = users.get(userId) ?? { sequence: 0, profile: null };
    users.set(userId, state);
    state.sequence += 1;
    const resolved: Kind = kind ?? (state.profile ? 'updated' : 'created');
    const base = {
      id: `evt_${randomBytes(12).toString('hex')}`,
      type: `user.${resolved}`,
      connectionId: connection.id,
      tenantId: connection.tenantId,
      userId,
      sequence: state.sequence,
      occurredAt: new Date().toISOString(),
      source: 'notification',
    };
    if (resolved === 'deleted') {
      state.profile = null;
      return { ...base, reason: 'deleted' };
    }
    const previous = state.profile;
    const profile = { ...(previous ?? newProfile(userId)), jobTitle: `Title ${state.sequence}` };
    state.profile = profile;
    if (resolved === 'created' || !previous) return { ...base, type: 'user.created', user: profile };
    return {
      ...base,
      user: profile,
      changes: { jobTitle: { old: previous.jobTitle, new: profile.jobTitle } },
    };
  };

  const add: OutboxFixture['add'] = async (entries) => {
    const events = entries.map((e) => (typeof e === 'string' ? eventFor(e) : eventFor(e.userId, e.kind)));
    await insertEvents(db, events);
    written.push(...events.map((e) => e.id));
    return events.map((e) => e.id);
  };
  return {
    add,
    written,
    async addSpread(count, userCount, prefix = 'user') {
      const ids: string[] = [];
      for (let start = 0; start < count; start += 1000) {
        const chunk = Array.from(
          { length: Math.min(1000, count - start) },
          (_, i) => `${prefix}-${(start + i) % userCount}`,
        );
        ids.push(...(await add(chunk)));
      }
      return ids;
    },
  };
}

function newProfile(userId: string): Profile {
  return {
    id: userId,
    userPrincipalName: `${userId}@contoso.example`,
    mail: `${userId}@contoso.example`,
    displayName: `User ${userId}`,
    givenName: 'Test',
    surname: userId,
    jobTitle: null,
    department: 'Engineering',
    officeLocation: null,
    employeeId: null,
    mobilePhone: null,
    businessPhones: [],
    accountEnabled: true,
    managerId: null,
  };
}

/** Through the sync's own writer (outbox, delivery queue and NOTIFY, one transaction). */
async function insertEvents(db: Db, events: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  if (events.length === 0) return;
  // The fixture builds contract-shaped events without the writer's narrow types.
  await db.transaction().execute((tx) => writeEvents(tx, events as unknown as LeenaEvent[]));
}
