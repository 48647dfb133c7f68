// The state of one tenant's directory, shared by the user and group mutation modules. Every
// mutation goes through record*: the change lands in the delta log and, unless it is quiet
// seeding, becomes an event for the notification fan-out.
import type { Random } from '../core/random.js';
import { ChangeLog } from './changes.js';
import type { DirectoryListener, GroupChange, UserChange, UserLogRecord } from './changes.js';
import type { GroupStore } from './group-store.js';
import type { UserStore } from './user-store.js';

export interface DirectoryState {
  readonly tenantId: string;
  readonly domain: string;
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly userLog: ChangeLog<UserLogRecord>;
  readonly groupLog: ChangeLog<GroupChange>;
  /** Source for default profile values of createUser. */
  readonly random: Random;
  /** Next number for generated userPrincipalNames and employee ids. */
  serial: number;
  /** Groups a soft-deleted user belonged to; restore puts it back (as Entra does). */
  readonly deletedMemberships: Map<string, string[]>;
  recordUser(change: UserChange, notify: boolean): void;
  recordBulkCreated(ids: readonly string[], notify: boolean): void;
  recordGroup(change: GroupChange, notify: boolean): void;
}

export interface DirectoryStateDeps {
  tenantId: string;
  domain: string;
  users: UserStore;
  groups: GroupStore;
  random: Random;
  emit: DirectoryListener;
}

export function createDirectoryState(deps: DirectoryStateDeps): DirectoryState {
  const { tenantId, emit } = deps;
  const userLog = new ChangeLog<UserLogRecord>();
  const groupLog = new ChangeLog<GroupChange>();
  let sequence = 0;

  return {
    ...deps,
    userLog,
    groupLog,
    serial: 1,
    deletedMemberships: new Map(),
    recordUser(change, notify) {
      userLog.append(change);
      sequence++;
      if (!notify) return;
      const changeType = change.kind === 'hardDeleted' ? 'deleted' : 'updated';
      emit({ tenantId, target: 'user', id: change.id, changeType, sequenceNumber: sequence });
    },
    recordBulkCreated(ids, notify) {
      userLog.append({ kind: 'bulkCreated', ids });
      for (const id of ids) {
        sequence++;
        if (notify) emit({ tenantId, target: 'user', id, changeType: 'updated', sequenceNumber: sequence });
      }
    },
    recordGroup(change, notify) {
      groupLog.append(change);
      sequence++;
      if (!notify) return;
      const member = change.memberId
        ? {
            id: change.memberId,
            type: deps.groups.has(change.memberId) ? ('group' as const) : ('user' as const),
            removed: change.kind === 'memberRemoved',
          }
        : undefined;
      emit({
        tenantId,
        target: 'group',
        id: change.groupId,
        changeType: 'updated',
        sequenceNumber: sequence,
        ...(member ? { member } : {}),
      });
    },
  };
}
