// User mutations with Entra's side effects: deleting a user drops its group memberships
// (restored with the user) and a permanently deleted manager disappears from its reports.
import { randomUUID } from 'node:crypto';
import { invalidInput, notFound, SimError } from '../errors.js';
import type { SimUser } from '../types.js';
import type { DirectoryState } from './directory-state.js';
import { addMembership, removeMembership } from './group-mutations.js';
import { makeProfile } from './seed-data.js';
import { ALL_FIELDS_MASK, MANAGER_BIT, diffUser } from './user-fields.js';
import { applyPatch, checkProfileTypes } from './user-record.js';

function requireActive(state: DirectoryState, id: string): SimUser {
  const user = state.users.get(id);
  if (!user) throw notFound(`user ${id} in tenant ${state.tenantId}`);
  return user;
}

function checkManager(state: DirectoryState, userId: string, managerId: string | null | undefined): void {
  if (managerId === undefined || managerId === null) return;
  if (managerId === userId) throw invalidInput('a user cannot be its own manager');
  requireActive(state, managerId);
}

export function createUser(state: DirectoryState, profile: Partial<SimUser>): SimUser {
  const problem = checkProfileTypes(profile);
  if (problem) throw invalidInput(problem);
  const id = profile.id ?? randomUUID();
  if (state.users.has(id)) throw new SimError('conflict', `user ${id} already exists`);
  checkManager(state, id, profile.managerId);
  const defaults = makeProfile(state.random, id, state.serial++, state.domain);
  if (profile.userPrincipalName && profile.mail === undefined) defaults.mail = profile.userPrincipalName;
  const user = applyPatch(defaults, { ...profile, id });
  if (profile.displayName === undefined && (profile.givenName || profile.surname)) {
    user.displayName = [user.givenName, user.surname].filter(Boolean).join(' ');
  }
  state.users.insert(user);
  const mask = ALL_FIELDS_MASK | (user.managerId ? MANAGER_BIT : 0);
  state.recordUser({ id, kind: 'created', mask, oldManagerId: null }, true);
  return user;
}

export function updateUser(state: DirectoryState, id: string, patch: Partial<SimUser>): SimUser {
  const problem = checkProfileTypes(patch);
  if (problem) throw invalidInput(problem);
  if (patch.id !== undefined && patch.id !== id) throw invalidInput('the id of a user cannot change');
  const before = requireActive(state, id);
  checkManager(state, id, patch.managerId);
  const after = applyPatch(before, patch);
  const mask = diffUser(before, after);
  if (mask === 0) return before;
  state.users.replace(after);
  state.recordUser({ id, kind: 'updated', mask, oldManagerId: before.managerId }, true);
  return after;
}

export function softDeleteUser(state: DirectoryState, id: string): void {
  requireActive(state, id);
  const groups = state.groups.groupsOf(id);
  for (const groupId of groups) removeMembership(state, groupId, id);
  if (groups.length > 0) state.deletedMemberships.set(id, groups);
  state.users.softDelete(id);
  state.recordUser({ id, kind: 'softDeleted', mask: 0, oldManagerId: null }, true);
}

export function restoreUser(state: DirectoryState, id: string): SimUser {
  if (!state.users.getSoftDeleted(id)) throw notFound(`deleted user ${id} in tenant ${state.tenantId}`);
  const user = state.users.restore(id);
  const mask = ALL_FIELDS_MASK | (user.managerId ? MANAGER_BIT : 0);
  state.recordUser({ id, kind: 'restored', mask, oldManagerId: null }, true);
  for (const groupId of state.deletedMemberships.get(id) ?? []) {
    if (state.groups.has(groupId)) addMembership(state, groupId, id);
  }
  state.deletedMemberships.delete(id);
  return user;
}

/** Entra deletes permanently from the deleted items; an active user is soft deleted first. */
export function hardDeleteUser(state: DirectoryState, id: string): void {
  if (state.users.get(id)) softDeleteUser(state, id);
  if (!state.users.getSoftDeleted(id)) throw notFound(`user ${id} in tenant ${state.tenantId}`);
  state.users.hardDelete(id);
  state.deletedMemberships.delete(id);
  state.recordUser({ id, kind: 'hardDeleted', mask: 0, oldManagerId: null }, true);
  // A linear scan: permanent deletes are rare and a reverse index would cost memory per user.
  for (const user of [...state.users.values()]) {
    if (user.managerId === id) updateUser(state, user.id, { managerId: null });
  }
}

export function setManager(state: DirectoryState, userId: string, managerId: string | null): void {
  updateUser(state, userId, { managerId });
}
