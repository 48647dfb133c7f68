// What Graph returns for users and groups: default property sets, `$select` parsing (property
// names are case-insensitive, unknown ones are a 400 like Graph's) and rendering.
import type { SimGroup, SimUser } from '../types.js';
import { badRequest } from './graph-errors.js';

export const USER_TYPE = '#microsoft.graph.user';
export const GROUP_TYPE = '#microsoft.graph.group';

const TRACKED_USER_PROPERTIES = [
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
] as const;

/** Real properties the simulator does not model: selectable, always null (or empty). */
const UNTRACKED_USER_PROPERTIES: Record<string, unknown> = {
  preferredLanguage: null,
  userType: 'Member',
  companyName: null,
  city: null,
  country: null,
  state: null,
  streetAddress: null,
  postalCode: null,
  usageLocation: null,
  employeeType: null,
  employeeHireDate: null,
  createdDateTime: null,
  onPremisesImmutableId: null,
  onPremisesSyncEnabled: null,
  faxNumber: null,
  otherMails: [],
  proxyAddresses: [],
  ageGroup: null,
  deletedDateTime: null,
  mailNickname: null,
};

export const DEFAULT_USER_SELECT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

const GROUP_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'mailNickname',
  'securityEnabled',
  'mailEnabled',
  'groupTypes',
  'mail',
  'createdDateTime',
  'visibility',
] as const;

export const DEFAULT_GROUP_SELECT = [...GROUP_PROPERTIES];

function catalogue(names: readonly string[]): Map<string, string> {
  return new Map(names.map((n) => [n.toLowerCase(), n]));
}

const USER_CATALOGUE = catalogue([...TRACKED_USER_PROPERTIES, ...Object.keys(UNTRACKED_USER_PROPERTIES)]);
const GROUP_CATALOGUE = catalogue(GROUP_PROPERTIES);

export type SelectTarget = 'user' | 'group' | 'directoryObject';

/**
 * Parses `$select`. Navigation properties (`manager`, `members`) are kept when `navigation`
 * allows them (delta), dropped otherwise. Returns null when absent (default property set).
 */
export function parseSelect(
  raw: string | undefined,
  target: SelectTarget,
  navigation: string[] = [],
): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    const lower = name.toLowerCase();
    const nav = navigation.find((n) => n.toLowerCase() === lower);
    const known =
      nav ??
      (target !== 'group' ? USER_CATALOGUE.get(lower) : undefined) ??
      (target !== 'user' ? GROUP_CATALOGUE.get(lower) : undefined);
    if (!known) {
      const type =
        target === 'directoryObject' ? 'microsoft.graph.directoryObject' : `microsoft.graph.${target}`;
      throw badRequest(
        `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${type}'.`,
      );
    }
    if (!out.includes(known)) out.push(known);
  }
  if (!out.includes('id')) out.push('id');
  return out;
}

export function renderUser(user: SimUser, select: readonly string[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of select ?? DEFAULT_USER_SELECT) {
    if (name in UNTRACKED_USER_PROPERTIES) out[name] = UNTRACKED_USER_PROPERTIES[name];
    else if (name === 'businessPhones') out[name] = [...user.businessPhones];
    else if (name in user && name !== 'managerId') out[name] = user[name as keyof SimUser];
  }
  return out;
}

export function renderGroup(group: SimGroup, select: readonly string[] | null): Record<string, unknown> {
  const full: Record<string, unknown> = {
    ...group,
    groupTypes: [],
    mail: null,
    createdDateTime: null,
    visibility: null,
  };
  const out: Record<string, unknown> = {};
  for (const name of select ?? DEFAULT_GROUP_SELECT) if (name in full) out[name] = full[name];
  return out;
}
