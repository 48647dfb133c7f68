// Graph's directory throttling: each app gets a budget of resource units per 10-second window in
// each tenant, sized by the tenant's user count. A request over budget gets 429 and the seconds
// left in the window as Retry-After.
import type { SimFaults } from '../core/faults.js';

const WINDOW_MS = 10_000;

export function budgetForTenantSize(userCount: number): number {
  if (userCount < 50) return 3_500;
  if (userCount <= 500) return 5_000;
  return 8_000;
}

/** Resource units for a directory read: lists cost more, `$select` takes one off (minimum 1). */
export function resourceUnitCost(baseCost: number, hasSelect: boolean): number {
  return Math.max(1, baseCost - (hasSelect ? 1 : 0));
}

export interface Throttle {
  /** Charges the cost; returns null when allowed, else the Retry-After seconds. */
  charge(tenantId: string, appId: string, cost: number, userCount: number): number | null;
}

export function createThrottle(faults: SimFaults): Throttle {
  const windows = new Map<string, { start: number; used: number }>();

  return {
    charge(tenantId, appId, cost, userCount) {
      if (!faults.throttlingEnabled) return null;
      const now = Date.now();
      const key = `${tenantId}\n${appId}`;
      let window = windows.get(key);
      if (!window || now - window.start >= WINDOW_MS) {
        window = { start: now, used: 0 };
        windows.set(key, window);
      }
      const budget = budgetForTenantSize(userCount) * faults.budgetMultiplier;
      if (window.used + cost > budget) return Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000));
      window.used += cost;
      return null;
    },
  };
}
