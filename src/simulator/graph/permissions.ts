// Application permissions and what they imply: a higher permission covers the lower ones, so
// an app holding Directory.Read.All passes every read check.
const IMPLIES: Record<string, string[]> = {
  'Directory.ReadWrite.All': ['Directory.Read.All'],
  'Directory.Read.All': ['User.Read.All', 'Group.Read.All'],
  'User.ReadWrite.All': ['User.Read.All'],
  'User.Read.All': ['User.ReadBasic.All'],
  'Group.ReadWrite.All': ['Group.Read.All'],
  'Group.Read.All': ['GroupMember.Read.All'],
  'GroupMember.ReadWrite.All': ['GroupMember.Read.All'],
  'GroupMember.Read.All': ['GroupMember.ReadBasic.All'],
};

/** The roles of a token plus everything they imply. */
export function effectivePermissions(roles: readonly string[]): ReadonlySet<string> {
  const granted = new Set<string>();
  const stack = [...roles];
  while (stack.length > 0) {
    const role = stack.pop() as string;
    if (granted.has(role)) continue;
    granted.add(role);
    stack.push(...(IMPLIES[role] ?? []));
  }
  return granted;
}

/** True when any of the alternatives is granted. */
export function hasAnyPermission(granted: ReadonlySet<string>, anyOf: readonly string[]): boolean {
  return anyOf.some((p) => granted.has(p));
}
