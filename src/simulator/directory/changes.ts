// Change records: the append-only history that delta queries are served from, and the events
// that drive notifications. A record's sequence number is its position in the log plus one.
export type UserChangeKind = 'created' | 'updated' | 'softDeleted' | 'restored' | 'hardDeleted';

export interface UserChange {
  id: string;
  kind: UserChangeKind;
  /** Changed fields (see user-fields.ts); MANAGER_BIT when the manager changed. */
  mask: number;
  /** The manager before this change, when MANAGER_BIT is set. */
  oldManagerId: string | null;
}

/** One record for a whole seeding call: a million change objects would cost seconds of GC. */
export interface BulkCreated {
  kind: 'bulkCreated';
  ids: readonly string[];
}

export type UserLogRecord = UserChange | BulkCreated;

export type GroupChangeKind = 'created' | 'memberAdded' | 'memberRemoved';

export interface GroupChange {
  groupId: string;
  kind: GroupChangeKind;
  memberId: string | null;
}

/** What a mutation tells the notification fan-out. */
export interface DirectoryEvent {
  tenantId: string;
  target: 'user' | 'group';
  id: string;
  changeType: 'updated' | 'deleted';
  sequenceNumber: number;
  /** Group membership changes only. */
  member?: { id: string; type: 'user' | 'group'; removed: boolean };
}

export type DirectoryListener = (event: DirectoryEvent) => void;

/** Append-only log. Positions are stable forever, so a delta token can be a position. */
export class ChangeLog<T> {
  private readonly records: T[] = [];

  get length(): number {
    return this.records.length;
  }

  append(record: T): number {
    this.records.push(record);
    return this.records.length;
  }

  at(position: number): T | undefined {
    return this.records[position];
  }
}
