// GET /groups/delta: groups with `members@delta`. A round is cut into units (a group, or a slice
// of a big group's members) so a large member list spans pages, as Graph's does. Later rounds
// carry only membership changes; removed members have `@removed`.
import type { GroupChange } from '../directory/changes.js';
import type { TenantDirectory } from '../directory/directory.js';
import type { GraphContext } from './graph-route.js';
import type { DeltaDeps, DeltaPage } from './delta-round.js';
import { deltaPage, maybeReplay, startOrResume } from './delta-round.js';
import { parseDeltaQuery } from './delta-query.js';
import type { DeltaPosition } from './delta-tokens.js';
import { DEFAULT_GROUP_SELECT, GROUP_TYPE, USER_TYPE, renderGroup } from './properties.js';
import type { SnapshotCache } from './snapshot-cache.js';

type Item = Record<string, unknown>;

export interface GroupUnit {
  groupId: string;
  /** First unit of a group that is new to the client: carries its properties. */
  withProperties: boolean;
  members: Item[] | null;
}

export interface GroupsDeltaDeps extends DeltaDeps {
  rounds: SnapshotCache<GroupUnit[]>;
}

function memberItem(directory: TenantDirectory, id: string, removed: boolean): Item {
  const item: Item = { '@odata.type': directory.groups.has(id) ? GROUP_TYPE : USER_TYPE, id };
  if (removed) item['@removed'] = { reason: 'deleted' };
  return item;
}

function splitUnits(
  groupId: string,
  withProperties: boolean,
  members: Item[] | null,
  size: number,
): GroupUnit[] {
  if (!members || members.length <= size) return [{ groupId, withProperties, members }];
  const units: GroupUnit[] = [];
  for (let i = 0; i < members.length; i += size) {
    units.push({ groupId, withProperties: withProperties && i === 0, members: members.slice(i, i + size) });
  }
  return units;
}

function currentMembers(directory: TenantDirectory, groupId: string, wanted: boolean): Item[] | null {
  if (!wanted) return null;
  return [...directory.groups.members(groupId)].map((id) => memberItem(directory, id, false));
}

function initialUnits(directory: TenantDirectory, pos: DeltaPosition, size: number): GroupUnit[] {
  const wanted = pos.sel?.includes('members') ?? false;
  const ids = pos.ids ?? [...directory.groups.values()].map((g) => g.id);
  return ids
    .filter((id) => directory.groups.has(id))
    .flatMap((id) => splitUnits(id, true, currentMembers(directory, id, wanted), size));
}

function changeUnits(directory: TenantDirectory, pos: DeltaPosition, end: number, size: number): GroupUnit[] {
  const wanted = pos.sel?.includes('members') ?? false;
  const ids = pos.ids ? new Set(pos.ids) : null;
  const merged = new Map<string, { created: boolean; members: Map<string, boolean> }>();
  for (let p = pos.s; p < end; p++) {
    const change = directory.groupLog.at(p) as GroupChange;
    if (ids && !ids.has(change.groupId)) continue;
    let entry = merged.get(change.groupId);
    if (!entry) merged.set(change.groupId, (entry = { created: false, members: new Map() }));
    if (change.kind === 'created') entry.created = true;
    else if (change.memberId) entry.members.set(change.memberId, change.kind === 'memberRemoved');
  }
  return [...merged].flatMap(([groupId, entry]) => {
    if (entry.created) return splitUnits(groupId, true, currentMembers(directory, groupId, wanted), size);
    if (!wanted || entry.members.size === 0) return [];
    const members = [...entry.members].map(([id, removed]) => memberItem(directory, id, removed));
    return splitUnits(groupId, false, members, size);
  });
}

function renderUnit(directory: TenantDirectory, unit: GroupUnit, select: string[] | null): Item | null {
  const group = directory.groups.get(unit.groupId);
  if (!group) return null;
  const properties = (select ?? DEFAULT_GROUP_SELECT).filter((p) => p !== 'members');
  const item: Item = unit.withProperties ? renderGroup(group, properties) : { id: group.id };
  if (unit.members) item['members@delta'] = unit.members;
  return item;
}

/** Units from `offset` whose member entries fit in one page (at least one unit). */
function pageEnd(units: GroupUnit[], offset: number, size: number): number {
  let weight = 0;
  let end = offset;
  while (end < units.length) {
    const next = Math.max(1, units[end]?.members?.length ?? 0);
    if (end > offset && weight + next > size) break;
    weight += next;
    end++;
  }
  return end;
}

export function serveGroupsDelta(
  ctx: GraphContext,
  query: Record<string, string | undefined>,
  deps: GroupsDeltaDeps,
): DeltaPage {
  const directory = ctx.tenant.directory;
  const parsed = parseDeltaQuery(query, deps.codec, 'groups', 'group', ['members']);
  const pos = startOrResume(ctx, parsed, 'groups', directory.groupLog.length, deps);
  if (parsed.resume === 'latest') return deltaPage(ctx, 'groups', [], { delta: pos }, deps);
  const size = deps.faults.deltaPageSize;
  const end = pos.p === 'init' ? pos.s : (pos.e ?? directory.groupLog.length);
  const key = [
    ctx.tenant.tenantId,
    pos.p,
    pos.s,
    end,
    pos.ids?.join(',') ?? '*',
    pos.sel?.join(',') ?? '',
    size,
  ].join('|');
  const units = deps.rounds.get(key, () =>
    pos.p === 'init' ? initialUnits(directory, pos, size) : changeUnits(directory, pos, end, size),
  );
  const stop = pageEnd(units, pos.o, size);
  const page = units.slice(pos.o, stop);
  const replay = maybeReplay(pos.o, deps);
  if (replay !== null) page.push(units[replay] as GroupUnit);
  const value = page.map((u) => renderUnit(directory, u, pos.sel)).filter((i): i is Item => i !== null);
  if (stop < units.length)
    return deltaPage(ctx, 'groups', value, { next: { ...pos, e: end, o: stop } }, deps);
  const { e: _end, ...rest } = pos;
  return deltaPage(ctx, 'groups', value, { delta: { ...rest, p: 'changes', s: end, o: 0 } }, deps);
}
