/** GET /admin/connections/{id}/status: the whole picture of one connection. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { findConnectionRow } from '../connections/connection.repository.js';
import { ErrorResponse } from '../connections/connection.schemas.js';
import type { AppContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import { connectionStatus } from './connection-status.js';

export async function statusRoutes(parent: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/admin/connections/:id/status',
    {
      schema: {
        tags: ['connections'],
        security: [{ bearerAuth: [] }],
        summary: 'Subscriptions, notifications, delta sync, delivery backlog and dead letters, reconcile runs, credentials',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) }),
        response: { 200: Type.Object({}, { additionalProperties: true }), 404: ErrorResponse },
      },
    },
    async (request) => {
      const row = await findConnectionRow(ctx.database.db, request.params.id);
      if (!row) throw new HttpError('not_found', `no connection with id or name "${request.params.id}"`);
      return connectionStatus(ctx, row);
    },
  );
}
