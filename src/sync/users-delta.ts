/**
 * One delta round over users: follow users/delta from the stored deltaLink page by page, apply
 * what changed, and store the new deltaLink in the same transaction as the last page's events.
 * Memory stays flat: pages are applied as they come. (Whole reads are reconcile runs.)
 */
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { Db, Tx } from '../db/database.js';
import type { EventSource } from '../db/schema.js';
import type { GraphApi } from '../graph/graph-api.js';
import { type ApplyOptions, applyUserObservations, type UserObservation } from './apply-user-changes.js';
import { readUsersById } from './user-reads.js';
import { GRAPH_USER_SELECT, profileFromGraph } from './user-profile.js';

const APPLY_EVERY = 2_000;
const USERS_READ = { operation: 'GET /users/delta', permission: 'User.Read.All' };

export interface DeltaPage {
  value?: Array<Record<string, unknown>>;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export interface UsersDeltaResult {
  readonly pages: number;
  readonly items: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly deltaLink: string;
}

export interface UsersDeltaOptions {
  readonly db: Db;
  readonly graph: GraphApi;
  readonly connection: ConnectionRow;
  /** Where the previous round (or the last reconcile) left off. */
  readonly deltaLink: string;
  readonly source: EventSource;
  readonly inScope?: (userId: string) => boolean;
  /**
   * Stores the new deltaLink (and bookkeeping): in the transaction of the last page's events, or
   * on its own when the round saw no change.
   */
  readonly onCommit: (db: Db | Tx, deltaLink: string) => Promise<void>;
}

export function initialUsersDeltaUrl(): string {
  return `/users/delta?$select=${GRAPH_USER_SELECT},manager`;
}

export async function runUsersDelta(o: UsersDeltaOptions): Promise<UsersDeltaResult> {
  const applyOptions: ApplyOptions = {
    connectionId: o.connection.id,
    tenantId: o.connection.tenant_id,
    source: o.source,
    occurredAt: new Date(),
    inScope: o.inScope,
  };
  const totals = { pages: 0, items: 0, created: 0, updated: 0, deleted: 0 };
  let buffer: UserObservation[] = [];
  // The next page is fetched while the current one is applied: Graph latency and Postgres overlap.
  let nextPage = prefetch(o.graph, o.deltaLink);
  for (;;) {
    const page = await nextPage;
    totals.pages += 1;
    const deltaLink = page['@odata.deltaLink'];
    const nextLink = page['@odata.nextLink'];
    if (deltaLink === undefined && nextLink === undefined) throw new Error('users/delta page without nextLink or deltaLink');
    if (nextLink !== undefined) nextPage = prefetch(o.graph, nextLink);
    for (const item of page.value ?? []) buffer.push(observationOf(item));
    totals.items += page.value?.length ?? 0;
    if (deltaLink !== undefined || buffer.length >= APPLY_EVERY) {
      const last = deltaLink !== undefined;
      const observed = buffer;
      buffer = [];
      await applyPage(o, applyOptions, observed, totals, async (tx) => {
        if (last) await o.onCommit(tx, deltaLink!);
      });
      if (last) return { ...totals, deltaLink: deltaLink! };
    }
  }
}

/** Starts reading a page; a failure surfaces when the page is awaited, never as an unhandled rejection. */
function prefetch(graph: GraphApi, url: string): Promise<DeltaPage> {
  const page = graph.get<DeltaPage>(url, USERS_READ);
  page.catch(() => {});
  return page;
}

function observationOf(item: Record<string, unknown>): UserObservation {
  const userId = String(item.id);
  const removed = item['@removed'] as { reason?: string } | undefined;
  if (removed) return { userId, state: removed.reason === 'deleted' ? 'deleted' : 'soft_deleted' };
  // Created users come whole, updated ones with (at least) their changed properties: merged.
  return { userId, profile: profileFromGraph(item) };
}

async function applyPage(
  o: UsersDeltaOptions,
  applyOptions: ApplyOptions,
  observed: UserObservation[],
  totals: { created: number; updated: number; deleted: number },
  inSameTransaction: (db: Db | Tx) => Promise<void>,
): Promise<void> {
  // Nothing changed (most rounds under a steady trickle of notifications): one statement, no
  // BEGIN/COMMIT around it.
  if (observed.length === 0) return inSameTransaction(o.db);
  let needsFullRead: string[] = [];
  await o.db.transaction().execute(async (tx) => {
    const r = await applyUserObservations(tx, observed, applyOptions);
    add(totals, r);
    needsFullRead = r.needsFullRead;
    if (needsFullRead.length === 0) await inSameTransaction(tx);
  });
  if (needsFullRead.length === 0) return;
  // Users we only ever saw partially (changed properties of someone we never read): read them whole.
  const whole = await readUsersById(o.graph, needsFullRead);
  await o.db.transaction().execute(async (tx) => {
    add(totals, await applyUserObservations(tx, whole, applyOptions));
    await inSameTransaction(tx);
  });
}

function add(totals: { created: number; updated: number; deleted: number }, r: { created: number; updated: number; deleted: number }) {
  totals.created += r.created;
  totals.updated += r.updated;
  totals.deleted += r.deleted;
}
