// Counters a test or benchmark reads to see what the service did to "Graph".
export interface SimStats {
  requests: number;
  byRoute: Record<string, number>;
  throttled: number;
  notificationPosts: number;
  notificationsSent: number;
  notificationsLost: number;
  validationRequests: number;
  tokenRequests: number;
  resetStats(): void;
}

export function createStats(): SimStats {
  const stats: SimStats = {
    requests: 0,
    byRoute: {},
    throttled: 0,
    notificationPosts: 0,
    notificationsSent: 0,
    notificationsLost: 0,
    validationRequests: 0,
    tokenRequests: 0,
    resetStats() {
      stats.requests = 0;
      stats.byRoute = {};
      stats.throttled = 0;
      stats.notificationPosts = 0;
      stats.notificationsSent = 0;
      stats.notificationsLost = 0;
      stats.validationRequests = 0;
      stats.tokenRequests = 0;
    },
  };
  return stats;
}

/** A JSON-friendly copy for the state API. */
export function statsSnapshot(stats: SimStats): Omit<SimStats, 'resetStats'> {
  const { resetStats: _reset, ...rest } = stats;
  return { ...rest, byRoute: { ...rest.byRoute } };
}
