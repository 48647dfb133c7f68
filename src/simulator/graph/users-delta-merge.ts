// Folds the change records of one delta window into one entry per user, in the order users first
// changed: what Graph's "merged per object" delta pages are made of.
import type { ChangeLog, UserChange, UserLogRecord } from '../directory/changes.js';
import { MANAGER_BIT } from '../directory/user-fields.js';

export interface MergedUserChange {
  id: string;
  /** Created or restored in the window: send the whole object. */
  full: boolean;
  /** Changed fields (without the manager bit). */
  mask: number;
  removed: 'changed' | 'deleted' | null;
  managerChanged: boolean;
  /** The manager before the window's first manager change. */
  managerBefore: string | null;
}

function apply(entry: MergedUserChange, change: UserChange): void {
  switch (change.kind) {
    case 'created':
    case 'restored':
      entry.full = true;
      entry.removed = null;
      break;
    case 'softDeleted':
      entry.removed = 'changed';
      break;
    case 'hardDeleted':
      entry.removed = 'deleted';
      break;
    case 'updated':
      break;
  }
  entry.mask |= change.mask & ~MANAGER_BIT;
  if (change.mask & MANAGER_BIT && !entry.managerChanged) {
    entry.managerChanged = true;
    entry.managerBefore = change.kind === 'updated' ? change.oldManagerId : null;
  }
}

const CREATED: UserChange = { id: '', kind: 'created', mask: 0, oldManagerId: null };

export function mergeUserChanges(
  log: ChangeLog<UserLogRecord>,
  from: number,
  to: number,
  ids: ReadonlySet<string> | null,
): MergedUserChange[] {
  const merged = new Map<string, MergedUserChange>();
  const add = (id: string, change: UserChange) => {
    if (ids && !ids.has(id)) return;
    let entry = merged.get(id);
    if (!entry) {
      entry = { id, full: false, mask: 0, removed: null, managerChanged: false, managerBefore: null };
      merged.set(id, entry);
    }
    apply(entry, change);
  };
  for (let position = from; position < to; position++) {
    const record = log.at(position);
    if (!record) continue;
    if (record.kind === 'bulkCreated') for (const id of record.ids) add(id, CREATED);
    else add(record.id, record);
  }
  return [...merged.values()];
}
