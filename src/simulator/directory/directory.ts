// One tenant's directory: users, groups, the change logs delta is served from, and the mutation
// methods the simulator's API exposes.
import type { SimGroup, SimUser } from '../types.js';
import { createSeededRandom } from '../core/random.js';
import type { DirectoryListener } from './changes.js';
import { createDirectoryState } from './directory-state.js';
import type { DirectoryState } from './directory-state.js';
import { createGroupStore } from './group-store.js';
import * as groupOps from './group-mutations.js';
import { seedProfiles } from './seed-data.js';
import * as userOps from './user-mutations.js';
import { createUserStore } from './user-store.js';

export interface TenantDirectory extends DirectoryState {
  /** Delta tokens issued under an older generation are dead (expireDeltaTokens). */
  deltaGeneration: number;
  expireDeltaTokens(): void;
  createUser(profile: Partial<SimUser>): SimUser;
  updateUser(id: string, patch: Partial<SimUser>): SimUser;
  setManager(userId: string, managerId: string | null): void;
  softDeleteUser(id: string): void;
  restoreUser(id: string): SimUser;
  hardDeleteUser(id: string): void;
  createGroup(input: { id?: string; displayName: string }): SimGroup;
  addMember(groupId: string, memberId: string): void;
  removeMember(groupId: string, memberId: string): void;
  seedUsers(count: number, opts: { seed: number; notify: boolean }): SimUser[];
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function createTenantDirectory(
  tenantId: string,
  domain: string,
  emit: DirectoryListener,
): TenantDirectory {
  const state = createDirectoryState({
    tenantId,
    domain,
    users: createUserStore(),
    groups: createGroupStore(),
    random: createSeededRandom(hashString(tenantId)),
    emit,
  });

  function seedUsers(count: number, opts: { seed: number; notify: boolean }): SimUser[] {
    // The tenant and position join the seed: object ids stay unique across tenants and calls.
    const random = createSeededRandom(hashString(`${opts.seed}:${tenantId}:${state.serial}`));
    const users = seedProfiles(random, count, state.serial, domain);
    state.serial += count;
    // seedProfiles already builds users in canonical property order; insert freezes them.
    // No collision check: 122 random bits per id, and the lookup would cost a second per million.
    for (const user of users) state.users.insert(user);
    state.recordBulkCreated(
      users.map((u) => u.id),
      opts.notify,
    );
    return users;
  }

  const directory: TenantDirectory = Object.assign(state, {
    deltaGeneration: 0,
    expireDeltaTokens() {
      directory.deltaGeneration++;
    },
    createUser: (profile: Partial<SimUser>) => userOps.createUser(state, profile),
    updateUser: (id: string, patch: Partial<SimUser>) => userOps.updateUser(state, id, patch),
    setManager: (userId: string, managerId: string | null) => userOps.setManager(state, userId, managerId),
    softDeleteUser: (id: string) => userOps.softDeleteUser(state, id),
    restoreUser: (id: string) => userOps.restoreUser(state, id),
    hardDeleteUser: (id: string) => userOps.hardDeleteUser(state, id),
    createGroup: (input: { id?: string; displayName: string }) => groupOps.createGroup(state, input),
    addMember: (groupId: string, memberId: string) => groupOps.addMember(state, groupId, memberId),
    removeMember: (groupId: string, memberId: string) => groupOps.removeMember(state, groupId, memberId),
    seedUsers,
  });
  return directory;
}
