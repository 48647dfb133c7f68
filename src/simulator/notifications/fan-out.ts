// Turns directory events into notification items for every live subscription that matches,
// shaped exactly like Graph's (resource 'Users/{id}', resourceData with organizationId...).
import type { SimFaults } from '../core/faults.js';
import type { SimStats } from '../core/stats.js';
import type { DirectoryEvent } from '../directory/changes.js';
import type { SubscriptionRecord, SubscriptionStore } from '../subscriptions/subscription-store.js';
import { graphDateTime } from '../subscriptions/subscription-store.js';
import type { Notifier } from './notifier.js';

export interface FanOutDeps {
  store: SubscriptionStore;
  notifier: Notifier;
  faults: SimFaults;
  stats: SimStats;
}

function matches(sub: SubscriptionRecord, event: DirectoryEvent): boolean {
  if (!sub.changeTypes.has(event.changeType)) return false;
  const target = sub.target;
  if (event.target === 'user') {
    return (
      target.kind === 'users' ||
      (target.kind === 'user' && target.id.toLowerCase() === event.id.toLowerCase())
    );
  }
  if (target.kind === 'groups') return true;
  if (target.kind === 'group') return target.id.toLowerCase() === event.id.toLowerCase();
  if (target.kind === 'groupMembers')
    return event.member !== undefined && target.id.toLowerCase() === event.id.toLowerCase();
  return false;
}

export function notificationItem(sub: SubscriptionRecord, event: DirectoryEvent, faults: SimFaults): object {
  const isUser = event.target === 'user';
  const path = `${isUser ? 'Users' : 'Groups'}/${event.id}`;
  const resourceData: Record<string, unknown> = {
    '@odata.type': isUser ? '#Microsoft.Graph.User' : '#Microsoft.Graph.Group',
    '@odata.id': path,
    id: event.id,
    organizationId: event.tenantId,
    sequenceNumber: event.sequenceNumber,
  };
  if (!isUser && event.member && faults.groupNotificationsIncludeMembers) {
    const member: Record<string, unknown> = { id: event.member.id };
    if (event.member.removed) member['@removed'] = { reason: 'deleted' };
    resourceData['members@delta'] = [member];
  }
  return {
    subscriptionId: sub.id,
    subscriptionExpirationDateTime: graphDateTime(sub.expiresAt),
    changeType: event.changeType,
    resource: path,
    resourceData,
    clientState: sub.clientState,
    tenantId: event.tenantId,
  };
}

export function createFanOut(deps: FanOutDeps): (event: DirectoryEvent) => void {
  return (event) => {
    const { faults, stats } = deps;
    if (!faults.notificationsEnabled) return;
    for (const sub of deps.store.liveForTenant(event.tenantId)) {
      if (!matches(sub, event)) continue;
      // Suppressed, or paused until the app reauthorizes: Graph drops these for good.
      if (faults.suppressNotifications || (sub.needsReauthorization && faults.pauseUntilReauthorized)) {
        stats.notificationsLost++;
        continue;
      }
      deps.notifier.enqueue(sub.notificationUrl, notificationItem(sub, event, faults));
    }
  };
}
