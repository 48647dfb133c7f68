// Create, renew, reauthorize and delete, in the order Graph checks things: body rules, then
// permission, then duplicates and quotas, then the validation handshake, and only then 201.
import { randomUUID } from 'node:crypto';
import type { SimClock } from '../core/clock.js';
import type { SimFaults } from '../core/faults.js';
import type { SimStats } from '../core/stats.js';
import { GraphHttpError } from '../graph/graph-errors.js';
import type { GraphContext } from '../graph/graph-route.js';
import { hasAnyPermission } from '../graph/permissions.js';
import { runHandshake } from './handshake.js';
import * as rules from './subscription-rules.js';
import type { ResourceTarget, SubscriptionRecord, SubscriptionStore } from './subscription-store.js';

export interface SubscriptionServiceDeps {
  store: SubscriptionStore;
  faults: SimFaults;
  clock: SimClock;
  stats: SimStats;
  /** Aborted on close: pending handshakes stop. */
  signal: AbortSignal;
}

type Body = Record<string, unknown>;

const USERS_PERMISSION = ['User.Read.All'];
const GROUPS_PERMISSION = ['Group.Read.All'];

export function requireSubscriptionPermission(
  ctx: GraphContext,
  target: ResourceTarget,
  operation: 'Create' | 'Update' | 'Reauthorize',
): void {
  const needed = rules.isGroupTarget(target) ? GROUPS_PERMISSION : USERS_PERMISSION;
  if (!hasAnyPermission(ctx.permissions, needed)) throw rules.subscriptionForbidden(operation);
}

function checkTargetExists(ctx: GraphContext, target: ResourceTarget): void {
  const { users, groups } = ctx.tenant.directory;
  if (target.kind === 'user' && !users.get(target.id))
    throw new GraphHttpError(404, 'ResourceNotFound', `User '${target.id}' was not found.`);
  if ((target.kind === 'group' || target.kind === 'groupMembers') && !groups.has(target.id)) {
    throw new GraphHttpError(404, 'ResourceNotFound', `Group '${target.id}' was not found.`);
  }
}

function checkConflictAndQuota(
  deps: SubscriptionServiceDeps,
  ctx: GraphContext,
  target: ResourceTarget,
  key: string,
): void {
  const live = deps.store.liveForTenant(ctx.tenant.tenantId);
  const mine = live.filter((s) => s.applicationId === ctx.appId);
  const resource = rules.resourceKey(target);
  if (
    mine.some((s) => rules.resourceKey(s.target) === resource && [...s.changeTypes].sort().join(',') === key)
  ) {
    throw new GraphHttpError(
      409,
      'Conflict',
      'A subscription with the same changeType and resource already exists for this application.',
    );
  }
  const { maxSubscriptionsPerAppPerTenant: perApp, maxSubscriptionsPerTenant: perTenant } = deps.faults;
  if (mine.length >= perApp) {
    throw rules.subscriptionForbidden(
      'Create',
      `Subscription limit reached: at most ${perApp} subscriptions per application per tenant`,
    );
  }
  if (live.length >= perTenant) {
    throw rules.subscriptionForbidden(
      'Create',
      `Subscription limit reached: at most ${perTenant} subscriptions per tenant`,
    );
  }
}

async function validateEndpoint(deps: SubscriptionServiceDeps, url: string): Promise<void> {
  const failure = await runHandshake(url, {
    timeoutMs: deps.faults.validationTimeoutMs,
    signal: deps.signal,
    stats: deps.stats,
  });
  if (failure === null) return;
  throw new GraphHttpError(
    400,
    'ValidationError',
    'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
  );
}

export async function createSubscription(
  deps: SubscriptionServiceDeps,
  ctx: GraphContext,
  body: Body,
): Promise<SubscriptionRecord> {
  const target = rules.parseResource(body.resource);
  const changeType = rules.parseChangeType(body.changeType, String(body.resource));
  const notificationUrl = rules.checkEndpoint(body.notificationUrl, 'notificationUrl', deps.faults);
  const lifecycleUrl =
    body.lifecycleNotificationUrl == null
      ? null
      : rules.checkEndpoint(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl', deps.faults);
  const clientState = rules.checkClientState(body.clientState);
  const expiresAt = rules.checkExpiration(body.expirationDateTime, deps.clock.now(), deps.faults);
  requireSubscriptionPermission(ctx, target, 'Create');
  checkTargetExists(ctx, target);
  checkConflictAndQuota(deps, ctx, target, changeType.key);
  await validateEndpoint(deps, notificationUrl);
  if (lifecycleUrl) await validateEndpoint(deps, lifecycleUrl);
  // Checked again: another create may have won while the handshakes ran.
  checkConflictAndQuota(deps, ctx, target, changeType.key);
  const record: SubscriptionRecord = {
    id: randomUUID(),
    tenantId: ctx.tenant.tenantId,
    applicationId: ctx.appId,
    creatorId: ctx.tenant.apps.get(ctx.appId.toLowerCase())?.servicePrincipalId ?? ctx.appId,
    resource: String(body.resource),
    target,
    changeType: changeType.text,
    changeTypes: changeType.set,
    notificationUrl,
    lifecycleNotificationUrl: lifecycleUrl,
    clientState,
    expiresAt,
    needsReauthorization: false,
  };
  deps.store.add(record);
  return record;
}

/** The caller's own live subscription, or Graph's 404. */
export function ownedSubscription(
  deps: SubscriptionServiceDeps,
  ctx: GraphContext,
  id: string,
): SubscriptionRecord {
  const record = deps.store.get(id);
  if (!record || record.tenantId !== ctx.tenant.tenantId || record.applicationId !== ctx.appId) {
    throw new GraphHttpError(404, 'ResourceNotFound', `The subscription '${id}' was not found.`);
  }
  return record;
}

const RENEWABLE = new Set(['expirationDateTime', 'notificationUrl', 'lifecycleNotificationUrl']);

export async function renewSubscription(
  deps: SubscriptionServiceDeps,
  ctx: GraphContext,
  id: string,
  body: Body,
): Promise<SubscriptionRecord> {
  const record = ownedSubscription(deps, ctx, id);
  requireSubscriptionPermission(ctx, record.target, 'Update');
  for (const key of Object.keys(body)) {
    if (!RENEWABLE.has(key))
      throw new GraphHttpError(400, 'InvalidRequest', `The property '${key}' cannot be updated.`);
  }
  if (
    'lifecycleNotificationUrl' in body &&
    body.lifecycleNotificationUrl !== record.lifecycleNotificationUrl
  ) {
    throw new GraphHttpError(
      400,
      'InvalidRequest',
      'lifecycleNotificationUrl cannot be added or changed on an existing subscription; delete it and create a new one.',
    );
  }
  const expiresAt =
    body.expirationDateTime === undefined
      ? record.expiresAt
      : rules.checkExpiration(body.expirationDateTime, deps.clock.now(), deps.faults);
  const url =
    body.notificationUrl === undefined
      ? record.notificationUrl
      : rules.checkEndpoint(body.notificationUrl, 'notificationUrl', deps.faults);
  if (url !== record.notificationUrl || deps.faults.validateOnRenew) await validateEndpoint(deps, url);
  const current = ownedSubscription(deps, ctx, id);
  current.expiresAt = expiresAt;
  current.notificationUrl = url;
  current.needsReauthorization = false;
  return current;
}

export function reauthorizeSubscription(deps: SubscriptionServiceDeps, ctx: GraphContext, id: string): void {
  const record = ownedSubscription(deps, ctx, id);
  requireSubscriptionPermission(ctx, record.target, 'Reauthorize');
  record.needsReauthorization = false;
}
