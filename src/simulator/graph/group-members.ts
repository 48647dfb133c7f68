// Direct and transitive members of a group. Transitive walks nested groups breadth first,
// survives cycles and lists each object once.
import type { TenantDirectory } from '../directory/directory.js';

export type MemberKind = 'members' | 'transitiveMembers';
export type MemberCast = 'user' | 'group' | null;

export function listMemberIds(
  directory: TenantDirectory,
  groupId: string,
  kind: MemberKind,
  cast: MemberCast,
): string[] {
  const { groups } = directory;
  const ids = kind === 'members' ? [...groups.members(groupId)] : transitive(directory, groupId);
  if (cast === null) return ids;
  return ids.filter((id) => (cast === 'group') === groups.has(id));
}

function transitive(directory: TenantDirectory, groupId: string): string[] {
  const seen = new Set<string>([groupId]);
  const out: string[] = [];
  const queue = [groupId];
  for (let i = 0; i < queue.length; i++) {
    for (const member of directory.groups.members(queue[i] as string)) {
      if (seen.has(member)) continue;
      seen.add(member);
      out.push(member);
      if (directory.groups.has(member)) queue.push(member);
    }
  }
  return out;
}
