// Realistic made-up profiles. Bulk seeding builds a manager tree (fan-out 7) in which reports
// mostly share their manager's department, deterministic for a given seed.
import type { Random } from '../core/random.js';
import { flatten, pick, seededUuid } from '../core/random.js';
import type { SimUser } from '../types.js';
import { DEPARTMENTS, GIVEN_NAMES, MANAGER_TITLES, OFFICES, STAFF_TITLES, SURNAMES } from './names.js';

const FAN_OUT = 7;

const localParts = new Map<string, string>();

/** 'Siobhán' -> 'siobhan', "O'Brien" -> 'obrien' (cached: the lists are short, users are many). */
function asciiLocalPart(text: string): string {
  let part = localParts.get(text);
  if (part === undefined) {
    part = text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
    localParts.set(text, part);
  }
  return part;
}

const POWERS = [1, 10, 100, 1000, 10000, 100000];

function digits(random: Random, count: number): string {
  const power = POWERS[count] ?? 10;
  return String(power + Math.floor(random() * power)).slice(1);
}

/** One plausible person. `serial` keeps userPrincipalName unique within the tenant. */
export function makeProfile(random: Random, id: string, serial: number, domain: string): SimUser {
  const givenName = pick(random, GIVEN_NAMES);
  const surname = pick(random, SURNAMES);
  const upn = flatten(`${asciiLocalPart(givenName)}.${asciiLocalPart(surname)}${serial}@${domain}`);
  return {
    id,
    userPrincipalName: upn,
    mail: upn,
    displayName: `${givenName} ${surname}`,
    givenName,
    surname,
    jobTitle: pick(random, STAFF_TITLES),
    department: pick(random, DEPARTMENTS),
    officeLocation: pick(random, OFFICES),
    employeeId: `E${String(serial).padStart(7, '0')}`,
    mobilePhone: random() < 0.8 ? flatten(`+1 555 01${digits(random, 2)} ${digits(random, 4)}`) : null,
    businessPhones: random() < 0.9 ? [flatten(`+1 425 555 ${digits(random, 4)}`)] : [],
    accountEnabled: random() < 0.97,
    managerId: null,
  };
}

/** `count` users forming a manager tree; `firstSerial` continues the tenant's numbering. */
export function seedProfiles(random: Random, count: number, firstSerial: number, domain: string): SimUser[] {
  const users: SimUser[] = new Array<SimUser>(count);
  for (let k = 0; k < count; k++) {
    // Fields are set in place, not spread: spreading a million objects doubles the seeding time.
    const user = makeProfile(random, seededUuid(random), firstSerial + k, domain);
    const manager = k === 0 ? undefined : users[Math.floor((k - 1) / FAN_OUT)];
    if (manager) {
      user.managerId = manager.id;
      if (random() < 0.9) user.department = manager.department;
    }
    if (k * FAN_OUT + 1 < count) user.jobTitle = pick(random, MANAGER_TITLES);
    users[k] = user;
  }
  return users;
}
