/**
 * The application permissions actually granted (the token's `roles` claim, i.e. admin consent
 * given) against what the sync needs: User.Read.All always, GroupMember.Read.All when a group
 * limits the scope, Group.Read.All optionally (without it group changes are polled).
 */
import { rolesOf } from '../../graph/token-provider.js';
import { type Check, fail, pass, skip, warn } from './checklist.js';
import type { DoctorTarget } from './doctor-target.js';

/** Higher permissions cover lower ones (Graph's own rules). */
const IMPLIES: Record<string, readonly string[]> = {
  'Directory.ReadWrite.All': ['Directory.Read.All'],
  'Directory.Read.All': ['User.Read.All', 'Group.Read.All'],
  'User.ReadWrite.All': ['User.Read.All'],
  'Group.ReadWrite.All': ['Group.Read.All'],
  'Group.Read.All': ['GroupMember.Read.All'],
  'GroupMember.ReadWrite.All': ['GroupMember.Read.All'],
};

const HOW_TO_ADD = (permission: string) =>
  `API permissions → + Add a permission → Microsoft Graph → Application permissions → ${permission}, then "Grant admin consent" (a green tick under Status)`;

export interface Permissions {
  readonly roles: readonly string[];
  has(permission: string): boolean;
}

export function permissionsOf(accessToken: string): Permissions {
  const roles = rolesOf(accessToken);
  const effective = new Set<string>();
  const stack = [...roles];
  while (stack.length > 0) {
    const role = stack.pop()!;
    if (effective.has(role)) continue;
    effective.add(role);
    stack.push(...(IMPLIES[role] ?? []));
  }
  return { roles, has: (p) => effective.has(p) };
}

export function permissionChecks(t: DoctorTarget, p: Permissions): Check[] {
  const checks: Check[] = [];
  if (p.roles.length === 0) {
    checks.push(
      fail(
        'the token carries no application permissions: admin consent was not granted',
        HOW_TO_ADD('User.Read.All and GroupMember.Read.All'),
      ),
    );
  } else {
    checks.push(pass(`granted: ${p.roles.join(', ')}`));
  }
  checks.push(
    p.has('User.Read.All')
      ? pass('User.Read.All: users can be read (required)')
      : fail('User.Read.All is missing: the sync cannot read users', HOW_TO_ADD('User.Read.All')),
  );
  checks.push(...groupPermissionChecks(t, p));
  return checks;
}

function groupPermissionChecks(t: DoctorTarget, p: Permissions): Check[] {
  if (!t.groupId) {
    return [
      p.has('GroupMember.Read.All')
        ? pass('GroupMember.Read.All: granted (needed only when a group limits the sync)')
        : skip('GroupMember.Read.All: not needed, no group is set (the whole tenant is synced)'),
    ];
  }
  const member = p.has('GroupMember.Read.All')
    ? pass('GroupMember.Read.All: group members can be read (required with a group)')
    : fail(
        'GroupMember.Read.All is missing: the members of the group cannot be read, so nobody would be synced',
        HOW_TO_ADD('GroupMember.Read.All'),
      );
  const seconds = t.settings.groupPollSeconds;
  const group = p.has('Group.Read.All')
    ? pass('Group.Read.All: group changes arrive as notifications within seconds (optional)')
    : warn(
        `Group.Read.All is not granted (optional): Graph refuses the groups subscription, so group membership is polled every ${seconds} s (GROUP_POLL_SECONDS) instead`,
        `nothing to do if a delay of up to ${seconds} s for joiners and leavers is fine; otherwise ${HOW_TO_ADD('Group.Read.All')}`,
      );
  return [member, group];
}
