/**
 * The user profile as Leena AI receives it (contract.md), how it is read from Graph, and the
 * field-level difference between two profiles.
 */
import { isDeepStrictEqual } from 'node:util';

export const PROFILE_FIELDS = [
  'id',
  'userPrincipalName',
  'mail',
  'displayName',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'officeLocation',
  'employeeId',
  'mobilePhone',
  'businessPhones',
  'accountEnabled',
  'managerId',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export interface UserProfile {
  id: string;
  userPrincipalName: string | null;
  mail: string | null;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  employeeId: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  accountEnabled: boolean | null;
  managerId: string | null;
}

/** What we know of a user from Graph; fields may be missing until a full object was seen. */
export type PartialProfile = Partial<UserProfile> & { id: string };

/** Graph properties read for users (manager comes as manager@delta or an expanded manager). */
export const GRAPH_USER_SELECT = PROFILE_FIELDS.filter((f) => f !== 'managerId').join(',');

const GRAPH_TEXT_FIELDS = PROFILE_FIELDS.filter(
  (f) => f !== 'id' && f !== 'businessPhones' && f !== 'accountEnabled' && f !== 'managerId',
);

/** Reads the forwarded fields present on a Graph user object (delta item or list item). */
export function profileFromGraph(item: Record<string, unknown>): PartialProfile {
  const profile: PartialProfile = { id: String(item.id) };
  for (const field of GRAPH_TEXT_FIELDS) {
    if (field in item) profile[field] = typeof item[field] === 'string' ? (item[field] as string) : null;
  }
  if ('businessPhones' in item) {
    profile.businessPhones = Array.isArray(item.businessPhones)
      ? item.businessPhones.filter((p): p is string => typeof p === 'string')
      : [];
  }
  if ('accountEnabled' in item) profile.accountEnabled = typeof item.accountEnabled === 'boolean' ? item.accountEnabled : null;
  const managerDelta = item['manager@delta'];
  if (Array.isArray(managerDelta)) {
    const current = managerDelta.find((m) => m && typeof m === 'object' && !('@removed' in m)) as { id?: string } | undefined;
    profile.managerId = current?.id ?? null;
  }
  const manager = item.manager;
  if (manager !== undefined) profile.managerId = (manager as { id?: string } | null)?.id ?? null;
  return profile;
}

/** A full profile, or undefined when some field was never seen (a full read is needed). */
export function completeProfile(partial: PartialProfile): UserProfile | undefined {
  for (const field of PROFILE_FIELDS) if (!(field in partial)) return undefined;
  return partial as UserProfile;
}

export type ProfileChanges = Partial<Record<ProfileField, { old: unknown; new: unknown }>>;

/** Exactly the fields whose values differ. */
export function diffProfiles(before: UserProfile, after: UserProfile): ProfileChanges {
  const changes: ProfileChanges = {};
  for (const field of PROFILE_FIELDS) {
    if (!isDeepStrictEqual(before[field], after[field])) changes[field] = { old: before[field], new: after[field] };
  }
  return changes;
}

/** Normalises a stored profile (jsonb) to the contract shape: every field present, unknown as null. */
export function withAllFields(profile: PartialProfile): UserProfile {
  const full = { ...profile } as Record<string, unknown>;
  for (const field of PROFILE_FIELDS) if (!(field in full)) full[field] = field === 'businessPhones' ? [] : null;
  return full as unknown as UserProfile;
}
