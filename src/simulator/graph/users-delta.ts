// GET /users/delta: the initial round walks the directory in order; later rounds fold the change
// log since the token into one entry per user. Updated users carry only what changed.
import type { SimUser } from '../types.js';
import type { TenantDirectory } from '../directory/directory.js';
import { fieldBit } from '../directory/user-fields.js';
import type { GraphContext } from './graph-route.js';
import type { DeltaDeps, DeltaPage } from './delta-round.js';
import { deltaPage, maybeReplay, startOrResume } from './delta-round.js';
import { parseDeltaQuery } from './delta-query.js';
import type { DeltaPosition } from './delta-tokens.js';
import { DEFAULT_USER_SELECT, USER_TYPE, renderUser } from './properties.js';
import type { SnapshotCache } from './snapshot-cache.js';
import type { MergedUserChange } from './users-delta-merge.js';
import { mergeUserChanges } from './users-delta-merge.js';

export interface UsersDeltaDeps extends DeltaDeps {
  rounds: SnapshotCache<MergedUserChange[]>;
}

type Item = Record<string, unknown>;

function properties(select: string[] | null): string[] {
  return (select ?? DEFAULT_USER_SELECT).filter((p) => p !== 'manager');
}

function managerDelta(select: string[] | null, current: string | null, before: string | null): Item[] | null {
  if (!select?.includes('manager')) return null;
  if (current) return [{ '@odata.type': USER_TYPE, id: current }];
  if (before) return [{ '@odata.type': USER_TYPE, id: before, '@removed': { reason: 'deleted' } }];
  return null;
}

function fullItem(user: SimUser, select: string[] | null, managerBefore: string | null): Item {
  const item = renderUser(user, properties(select));
  const manager = managerDelta(select, user.managerId, managerBefore);
  if (manager) item['manager@delta'] = manager;
  return item;
}

function removedItem(id: string, reason: 'changed' | 'deleted'): Item {
  return { id, '@removed': { reason } };
}

function changeItem(
  directory: TenantDirectory,
  entry: MergedUserChange,
  select: string[] | null,
  fullObjects: boolean,
): Item | null {
  const user = directory.users.get(entry.id);
  if (entry.removed) return removedItem(entry.id, entry.removed);
  // Changed again after the window closed: report what is true now.
  if (!user) return removedItem(entry.id, directory.users.getSoftDeleted(entry.id) ? 'changed' : 'deleted');
  if (entry.full || fullObjects)
    return fullItem(user, select, entry.managerChanged ? entry.managerBefore : null);
  const item: Item = { id: user.id };
  for (const name of properties(select)) {
    if (fieldBit(name) & entry.mask) item[name] = renderUser(user, [name])[name];
  }
  const manager = entry.managerChanged ? managerDelta(select, user.managerId, entry.managerBefore) : null;
  if (manager) item['manager@delta'] = manager;
  return Object.keys(item).length > 1 ? item : null;
}

function initialPage(ctx: GraphContext, pos: DeltaPosition, deps: UsersDeltaDeps): DeltaPage {
  const { users } = ctx.tenant.directory;
  const size = deps.faults.deltaPageSize;
  const at = pos.ids ? (k: number) => users.get(pos.ids?.[k] ?? '') : (k: number) => users.atPosition(k);
  const length = () => (pos.ids ? pos.ids.length : users.orderLength);
  const value: Item[] = [];
  let k = pos.o;
  for (; k < length() && value.length < size; k++) {
    const user = at(k);
    if (user) value.push(fullItem(user, pos.sel, null));
  }
  while (k < length() && !at(k)) k++;
  const replay = maybeReplay(pos.o, deps);
  const replayed = replay === null ? undefined : at(replay);
  if (replayed) value.push(fullItem(replayed, pos.sel, null));
  if (k < length()) return deltaPage(ctx, 'users', value, { next: { ...pos, o: k } }, deps);
  return deltaPage(ctx, 'users', value, { delta: { ...pos, p: 'changes', o: 0 } }, deps);
}

function changesPage(ctx: GraphContext, pos: DeltaPosition, deps: UsersDeltaDeps): DeltaPage {
  const directory = ctx.tenant.directory;
  const end = pos.e ?? directory.userLog.length;
  const key = `${ctx.tenant.tenantId}|${pos.s}|${end}|${pos.ids?.join(',') ?? '*'}`;
  const ids = pos.ids ? new Set(pos.ids) : null;
  const merged = deps.rounds.get(key, () => mergeUserChanges(directory.userLog, pos.s, end, ids));
  const size = deps.faults.deltaPageSize;
  const slice = merged.slice(pos.o, pos.o + size);
  const replay = maybeReplay(pos.o, deps);
  if (replay !== null) slice.push(merged[replay] as MergedUserChange);
  const value: Item[] = [];
  for (const entry of slice) {
    const item = changeItem(directory, entry, pos.sel, deps.faults.deltaFullObjects);
    if (item) value.push(item);
  }
  if (pos.o + size < merged.length)
    return deltaPage(ctx, 'users', value, { next: { ...pos, e: end, o: pos.o + size } }, deps);
  const { e: _end, ...rest } = pos;
  return deltaPage(ctx, 'users', value, { delta: { ...rest, s: end, o: 0 } }, deps);
}

export function serveUsersDelta(
  ctx: GraphContext,
  query: Record<string, string | undefined>,
  deps: UsersDeltaDeps,
): DeltaPage {
  const parsed = parseDeltaQuery(query, deps.codec, 'users', 'user', ['manager']);
  const pos = startOrResume(ctx, parsed, 'users', ctx.tenant.directory.userLog.length, deps);
  if (parsed.resume === 'latest') return deltaPage(ctx, 'users', [], { delta: pos }, deps);
  return pos.p === 'init' ? initialPage(ctx, pos, deps) : changesPage(ctx, pos, deps);
}
