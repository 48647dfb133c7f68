// Mutable knobs that make the simulator behave like a bad day at Microsoft. Defaults model the
// documented normal behaviour; every knob can be changed at run time (tests, PATCH /_sim/faults).
import { z } from 'zod';

export interface SimFaults {
  /** Token endpoint answers 404 `{}`: msal-node then yields an empty token without error. */
  tokenEndpointNotFound: boolean;
  /** Per-app resource-unit budgets (3,500/5,000/8,000 per 10 s). Default true. */
  throttlingEnabled: boolean;
  /** Multiplies the budgets, for benchmarks that must not measure Graph's limits. Default 1. */
  budgetMultiplier: number;
  /** Probability (0..1) of a random 429 on any Graph call. Default 0. */
  throttleRate: number;
  /** Retry-After (seconds) sent with random 429s. Default 1. */
  retryAfterSeconds: number;
  /** Probability (0..1) of a random 503 without Retry-After. Default 0. */
  unavailableRate: number;
  /** Added to every Graph response (outer request of a $batch only). Default 0. */
  latencyMs: number;
  /** Items per delta page. Default 200 (reported, not documented). */
  deltaPageSize: number;
  /** Updated objects in delta carry every selected property instead of only the changed ones. */
  deltaFullObjects: boolean;
  /** Probability (0..1) that a later delta page repeats an item from an earlier page. */
  deltaReplayRate: number;
  /** How a dead delta token is reported: 400 syncStateNotFound, or 410 with Location. */
  deltaResetStyle: 'syncStateNotFound' | 'gone';
  /** Accept http:// notification URLs on loopback hosts. Default true. */
  allowHttpLoopback: boolean;
  /** Shorter subscription lifetimes are silently raised to this. Default 45. */
  minLifetimeMinutes: number;
  /** Graph's subscription quotas: 100 per app per tenant, 1,000 per tenant. Lower them only to
   * test quota handling without creating a thousand subscriptions. */
  maxSubscriptionsPerAppPerTenant: number;
  maxSubscriptionsPerTenant: number;
  /** Validation handshake deadline. Default 10,000. */
  validationTimeoutMs: number;
  /** Re-run the validation handshake on PATCH renew (UNSETTLED in Graph). Default false. */
  validateOnRenew: boolean;
  /** After reauthorizationRequired, drop notifications until reauthorize/renew. Default true. */
  pauseUntilReauthorized: boolean;
  /** Generate notifications at all. Default true. */
  notificationsEnabled: boolean;
  /** Generate notifications but drop them (counted as lost). Default false. */
  suppressNotifications: boolean;
  /** Delay before the first POST of a batch. Default 0. */
  notificationDelayMs: number;
  /** Items queued for one URL within this window go in one POST. Default 10. */
  notificationBatchWindowMs: number;
  /** Maximum items per POST. Default 100. */
  maxNotificationBatch: number;
  /** A POST not answered within this is a failure (retried). Default 10,000. */
  notificationTimeoutMs: number;
  /** First retry delay; doubles per attempt. Default 1,000. */
  notificationRetryBaseMs: number;
  /** Retries stop this long after the first attempt; the items are lost. Default 4 h. */
  notificationGiveUpMs: number;
  /** Over 15% slow answers (beyond notificationTimeoutMs) within the window: Graph drops the
   * URL's notifications for one window. Default true. */
  slowEndpointPolicy: boolean;
  /** Measurement window and drop duration of that policy. Default 10 minutes. */
  slowEndpointWindowMs: number;
  /** Each POST is sent this many times (Graph is observed to duplicate). Default 1. */
  notificationDuplicates: number;
  /** Group notifications carry `members@delta` in resourceData (UNSETTLED shape). Default false. */
  groupNotificationsIncludeMembers: boolean;
}

export function createDefaultFaults(): SimFaults {
  return {
    tokenEndpointNotFound: false,
    throttlingEnabled: true,
    budgetMultiplier: 1,
    throttleRate: 0,
    retryAfterSeconds: 1,
    unavailableRate: 0,
    latencyMs: 0,
    deltaPageSize: 200,
    deltaFullObjects: false,
    deltaReplayRate: 0,
    deltaResetStyle: 'syncStateNotFound',
    allowHttpLoopback: true,
    minLifetimeMinutes: 45,
    maxSubscriptionsPerAppPerTenant: 100,
    maxSubscriptionsPerTenant: 1_000,
    validationTimeoutMs: 10_000,
    validateOnRenew: false,
    pauseUntilReauthorized: true,
    notificationsEnabled: true,
    suppressNotifications: false,
    notificationDelayMs: 0,
    notificationBatchWindowMs: 10,
    maxNotificationBatch: 100,
    notificationTimeoutMs: 10_000,
    notificationRetryBaseMs: 1_000,
    notificationGiveUpMs: 4 * 60 * 60 * 1000,
    slowEndpointPolicy: true,
    slowEndpointWindowMs: 10 * 60 * 1000,
    notificationDuplicates: 1,
    groupNotificationsIncludeMembers: false,
  };
}

const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0);

export const faultsPatchSchema = z
  .object({
    tokenEndpointNotFound: z.boolean(),
    throttlingEnabled: z.boolean(),
    budgetMultiplier: z.number().positive(),
    throttleRate: rate,
    retryAfterSeconds: z.number().int().min(0),
    unavailableRate: rate,
    latencyMs: ms,
    deltaPageSize: z.number().int().min(1).max(10_000),
    deltaFullObjects: z.boolean(),
    deltaReplayRate: rate,
    deltaResetStyle: z.enum(['syncStateNotFound', 'gone']),
    allowHttpLoopback: z.boolean(),
    minLifetimeMinutes: ms,
    maxSubscriptionsPerAppPerTenant: z.number().int().min(0),
    maxSubscriptionsPerTenant: z.number().int().min(0),
    validationTimeoutMs: ms,
    validateOnRenew: z.boolean(),
    pauseUntilReauthorized: z.boolean(),
    notificationsEnabled: z.boolean(),
    suppressNotifications: z.boolean(),
    notificationDelayMs: ms,
    notificationBatchWindowMs: ms,
    maxNotificationBatch: z.number().int().min(1),
    notificationTimeoutMs: ms,
    notificationRetryBaseMs: ms,
    notificationGiveUpMs: ms,
    slowEndpointPolicy: z.boolean(),
    slowEndpointWindowMs: z.number().int().min(1),
    notificationDuplicates: z.number().int().min(1).max(10),
    groupNotificationsIncludeMembers: z.boolean(),
  })
  .partial()
  .strict();

export type FaultsPatch = z.infer<typeof faultsPatchSchema>;
