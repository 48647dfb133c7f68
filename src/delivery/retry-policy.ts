/**
 * When to try a failed batch again, and when to give up. Exponential backoff with full jitter
 * (a random delay between 0 and the exponential cap) spreads the retries of many batches after
 * an outage instead of sending them all back at the same instant; a Retry-After from Leena AI
 * wins over it, and we never come back earlier than it asks.
 */

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Delay before attempt `failedAttempt + 1`: uniform in [0, min(max, base * 2^(failedAttempt-1))]. */
export function backoffDelayMs(
  failedAttempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failedAttempt - 1, 0), 52);
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.floor(random() * cap);
}

/**
 * Retry-After as milliseconds from `now`: delta-seconds ("120") or an HTTP date. Undefined when
 * absent or unreadable; 0 for a date in the past.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The delay to use: what Leena AI asked for if it did, otherwise the jittered backoff. */
export function retryDelayMs(
  failedAttempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions,
): number {
  return retryAfterMs ?? backoffDelayMs(failedAttempt, options);
}

/** True once a batch has been retried for the whole window since its first attempt. */
export function retriesExhausted(
  firstAttemptAt: Date,
  maxRetryHours: number,
  now: number = Date.now(),
): boolean {
  return now - firstAttemptAt.getTime() >= maxRetryHours * 3_600_000;
}

export type StatusClass = 'delivered' | 'retry' | 'reject';

/**
 * 2xx accepts the whole batch. 429, 5xx and 408 (the server's own timeout) are retried; so is a
 * 3xx, which is never followed (it could point anywhere) and usually means a wrong URL that an
 * operator will fix. Every other 4xx refuses the batch for good.
 */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 429 || status === 408 || status >= 500 || (status >= 300 && status < 400)) return 'retry';
  return 'reject';
}
