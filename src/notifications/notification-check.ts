/**
 * The checks every notification item must pass (graph-notes.md "Security"): the subscription is
 * ours, the clientState matches its secret (constant time), the tenant matches the connection,
 * and the resource names a user or group. Failing items are dropped, never answered differently.
 */
import { timingSafeEqual } from 'node:crypto';
import { fingerprint } from '../crypto/secret-box.js';
import type { KnownSubscription } from './subscription-directory.js';

export type DropReason =
  | 'malformed_item'
  | 'unknown_subscription'
  | 'client_state_mismatch'
  | 'tenant_mismatch'
  | 'unexpected_resource';

export interface AcceptedItem {
  readonly connectionId: string;
  readonly subscriptionRowId: string;
  readonly changeType: string;
  readonly resource: string;
  readonly lifecycleEvent: string | null;
}

export type CheckResult = { ok: true; item: AcceptedItem } | { ok: false; reason: DropReason };

const RESOURCE = /^\/?(users|groups)\/([0-9a-z-]{1,64})(\/members)?$/i;
const MAX_TEXT = 512;

/** Graph subscription ids are GUIDs; anything else (say, a NUL byte) never reaches the lookup query. */
const SUBSCRIPTION_ID = /^[A-Za-z0-9-]{1,128}$/;
/** Lifecycle events are camelCase words (reauthorizationRequired, subscriptionRemoved, missed). */
const LIFECYCLE_EVENT = /^[A-Za-z]{1,64}$/;

export function subscriptionIdOf(item: unknown): string | undefined {
  const id = (item as { subscriptionId?: unknown } | null)?.subscriptionId;
  return typeof id === 'string' && SUBSCRIPTION_ID.test(id) ? id : undefined;
}

export function checkItem(raw: unknown, known: KnownSubscription | undefined, lifecycle: boolean): CheckResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'malformed_item' };
  const item = raw as Record<string, unknown>;
  if (!known) return { ok: false, reason: 'unknown_subscription' };
  if (!clientStateMatches(item.clientState, known.clientStateHash)) return { ok: false, reason: 'client_state_mismatch' };
  const data = (item.resourceData ?? {}) as Record<string, unknown>;
  const tenant = text(item.tenantId) ?? text(data.organizationId);
  if (!tenant || tenant.toLowerCase() !== known.tenantId.toLowerCase()) return { ok: false, reason: 'tenant_mismatch' };
  if (lifecycle) {
    const event = text(item.lifecycleEvent);
    if (!event || !LIFECYCLE_EVENT.test(event)) return { ok: false, reason: 'malformed_item' };
    return { ok: true, item: accepted(known, 'lifecycle', '', event) };
  }
  const resource = text(item.resource);
  const match = resource ? RESOURCE.exec(resource) : null;
  if (!match || match[1]!.toLowerCase() !== known.kind) return { ok: false, reason: 'unexpected_resource' };
  const changeType = text(item.changeType);
  if (changeType !== 'updated' && changeType !== 'deleted') return { ok: false, reason: 'malformed_item' };
  return { ok: true, item: accepted(known, changeType, `${known.kind}/${match[2]!.toLowerCase()}`, null) };
}

function accepted(known: KnownSubscription, changeType: string, resource: string, lifecycleEvent: string | null): AcceptedItem {
  return { connectionId: known.connectionId, subscriptionRowId: known.subscriptionRowId, changeType, resource, lifecycleEvent };
}

function clientStateMatches(value: unknown, expectedHash: Buffer): boolean {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) return false;
  // Hashes have equal length, so the comparison time says nothing about the secret.
  return timingSafeEqual(fingerprint(value), expectedHash);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT ? value : undefined;
}
