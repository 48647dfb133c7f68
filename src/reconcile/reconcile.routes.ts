/** Admin routes for reconcile runs: start (or dry-run), watch, approve or cancel a blocked run. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponse } from '../connections/connection.schemas.js';
import { getConnection } from '../connections/connection.service.js';
import type { AppContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import { findConnectionRow } from '../connections/connection.repository.js';
import type { GraphClients } from '../graph/graph-clients.js';
import { syncOneUser } from './user-sync.js';
import { approveRun, cancelRun, getRun, listRuns, queueRun } from './reconcile.repository.js';
import { RunResponse, runView } from './reconcile-view.js';

const tags = ['reconcile'];
const security = [{ bearerAuth: [] }];
const ConnectionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const RunParams = Type.Object({ runId: Type.String({ format: 'uuid' }) });

export async function reconcileRoutes(parent: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const db = ctx.database.db;

  app.post(
    '/admin/connections/:id/reconcile',
    {
      schema: {
        tags,
        security,
        summary: 'Queue a full reconcile (differences only); dryRun computes and reports, sends nothing',
        params: ConnectionParams,
        body: Type.Optional(Type.Object({ dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
        response: { 202: Type.Object({ runId: Type.String(), alreadyQueued: Type.Boolean() }), 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const connection = await getConnection(ctx, request.params.id);
      const dryRun = request.body?.dryRun ?? false;
      const { run, created } = await queueRun(db, connection.id, 'admin', dryRun);
      if (!created && run.dry_run !== dryRun) {
        throw new HttpError('conflict', `a ${run.dry_run ? 'dry' : 'real'} reconcile run is already ${run.status}: ${run.id}`, { runId: run.id });
      }
      return reply.status(202).send({ runId: run.id, alreadyQueued: !created });
    },
  );

  app.get(
    '/admin/connections/:id/reconcile-runs',
    { schema: { tags, security, params: ConnectionParams, response: { 200: Type.Object({ runs: Type.Array(RunResponse) }), 404: ErrorResponse } } },
    async (request) => {
      const connection = await getConnection(ctx, request.params.id);
      return { runs: (await listRuns(db, connection.id, 20)).map(runView) };
    },
  );

  app.get(
    '/admin/reconcile-runs/:runId',
    { schema: { tags, security, params: RunParams, response: { 200: RunResponse, 404: ErrorResponse } } },
    async (request) => runView(await requireRun(ctx, request.params.runId)),
  );

  app.post(
    '/admin/reconcile-runs/:runId/approve',
    {
      schema: {
        tags,
        security,
        summary: 'Let a run blocked by the mass-deletion guard go ahead (it reads Graph again)',
        params: RunParams,
        response: { 202: RunResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const run = await requireRun(ctx, request.params.runId);
      if (!(await approveRun(db, run).catch(() => false))) {
        throw new HttpError('conflict', `run ${run.id} is ${run.status}, not blocked (or another run is already open)`);
      }
      return reply.status(202).send(runView((await getRun(db, run.id))!));
    },
  );

  app.post(
    '/admin/reconcile-runs/:runId/cancel',
    { schema: { tags, security, params: RunParams, response: { 200: RunResponse, 404: ErrorResponse, 409: ErrorResponse } } },
    async (request) => {
      const run = await requireRun(ctx, request.params.runId);
      if (!(await cancelRun(db, run))) throw new HttpError('conflict', `run ${run.id} is ${run.status}: only blocked or queued runs can be cancelled`);
      return runView((await getRun(db, run.id))!);
    },
  );
}

async function requireRun(ctx: AppContext, runId: string) {
  const run = await getRun(ctx.database.db, runId);
  if (!run) throw new HttpError('not_found', `no reconcile run ${runId}`);
  return run;
}

export function userSyncRoutes(graphs: GraphClients) {
  return async function (parent: FastifyInstance, ctx: AppContext): Promise<void> {
    const app = parent.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/admin/connections/:id/users/:userId/sync',
      {
        schema: {
          tags,
          security,
          summary: 'Re-read one user from Graph now and send whatever differs (source "manual")',
          params: Type.Object({
            id: Type.String({ minLength: 1, maxLength: 255 }),
            // The user's Entra object id: it is put into a Graph URL, so nothing else gets through.
            userId: Type.String({
              pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
              description: 'Entra object id (GUID)',
            }),
          }),
          response: {
            200: Type.Object({
              userId: Type.String(),
              action: Type.String(),
              inGraph: Type.Boolean(),
              inScope: Type.Boolean(),
              event: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
            }),
            404: ErrorResponse,
            503: ErrorResponse,
          },
        },
      },
      async (request) => {
        const row = await findConnectionRow(ctx.database.db, request.params.id);
        if (!row) throw new HttpError('not_found', `no connection with id or name "${request.params.id}"`);
        return syncOneUser(ctx, graphs.forConnection(row).api, row, request.params.userId);
      },
    );
  };
}
