// Group creation and direct membership changes. Members are active users or other groups
// (nesting); every change is one log record so groups/delta can replay it.
import { randomUUID } from 'node:crypto';
import { invalidInput, notFound, SimError } from '../errors.js';
import type { SimGroup } from '../types.js';
import type { DirectoryState } from './directory-state.js';

export function createGroup(state: DirectoryState, input: { id?: string; displayName: string }): SimGroup {
  if (typeof input.displayName !== 'string' || input.displayName === '') {
    throw invalidInput('a group needs a displayName');
  }
  const id = input.id ?? randomUUID();
  if (state.groups.has(id) || state.users.has(id))
    throw new SimError('conflict', `object ${id} already exists`);
  const group: SimGroup = {
    id,
    displayName: input.displayName,
    description: null,
    mailNickname: input.displayName.toLowerCase().replace(/[^a-z0-9]/g, '') || 'group',
    securityEnabled: true,
    mailEnabled: false,
  };
  state.groups.insert(group);
  state.recordGroup({ groupId: id, kind: 'created', memberId: null }, true);
  return state.groups.get(id) ?? group;
}

/** Adds without checks; used by addMember and by restoring a user. */
export function addMembership(state: DirectoryState, groupId: string, memberId: string): void {
  if (state.groups.addMember(groupId, memberId)) {
    state.recordGroup({ groupId, kind: 'memberAdded', memberId }, true);
  }
}

export function removeMembership(state: DirectoryState, groupId: string, memberId: string): void {
  if (state.groups.removeMember(groupId, memberId)) {
    state.recordGroup({ groupId, kind: 'memberRemoved', memberId }, true);
  }
}

/** Adding an existing member is a no-op (Graph answers 400; the simulator's caller is a test). */
export function addMember(state: DirectoryState, groupId: string, memberId: string): void {
  if (!state.groups.has(groupId)) throw notFound(`group ${groupId} in tenant ${state.tenantId}`);
  if (memberId === groupId) throw invalidInput('a group cannot be a member of itself');
  if (!state.users.get(memberId) && !state.groups.has(memberId)) {
    throw notFound(`user or group ${memberId} in tenant ${state.tenantId}`);
  }
  addMembership(state, groupId, memberId);
}

export function removeMember(state: DirectoryState, groupId: string, memberId: string): void {
  if (!state.groups.has(groupId)) throw notFound(`group ${groupId} in tenant ${state.tenantId}`);
  if (!state.groups.members(groupId).has(memberId)) {
    throw notFound(`member ${memberId} of group ${groupId}`);
  }
  removeMembership(state, groupId, memberId);
}
