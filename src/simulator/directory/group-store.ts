// Groups of one tenant with direct members (users or groups) and the reverse index a user's
// deletion needs to find the groups it leaves.
import type { SimGroup } from '../types.js';

export interface GroupStore {
  get(id: string): SimGroup | undefined;
  has(id: string): boolean;
  insert(group: SimGroup): void;
  /** Direct members in the order they were added. */
  members(groupId: string): ReadonlySet<string>;
  addMember(groupId: string, memberId: string): boolean;
  removeMember(groupId: string, memberId: string): boolean;
  groupsOf(memberId: string): string[];
  values(): IterableIterator<SimGroup>;
  readonly size: number;
}

export function createGroupStore(): GroupStore {
  const groups = new Map<string, SimGroup>();
  const membersByGroup = new Map<string, Set<string>>();
  const memberOf = new Map<string, Set<string>>();
  const EMPTY: ReadonlySet<string> = new Set();

  return {
    get: (id) => groups.get(id),
    has: (id) => groups.has(id),
    insert(group) {
      groups.set(group.id, Object.freeze(group));
      membersByGroup.set(group.id, new Set());
    },
    members: (groupId) => membersByGroup.get(groupId) ?? EMPTY,
    addMember(groupId, memberId) {
      const members = membersByGroup.get(groupId);
      if (!members || members.has(memberId)) return false;
      members.add(memberId);
      let of = memberOf.get(memberId);
      if (!of) memberOf.set(memberId, (of = new Set()));
      of.add(groupId);
      return true;
    },
    removeMember(groupId, memberId) {
      const members = membersByGroup.get(groupId);
      if (!members?.delete(memberId)) return false;
      const of = memberOf.get(memberId);
      of?.delete(groupId);
      if (of?.size === 0) memberOf.delete(memberId);
      return true;
    },
    groupsOf: (memberId) => [...(memberOf.get(memberId) ?? [])],
    values: () => groups.values(),
    get size() {
      return groups.size;
    },
  };
}
