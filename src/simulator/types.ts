// Public types of the Graph / Entra simulator. Everything a test, demo or benchmark codes against
// lives here so the implementation files can change shape without breaking callers.
import type { FastifyBaseLogger } from 'fastify';
import type { SimFaults } from './core/faults.js';
import type { SimStats } from './core/stats.js';
import type { SimClock } from './core/clock.js';

export type { SimFaults, SimStats, SimClock };

/** The user as the simulator stores it. `managerId` is not a Graph property: Graph exposes it
 * through `/users/{id}/manager` and `manager@delta`. */
export interface SimUser {
  id: string;
  userPrincipalName: string;
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
  accountEnabled: boolean;
  managerId: string | null;
}

export interface SimGroup {
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  securityEnabled: boolean;
  mailEnabled: boolean;
}

export type SubscriptionChangeType = 'updated' | 'deleted';

export interface SimSubscription {
  id: string;
  tenantId: string;
  applicationId: string;
  /** As the client sent it (Graph echoes it unchanged). */
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  /** The real secret: Graph returns null in API responses but sends it in every notification. */
  clientState: string | null;
  expirationDateTime: string;
  creatorId: string;
  /** True after a `reauthorizationRequired` lifecycle event until reauthorize or renew. */
  needsReauthorization: boolean;
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface TenantInput {
  tenantId: string;
  displayName?: string;
  /** Verified domain used for generated userPrincipalNames; default derived from displayName. */
  domain?: string;
}

export interface AppInput {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Application permissions with admin consent. Default: the customer guide's grant. */
  roles?: string[];
  secretExpiresAt?: Date;
  tokenLifetimeSeconds?: number;
}

export interface SeedOptions {
  /** Same seed, same users (ids, names, managers). Default 1. */
  seed?: number;
  /** Fire change notifications for the created users. Default false: seeding is set-up. */
  notify?: boolean;
}

export interface GraphSimulatorOptions {
  host?: string;
  port?: number;
  /** A pino(-compatible) logger for the HTTP server; default false (silent). */
  logger?: false | FastifyBaseLogger;
  /** Random source for fault injection and replays; default Math.random. */
  random?: () => number;
}

export interface GraphSimulator {
  url: string;
  close(): Promise<void>;
  addTenant(t: TenantInput): void;
  addApp(a: AppInput): void;
  setAppRoles(tenantId: string, clientId: string, roles: string[]): void;
  createUser(tenantId: string, profile: Partial<SimUser>): SimUser;
  updateUser(tenantId: string, id: string, patch: Partial<SimUser>): SimUser;
  softDeleteUser(tenantId: string, id: string): void;
  restoreUser(tenantId: string, id: string): SimUser;
  hardDeleteUser(tenantId: string, id: string): void;
  setManager(tenantId: string, userId: string, managerId: string | null): void;
  createGroup(tenantId: string, g: { id?: string; displayName: string }): SimGroup;
  addMember(tenantId: string, groupId: string, memberId: string): void;
  removeMember(tenantId: string, groupId: string, memberId: string): void;
  listGroupMembers(tenantId: string, groupId: string): string[];
  getUser(tenantId: string, id: string): SimUser | undefined;
  listUsers(tenantId: string): SimUser[];
  seedUsers(tenantId: string, count: number, opts?: SeedOptions): SimUser[];
  listSubscriptions(tenantId?: string): SimSubscription[];
  deleteSubscriptionBehindTheBack(id: string): void;
  sendLifecycleEvent(subscriptionId: string, lifecycleEvent: LifecycleEvent): Promise<void>;
  faults: SimFaults;
  stats: SimStats;
  /** Simulated time (subscription expiry, delta token age). Access tokens use the real clock. */
  clock: SimClock;
  expireDeltaTokens(tenantId?: string): void;
  flushNotifications(): Promise<void>;
}
