// Builds stored users in one canonical property order (one hidden class for a million objects)
// and applies partial profiles the way a Graph PATCH would.
import type { SimUser } from '../types.js';

export function canonicalUser(u: SimUser): SimUser {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    mail: u.mail,
    displayName: u.displayName,
    givenName: u.givenName,
    surname: u.surname,
    jobTitle: u.jobTitle,
    department: u.department,
    officeLocation: u.officeLocation,
    employeeId: u.employeeId,
    mobilePhone: u.mobilePhone,
    businessPhones: [...u.businessPhones],
    accountEnabled: u.accountEnabled,
    managerId: u.managerId,
  };
}

/** Fields present in `patch` (even when null) replace those of `base`; absent ones are kept. */
export function applyPatch(base: SimUser, patch: Partial<SimUser>): SimUser {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined && key in base) merged[key] = value;
  }
  return canonicalUser(merged as unknown as SimUser);
}

const TEXT_FIELDS = [
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
  'managerId',
] as const;

/** A caller bug (wrong type) should fail loudly at the simulator, not leak into delta pages. */
export function checkProfileTypes(patch: Partial<SimUser>): string | null {
  for (const key of Object.keys(patch)) {
    if (
      key !== 'id' &&
      key !== 'businessPhones' &&
      key !== 'accountEnabled' &&
      !TEXT_FIELDS.includes(key as never)
    ) {
      return `unknown user property '${key}'`;
    }
  }
  for (const field of TEXT_FIELDS) {
    const value = patch[field];
    if (value !== undefined && value !== null && typeof value !== 'string')
      return `${field} must be a string or null`;
  }
  if (patch.userPrincipalName === null) return 'userPrincipalName cannot be null';
  if (patch.accountEnabled !== undefined && typeof patch.accountEnabled !== 'boolean') {
    return 'accountEnabled must be a boolean';
  }
  const phones = patch.businessPhones;
  if (phones !== undefined && !(Array.isArray(phones) && phones.every((p) => typeof p === 'string'))) {
    return 'businessPhones must be an array of strings';
  }
  return null;
}
