// Simulated time. Subscription expiry and delta-token age follow this clock so a test can jump
// eight days ahead without waiting; access tokens and timers stay on real time because clients
// (msal-node's cache, setTimeout) cannot be moved along with it.
export interface SimClock {
  now(): number;
  advance(ms: number): void;
}

export function createSimClock(): SimClock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('clock.advance expects a non-negative number');
      offsetMs += ms;
    },
  };
}
