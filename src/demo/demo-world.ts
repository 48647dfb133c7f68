/**
 * The made-up tenant of `npm run demo`: a few hundred people with realistic names, titles,
 * departments and managers, a pilot group with a nested team, and a steady trickle of the
 * changes a real directory sees (hires, promotions, moves, leavers, group moves).
 */
import type { GraphSimulator } from '../simulator/graph-simulator.js';

export interface DemoTenant {
  readonly tenantId: string;
  readonly pilotGroupId: string;
}

const TITLES = ['Senior Engineer', 'Product Manager', 'Account Executive', 'HR Business Partner', 'Data Analyst', 'Team Lead', 'Designer'];
const DEPARTMENTS = ['Engineering', 'Sales', 'People', 'Finance', 'Marketing', 'Operations'];
const OFFICES = ['Bengaluru', 'London', 'New York', 'Berlin', 'Remote'];
const FIRST = ['Asha', 'Ben', 'Chen', 'Dara', 'Elif', 'Farah', 'Gus', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lena', 'Mateo', 'Nia'];
const LAST = ['Rao', 'Okafor', 'Schmidt', 'Tanaka', 'Silva', 'Kowalski', 'Haddad', 'Nguyen', 'Murphy', 'Jensen'];

export function buildDemoTenant(sim: GraphSimulator, tenantId: string, users: number): DemoTenant {
  const seeded = sim.seedUsers(tenantId, users, { seed: 42 });
  const pilot = sim.createGroup(tenantId, { displayName: 'Leena AI Pilot' });
  const team = sim.createGroup(tenantId, { displayName: 'Pilot - People team' });
  seeded.slice(0, 40).forEach((u) => sim.addMember(tenantId, pilot.id, u.id));
  seeded.slice(40, 55).forEach((u) => sim.addMember(tenantId, team.id, u.id));
  sim.addMember(tenantId, pilot.id, team.id);
  return { tenantId, pilotGroupId: pilot.id };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** One random change of the kind a directory sees every day; returns what it did, for the console. */
export function randomChange(sim: GraphSimulator, tenant: DemoTenant): string {
  const users = sim.listUsers(tenant.tenantId);
  // Mostly people in the synced pilot group, so that most changes are visible in Leena AI.
  const pilot = sim
    .listGroupMembers(tenant.tenantId, tenant.pilotGroupId)
    .map((id) => sim.getUser(tenant.tenantId, id))
    .filter((u) => u !== undefined);
  const someone = pilot.length > 0 && Math.random() < 0.75 ? pick(pilot) : pick(users);
  const roll = Math.random();
  if (roll < 0.15) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const hire = sim.createUser(tenant.tenantId, {
      displayName: `${first} ${last}`,
      givenName: first,
      surname: last,
      jobTitle: pick(TITLES),
      department: pick(DEPARTMENTS),
      officeLocation: pick(OFFICES),
      managerId: someone.id,
    });
    return `hired ${hire.displayName}`;
  }
  if (roll < 0.5) {
    const jobTitle = pick(TITLES);
    sim.updateUser(tenant.tenantId, someone.id, { jobTitle });
    return `${someone.displayName} is now ${jobTitle}`;
  }
  if (roll < 0.7) {
    const officeLocation = pick(OFFICES);
    sim.updateUser(tenant.tenantId, someone.id, { officeLocation, department: pick(DEPARTMENTS) });
    return `${someone.displayName} moved to ${officeLocation}`;
  }
  if (roll < 0.8) {
    sim.softDeleteUser(tenant.tenantId, someone.id);
    return `${someone.displayName} left (soft-deleted)`;
  }
  if (roll < 0.9) {
    const members = new Set(sim.listGroupMembers(tenant.tenantId, tenant.pilotGroupId));
    if (members.has(someone.id)) {
      sim.removeMember(tenant.tenantId, tenant.pilotGroupId, someone.id);
      return `${someone.displayName} left the pilot group`;
    }
    sim.addMember(tenant.tenantId, tenant.pilotGroupId, someone.id);
    return `${someone.displayName} joined the pilot group`;
  }
  sim.updateUser(tenant.tenantId, someone.id, { mobilePhone: `+1 555 0${Math.floor(100 + Math.random() * 899)}` });
  return `${someone.displayName} changed phone number`;
}
