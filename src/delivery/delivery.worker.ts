/**
 * Delivery to Leena AI on this replica (docs/delivery.md): a dispatcher per connection draining
 * the outbox into signed POSTs, woken by NOTIFY entra_sync_delivery (sent by whoever writes
 * outbox events, in the same transaction), and the backlog gauges. The dispatchers only read the
 * outbox, so a slow Leena AI never slows the webhook or the sync: the backlog absorbs it.
 */
import type { AppContext } from '../context.js';
import { CHANNELS, type Wakeups } from '../work/wakeups.js';
import type { WorkerLoop } from '../work/worker-loop.js';
import { startDeliveryGauges } from './delivery-gauges.js';
import { startDispatcherSet } from './dispatcher-set.js';
import { createLeenaClient } from './leena-client.js';

export function startDelivery(ctx: AppContext, wakeups: Wakeups): WorkerLoop[] {
  const { delivery } = ctx.config;
  const client = createLeenaClient({
    timeoutMs: delivery.timeoutMs,
    policy: { allowInsecureUrl: delivery.allowInsecureUrl, allowPrivateUrl: delivery.allowPrivateUrl },
  });
  const dispatchers = startDispatcherSet(ctx, client);
  wakeups.on(CHANNELS.delivery, (payload) => dispatchers.notify(payload));
  return [dispatchers.loop, startDeliveryGauges(ctx)];
}
