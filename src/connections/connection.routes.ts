/** Admin CRUD for connections: /admin/connections[/{id}], `{id}` being an id or a name. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { connectionView } from './connection.js';
import {
  ConnectionCreateBody,
  ConnectionParams,
  ConnectionPatchBody,
  ConnectionResponse,
  ErrorResponse,
} from './connection.schemas.js';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from './connection.service.js';

export const connectionRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const tags = ['connections'];
  const security = [{ bearerAuth: [] }];

  app.get(
    '/admin/connections',
    { schema: { tags, security, response: { 200: Type.Object({ connections: Type.Array(ConnectionResponse) }) } } },
    async () => ({ connections: (await listConnections(ctx)).map(connectionView) }),
  );

  app.post(
    '/admin/connections',
    {
      schema: {
        tags,
        security,
        body: ConnectionCreateBody,
        response: { 201: ConnectionResponse, 400: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (request, reply) => reply.status(201).send(connectionView(await createConnection(ctx, request.body))),
  );

  app.get(
    '/admin/connections/:id',
    { schema: { tags, security, params: ConnectionParams, response: { 200: ConnectionResponse, 404: ErrorResponse } } },
    async (request) => connectionView(await getConnection(ctx, request.params.id)),
  );

  app.patch(
    '/admin/connections/:id',
    {
      schema: {
        tags,
        security,
        params: ConnectionParams,
        body: ConnectionPatchBody,
        response: { 200: ConnectionResponse, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => connectionView(await updateConnection(ctx, request.params.id, request.body)),
  );

  app.delete(
    '/admin/connections/:id',
    { schema: { tags, security, params: ConnectionParams, response: { 204: Type.Null(), 404: ErrorResponse } } },
    async (request, reply) => {
      await deleteConnection(ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
};
