// Live subscriptions. Expiry is checked against the simulated clock on every read, so a
// subscription is gone the moment its expirationDateTime passes, with no timer to forget.
import type { SimClock } from '../core/clock.js';
import type { SimSubscription } from '../types.js';

export type ResourceTarget =
  | { kind: 'users' }
  | { kind: 'user'; id: string }
  | { kind: 'groups' }
  | { kind: 'group'; id: string }
  | { kind: 'groupMembers'; id: string };

export interface SubscriptionRecord {
  id: string;
  tenantId: string;
  applicationId: string;
  creatorId: string;
  resource: string;
  target: ResourceTarget;
  /** Normalised, e.g. 'updated,deleted'. */
  changeType: string;
  changeTypes: ReadonlySet<string>;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expiresAt: number;
  needsReauthorization: boolean;
}

export interface SubscriptionStore {
  add(record: SubscriptionRecord): void;
  /** Live subscription by id (expired ones are purged). */
  get(id: string): SubscriptionRecord | undefined;
  remove(id: string): boolean;
  liveForTenant(tenantId: string): SubscriptionRecord[];
  all(): SubscriptionRecord[];
}

export function createSubscriptionStore(clock: SimClock): SubscriptionStore {
  const byId = new Map<string, SubscriptionRecord>();

  function alive(record: SubscriptionRecord): boolean {
    if (record.expiresAt > clock.now()) return true;
    byId.delete(record.id);
    return false;
  }

  return {
    add: (record) => void byId.set(record.id, record),
    get(id) {
      const record = byId.get(id);
      return record && alive(record) ? record : undefined;
    },
    remove: (id) => byId.delete(id),
    liveForTenant: (tenantId) => [...byId.values()].filter((r) => r.tenantId === tenantId && alive(r)),
    all: () => [...byId.values()].filter(alive),
  };
}

/** Graph writes seven fractional digits. */
export function graphDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export function toSimSubscription(record: SubscriptionRecord): SimSubscription {
  return {
    id: record.id,
    tenantId: record.tenantId,
    applicationId: record.applicationId,
    resource: record.resource,
    changeType: record.changeType,
    notificationUrl: record.notificationUrl,
    lifecycleNotificationUrl: record.lifecycleNotificationUrl,
    clientState: record.clientState,
    expirationDateTime: graphDateTime(record.expiresAt),
    creatorId: record.creatorId,
    needsReauthorization: record.needsReauthorization,
  };
}
