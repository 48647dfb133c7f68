// The user properties the simulator tracks, as bits, so a change record can say "these fields
// changed" in one integer: a million change records stay small.
import type { SimUser } from '../types.js';

export const USER_FIELDS = [
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
] as const;

export type UserField = (typeof USER_FIELDS)[number];

export const MANAGER_BIT = 1 << USER_FIELDS.length;
export const ALL_FIELDS_MASK = (1 << USER_FIELDS.length) - 1;

const BIT_BY_FIELD = new Map<string, number>(USER_FIELDS.map((f, i) => [f, 1 << i]));

export function fieldBit(field: string): number {
  if (field === 'manager') return MANAGER_BIT;
  return BIT_BY_FIELD.get(field) ?? 0;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/** Bit mask of the fields (and manager) that differ between two versions of a user. */
export function diffUser(before: SimUser, after: SimUser): number {
  let mask = 0;
  for (let i = 0; i < USER_FIELDS.length; i++) {
    const field = USER_FIELDS[i] as UserField;
    if (!sameValue(before[field], after[field])) mask |= 1 << i;
  }
  if (before.managerId !== after.managerId) mask |= MANAGER_BIT;
  return mask;
}
