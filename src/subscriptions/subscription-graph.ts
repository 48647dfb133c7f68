/** The Graph calls behind a subscription: create (with the validation handshake), renew, reauthorize, delete. */
import { randomBytes } from 'node:crypto';
import type { GraphApi } from '../graph/graph-api.js';
import { GraphRequestError } from '../graph/graph-errors.js';

export interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  expirationDateTime: string;
}

export interface SubscriptionTarget {
  readonly kind: 'users' | 'groups';
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  readonly lifetimeMinutes: number;
}

/** Subscribing to users needs User.Read.All; to groups, Group.Read.All (GroupMember.Read.All is not enough). */
export function permissionFor(kind: 'users' | 'groups'): string {
  return kind === 'users' ? 'User.Read.All' : 'Group.Read.All';
}

export function newClientState(): string {
  // 64 characters: well inside Graph's 128-character limit, 384 bits of randomness.
  return randomBytes(48).toString('base64url');
}

export async function createGraphSubscription(
  graph: GraphApi,
  target: SubscriptionTarget,
  clientState: string,
): Promise<GraphSubscription> {
  const body = {
    changeType: 'updated,deleted',
    notificationUrl: target.notificationUrl,
    lifecycleNotificationUrl: target.lifecycleNotificationUrl,
    resource: target.kind,
    expirationDateTime: expiry(target.lifetimeMinutes),
    clientState,
  };
  const op = { operation: `POST /subscriptions (${target.kind})`, permission: permissionFor(target.kind) };
  try {
    return await graph.post<GraphSubscription>('/subscriptions', body, op);
  } catch (error) {
    if (!(error instanceof GraphRequestError) || error.code !== 'conflict') throw error;
    // Ours from an earlier attempt whose answer was lost (crash between Graph and our commit):
    // we no longer know its clientState, so replace it.
    await deleteOrphans(graph, target);
    return graph.post<GraphSubscription>('/subscriptions', body, op);
  }
}

async function deleteOrphans(graph: GraphApi, target: SubscriptionTarget): Promise<void> {
  let url: string | undefined = '/subscriptions';
  while (url) {
    const page: { value?: GraphSubscription[]; '@odata.nextLink'?: string } = await graph.get(url, {
      operation: 'GET /subscriptions',
    });
    for (const s of page.value ?? []) {
      if (s.resource.replace(/^\//, '').toLowerCase() === target.kind && s.notificationUrl === target.notificationUrl) {
        await deleteGraphSubscription(graph, s.id);
      }
    }
    url = page['@odata.nextLink'];
  }
}

export async function renewGraphSubscription(graph: GraphApi, id: string, lifetimeMinutes: number): Promise<GraphSubscription> {
  return graph.patch<GraphSubscription>(
    `/subscriptions/${encodeURIComponent(id)}`,
    { expirationDateTime: expiry(lifetimeMinutes) },
    { operation: 'PATCH /subscriptions/{id}' },
  );
}

export async function reauthorizeGraphSubscription(graph: GraphApi, id: string): Promise<void> {
  await graph.post(`/subscriptions/${encodeURIComponent(id)}/reauthorize`, {}, { operation: 'POST /subscriptions/{id}/reauthorize' });
}

export async function getGraphSubscription(graph: GraphApi, id: string): Promise<GraphSubscription> {
  return graph.get<GraphSubscription>(`/subscriptions/${encodeURIComponent(id)}`, { operation: 'GET /subscriptions/{id}' });
}

export async function deleteGraphSubscription(graph: GraphApi, id: string): Promise<void> {
  try {
    await graph.delete(`/subscriptions/${encodeURIComponent(id)}`, { operation: 'DELETE /subscriptions/{id}' });
  } catch (error) {
    if (!(error instanceof GraphRequestError && error.code === 'not_found')) throw error;
  }
}

function expiry(lifetimeMinutes: number): string {
  return new Date(Date.now() + lifetimeMinutes * 60_000).toISOString();
}
