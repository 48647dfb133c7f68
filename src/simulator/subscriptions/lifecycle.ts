// Lifecycle notifications to lifecycleNotificationUrl, and what they mean for the subscription:
// reauthorizationRequired pauses delivery until reauthorize/renew; subscriptionRemoved ends it.
import { invalidInput, notFound } from '../errors.js';
import type { Notifier } from '../notifications/notifier.js';
import type { LifecycleEvent } from '../types.js';
import type { SubscriptionStore } from './subscription-store.js';
import { graphDateTime } from './subscription-store.js';

const EVENTS: readonly LifecycleEvent[] = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'];

export async function sendLifecycleEvent(
  deps: { store: SubscriptionStore; notifier: Notifier },
  subscriptionId: string,
  lifecycleEvent: LifecycleEvent,
): Promise<void> {
  if (!EVENTS.includes(lifecycleEvent))
    throw invalidInput(`lifecycleEvent must be one of ${EVENTS.join(', ')}`);
  const sub = deps.store.get(subscriptionId);
  if (!sub) throw notFound(`subscription ${subscriptionId}`);
  const url = sub.lifecycleNotificationUrl;
  if (!url)
    throw invalidInput(
      `subscription ${subscriptionId} has no lifecycleNotificationUrl: Graph would not send it`,
    );
  const item = {
    subscriptionId: sub.id,
    subscriptionExpirationDateTime: graphDateTime(sub.expiresAt),
    tenantId: sub.tenantId,
    clientState: sub.clientState,
    lifecycleEvent,
  };
  if (lifecycleEvent === 'reauthorizationRequired') sub.needsReauthorization = true;
  if (lifecycleEvent === 'subscriptionRemoved') deps.store.remove(sub.id);
  await deps.notifier.deliver(url, [item]);
}
