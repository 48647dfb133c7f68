// /v1.0/subscriptions: create (201 after the handshake), list (the caller's own), get, renew by
// PATCH, delete, reauthorize. Responses look like Graph's, clientState included as null.
import type { SubscriptionRecord } from '../subscriptions/subscription-store.js';
import { graphDateTime } from '../subscriptions/subscription-store.js';
import type { SubscriptionServiceDeps } from '../subscriptions/subscription-service.js';
import * as service from '../subscriptions/subscription-service.js';
import { badRequest } from './graph-errors.js';
import type { GraphRouter } from './graph-route.js';
import { decodePageToken, encodePageToken, graphLink } from './paging.js';

type Query = Record<string, string | undefined>;
const PAGE_SIZE = 100;

export function renderSubscription(record: SubscriptionRecord): Record<string, unknown> {
  return {
    id: record.id,
    resource: record.resource,
    applicationId: record.applicationId,
    changeType: record.changeType,
    // Graph never echoes the secret back.
    clientState: null,
    notificationUrl: record.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: record.lifecycleNotificationUrl,
    expirationDateTime: graphDateTime(record.expiresAt),
    creatorId: record.creatorId,
    includeResourceData: null,
    latestSupportedTlsVersion: 'v1_2',
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
    notificationContentType: 'application/json',
  };
}

function jsonBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

export function registerSubscriptionRoutes(route: GraphRouter, deps: SubscriptionServiceDeps): void {
  route({
    method: 'POST',
    url: '/v1.0/subscriptions',
    handler: async (ctx, req, reply) => {
      const record = await service.createSubscription(deps, ctx, jsonBody(req.body));
      reply.code(201);
      return {
        '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#subscriptions/$entity`,
        ...renderSubscription(record),
      };
    },
  });

  route<{ Querystring: Query }>({
    method: 'GET',
    url: '/v1.0/subscriptions',
    handler: async (ctx, req) => {
      const mine = deps.store.liveForTenant(ctx.tenant.tenantId).filter((s) => s.applicationId === ctx.appId);
      const offset = req.query.$skiptoken ? decodePageToken<{ o: number }>(req.query.$skiptoken).o : 0;
      const body: Record<string, unknown> = {
        '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#subscriptions`,
      };
      if (offset + PAGE_SIZE < mine.length) {
        body['@odata.nextLink'] = graphLink(ctx.baseUrl, '/v1.0/subscriptions', req.query, {
          $skiptoken: encodePageToken({ o: offset + PAGE_SIZE }),
        });
      }
      body.value = mine.slice(offset, offset + PAGE_SIZE).map(renderSubscription);
      return body;
    },
  });

  route<{ Params: { id: string } }>({
    method: 'GET',
    url: '/v1.0/subscriptions/:id',
    handler: async (ctx, req) => ({
      '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#subscriptions/$entity`,
      ...renderSubscription(service.ownedSubscription(deps, ctx, req.params.id)),
    }),
  });

  route<{ Params: { id: string } }>({
    method: 'PATCH',
    url: '/v1.0/subscriptions/:id',
    handler: async (ctx, req) => {
      const record = await service.renewSubscription(deps, ctx, req.params.id, jsonBody(req.body));
      return {
        '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#subscriptions/$entity`,
        ...renderSubscription(record),
      };
    },
  });

  route<{ Params: { id: string } }>({
    method: 'DELETE',
    url: '/v1.0/subscriptions/:id',
    handler: async (ctx, req, reply) => {
      deps.store.remove(service.ownedSubscription(deps, ctx, req.params.id).id);
      return reply.code(204).send();
    },
  });

  route<{ Params: { id: string } }>({
    method: 'POST',
    url: '/v1.0/subscriptions/:id/reauthorize',
    handler: async (ctx, req, reply) => {
      service.reauthorizeSubscription(deps, ctx, req.params.id);
      return reply.code(204).send();
    },
  });
}
