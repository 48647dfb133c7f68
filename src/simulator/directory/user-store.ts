// Users of one tenant: O(1) lookup by id, plus an insertion-order list so pages can be served by
// position without copying the directory. Stored users are frozen and replaced on change, so the
// objects handed to callers are safe snapshots and never need copying.
import type { SimUser } from '../types.js';

export interface UserStore {
  /** Active (not deleted) users. */
  readonly size: number;
  get(id: string): SimUser | undefined;
  getSoftDeleted(id: string): SimUser | undefined;
  has(id: string): boolean;
  insert(user: SimUser): void;
  replace(user: SimUser): void;
  softDelete(id: string): SimUser;
  restore(id: string): SimUser;
  hardDelete(id: string): SimUser;
  /** Positions run 0..orderLength-1; a position may hold nobody (deleted). */
  readonly orderLength: number;
  atPosition(position: number): SimUser | undefined;
  values(): IterableIterator<SimUser>;
}

export function freezeUser(user: SimUser): SimUser {
  Object.freeze(user.businessPhones);
  return Object.freeze(user);
}

export function createUserStore(): UserStore {
  const active = new Map<string, SimUser>();
  const softDeleted = new Map<string, SimUser>();
  const order: string[] = [];
  // Only ids that were created again after a permanent delete: their older position is dead.
  const reinsertedAt = new Map<string, number>();
  const everUsed = new Set<string>();

  function requireActive(id: string): SimUser {
    const user = active.get(id);
    if (!user) throw new Error(`user ${id} is not active`);
    return user;
  }

  return {
    get size() {
      return active.size;
    },
    get: (id) => active.get(id),
    getSoftDeleted: (id) => softDeleted.get(id),
    has: (id) => active.has(id) || softDeleted.has(id),
    insert(user) {
      if (everUsed.size > 0 && everUsed.has(user.id)) reinsertedAt.set(user.id, order.length);
      active.set(user.id, freezeUser(user));
      order.push(user.id);
    },
    replace(user) {
      requireActive(user.id);
      active.set(user.id, freezeUser(user));
    },
    softDelete(id) {
      const user = requireActive(id);
      active.delete(id);
      softDeleted.set(id, user);
      return user;
    },
    restore(id) {
      const user = softDeleted.get(id);
      if (!user) throw new Error(`user ${id} is not soft deleted`);
      softDeleted.delete(id);
      active.set(id, user);
      return user;
    },
    hardDelete(id) {
      const user = active.get(id) ?? softDeleted.get(id);
      if (!user) throw new Error(`user ${id} does not exist`);
      active.delete(id);
      softDeleted.delete(id);
      everUsed.add(id);
      return user;
    },
    get orderLength() {
      return order.length;
    },
    atPosition(position) {
      const id = order[position];
      if (id === undefined) return undefined;
      const user = active.get(id);
      if (!user) return undefined;
      const reinserted = reinsertedAt.get(id);
      return reinserted === undefined || reinserted === position ? user : undefined;
    },
    values: () => active.values(),
  };
}
