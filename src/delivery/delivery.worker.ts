/** Delivery to Leena AI (issue 4): being built; starts no loops yet. */
import type { AppContext } from '../context.js';
import type { Wakeups } from '../work/wakeups.js';
import type { WorkerLoop } from '../work/worker-loop.js';

export function startDelivery(_ctx: AppContext, _wakeups: Wakeups): WorkerLoop[] {
  return [];
}
