// Graph's rules for users and groups subscriptions: supported resources and change types, https
// endpoints, lifetime limits (too long: 400; too short: silently raised), clientState length.
import type { SimFaults } from '../core/faults.js';
import { GraphHttpError } from '../graph/graph-errors.js';
import type { ResourceTarget } from './subscription-store.js';

export const MAX_LIFETIME_MINUTES = 41_760;
export const MAX_CLIENT_STATE_LENGTH = 128;

const invalid = (message: string): GraphHttpError => new GraphHttpError(400, 'InvalidRequest', message);

export function parseResource(resource: unknown): ResourceTarget {
  if (typeof resource !== 'string' || resource.trim() === '')
    throw invalid("The 'resource' property is required.");
  if (resource.includes('?'))
    throw invalid(`Query options are not supported on subscription resource '${resource}'.`);
  const parts = resource.trim().replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  const [collection, id, tail] = [parts[0]?.toLowerCase(), parts[1], parts[2]?.toLowerCase()];
  if (parts.length === 1 && collection === 'users') return { kind: 'users' };
  if (parts.length === 1 && collection === 'groups') return { kind: 'groups' };
  if (parts.length === 2 && id && collection === 'users') return { kind: 'user', id };
  if (parts.length === 2 && id && collection === 'groups') return { kind: 'group', id };
  if (parts.length === 3 && id && collection === 'groups' && tail === 'members')
    return { kind: 'groupMembers', id };
  throw invalid(`Resource '${resource}' is not supported for subscriptions.`);
}

/** `text` as sent (trimmed), `key` order-free for duplicate detection. */
export function parseChangeType(
  changeType: unknown,
  resource: string,
): { text: string; key: string; set: Set<string> } {
  if (typeof changeType !== 'string' || changeType.trim() === '')
    throw invalid("The 'changeType' property is required.");
  const types = changeType.split(',').map((t) => t.trim());
  for (const type of types) {
    if (type !== 'updated' && type !== 'deleted') {
      throw invalid(
        `ChangeType '${type}' is not supported for resource '${resource}'. Supported: updated, deleted.`,
      );
    }
  }
  const set = new Set(types);
  return { text: types.join(','), key: [...set].sort().join(','), set };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function checkEndpoint(value: unknown, property: string, faults: SimFaults): string {
  if (typeof value !== 'string' || value === '') throw invalid(`The '${property}' property is required.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`The ${property} '${value}' is not an absolute URL.`);
  }
  if (url.protocol === 'https:') return value;
  if (url.protocol === 'http:' && faults.allowHttpLoopback && LOOPBACK.has(url.hostname)) return value;
  throw invalid(`The ${property} must use https: '${value}'.`);
}

export function checkClientState(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid("The 'clientState' property must be a string.");
  if (value.length > MAX_CLIENT_STATE_LENGTH) {
    throw invalid(
      `The clientState is ${value.length} characters long; at most ${MAX_CLIENT_STATE_LENGTH} are allowed.`,
    );
  }
  return value;
}

/** The expiry Graph will keep: over the maximum is refused, under the minimum is raised. */
export function checkExpiration(value: unknown, now: number, faults: SimFaults): number {
  if (typeof value !== 'string' || value === '')
    throw invalid("The 'expirationDateTime' property is required.");
  const requested = Date.parse(value);
  if (Number.isNaN(requested)) throw invalid(`expirationDateTime '${value}' is not a valid date.`);
  if (requested > now + MAX_LIFETIME_MINUTES * 60_000) {
    throw invalid(`Subscription expiration can only be ${MAX_LIFETIME_MINUTES} minutes in the future.`);
  }
  return Math.max(requested, now + faults.minLifetimeMinutes * 60_000);
}

export function resourceKey(target: ResourceTarget): string {
  return 'id' in target ? `${target.kind}/${target.id.toLowerCase()}` : target.kind;
}

export function isGroupTarget(target: ResourceTarget): boolean {
  return target.kind === 'groups' || target.kind === 'group' || target.kind === 'groupMembers';
}

/** Graph wraps a subscription permission failure in its extension error. */
export function subscriptionForbidden(
  operation: 'Create' | 'Update' | 'Reauthorize',
  reason = 'Unauthorized',
): GraphHttpError {
  return new GraphHttpError(
    403,
    'ExtensionError',
    `Operation: ${operation}; Exception: [Status Code: Forbidden; Reason: ${reason}]`,
  );
}
