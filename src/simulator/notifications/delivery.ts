// One notification POST and its fate: 2xx delivered; 429, 5xx or connection error worth a
// retry; no answer within the timeout is 'slow' (also retried); any other answer drops the batch.
import type { SimFaults } from '../core/faults.js';
import type { SimStats } from '../core/stats.js';

export type PostOutcome = 'delivered' | 'retry' | 'drop' | 'closed' | 'slow';

export async function postNotification(
  url: string,
  body: string,
  deps: { faults: SimFaults; stats: SimStats; signal: AbortSignal },
): Promise<PostOutcome> {
  if (deps.signal.aborted) return 'closed';
  deps.stats.notificationPosts++;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: AbortSignal.any([deps.signal, AbortSignal.timeout(deps.faults.notificationTimeoutMs)]),
    });
    // Drain the body so the keep-alive connection goes back to the pool.
    await response.arrayBuffer();
    if (response.status >= 200 && response.status < 300) return 'delivered';
    if (response.status === 429 || response.status >= 500) return 'retry';
    return 'drop';
  } catch (err) {
    if (deps.signal.aborted) return 'closed';
    return (err as Error).name === 'TimeoutError' ? 'slow' : 'retry';
  }
}
