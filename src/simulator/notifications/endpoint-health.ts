// Graph's slow-endpoint policy: when more than 15% of a notification URL's requests in the last
// 10 minutes were slow (over the timeout), Graph drops its notifications for 10 minutes, for good.
// (The milder "over 10%: delivery delayed" tier is not modelled.)
import type { SimFaults } from '../core/faults.js';

const DROP_RATIO = 0.15;
const MIN_SAMPLES = 10;

export interface EndpointHealth {
  record(url: string, slow: boolean): void;
  /** True while Graph would drop everything for this URL. */
  isDropping(url: string): boolean;
}

export function createEndpointHealth(faults: SimFaults): EndpointHealth {
  const samples = new Map<string, Array<{ at: number; slow: boolean }>>();
  const droppingUntil = new Map<string, number>();

  function recent(url: string, now: number): Array<{ at: number; slow: boolean }> {
    const list = (samples.get(url) ?? []).filter((s) => now - s.at < faults.slowEndpointWindowMs);
    samples.set(url, list);
    return list;
  }

  return {
    record(url, slow) {
      const now = Date.now();
      recent(url, now).push({ at: now, slow });
    },
    isDropping(url) {
      if (!faults.slowEndpointPolicy) return false;
      const now = Date.now();
      if ((droppingUntil.get(url) ?? 0) > now) return true;
      const list = recent(url, now);
      const slow = list.filter((s) => s.slow).length;
      if (list.length < MIN_SAMPLES || slow / list.length <= DROP_RATIO) return false;
      droppingUntil.set(url, now + faults.slowEndpointWindowMs);
      samples.set(url, []);
      return true;
    },
  };
}
