/**
 * Delivery admin routes under /admin/connections/{id} (`{id}` is an id or a name): status,
 * dead letters (list, replay, skip), pause and resume. Registered inside the authenticated
 * /admin scope through `deliveryAdminRoutes`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AdminPlugin } from '../app.js';
import { ConnectionParams, ErrorResponse } from '../connections/connection.schemas.js';
import type { AppContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import {
  connectionDeliveryStatus,
  deadLetterPage,
  replay,
  setPaused,
  skip,
} from './delivery-admin.service.js';
import {
  DeadLetterListResponse,
  DeadLetterQuery,
  DeliveryStatusResponse,
  ReplayBody,
  ReplayResponse,
  SkipBody,
  SkipResponse,
} from './delivery.schemas.js';
import { deadLetterView, deliveryStatusView } from './delivery.views.js';

const MAX_PAGE = 500;

const routes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const tags = ['delivery'];
  const security = [{ bearerAuth: [] }];
  const errors = { 400: ErrorResponse, 404: ErrorResponse };

  app.get(
    '/admin/connections/:id/delivery',
    {
      schema: {
        tags,
        security,
        params: ConnectionParams,
        response: { 200: DeliveryStatusResponse, ...errors },
      },
    },
    async (request) => deliveryStatusView(await connectionDeliveryStatus(ctx, request.params.id)),
  );

  app.get(
    '/admin/connections/:id/dead-letters',
    {
      schema: {
        tags,
        security,
        params: ConnectionParams,
        querystring: DeadLetterQuery,
        response: { 200: DeadLetterListResponse, ...errors },
      },
    },
    async (request) => {
      const limit = request.query.limit === undefined ? undefined : Number(request.query.limit);
      if (limit !== undefined && limit > MAX_PAGE)
        throw new HttpError('bad_request', `limit is at most ${MAX_PAGE}`);
      const page = await deadLetterPage(ctx, request.params.id, { ...request.query, limit });
      return { deadLetters: page.deadLetters.map(deadLetterView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/admin/connections/:id/dead-letters/replay',
    {
      schema: {
        tags,
        security,
        params: ConnectionParams,
        body: ReplayBody,
        response: { 200: ReplayResponse, ...errors },
      },
    },
    async (request) => {
      const events = await replay(ctx, request.params.id, request.body);
      return { replayed: events.length, events };
    },
  );

  app.post(
    '/admin/connections/:id/dead-letters/skip',
    {
      schema: {
        tags,
        security,
        params: ConnectionParams,
        body: SkipBody,
        response: { 200: SkipResponse, ...errors },
      },
    },
    async (request) => ({ skipped: await skip(ctx, request.params.id, request.body.eventId) }),
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(
      `/admin/connections/:id/${action}`,
      {
        schema: {
          tags,
          security,
          params: ConnectionParams,
          response: { 200: DeliveryStatusResponse, ...errors },
        },
      },
      async (request) => deliveryStatusView(await setPaused(ctx, request.params.id, paused)),
    );
  }
};

/** The delivery admin routes, for AppOptions.adminPlugins. */
export const deliveryAdminRoutes: AdminPlugin = async (app, ctx) => {
  await app.register(routes, { ctx });
};
