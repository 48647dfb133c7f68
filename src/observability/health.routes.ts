/** Probes for orchestration: liveness (/healthz) and readiness (/readyz). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { migrationStatus } from '../db/migrate.js';

const READY_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['probes'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['probes'],
        response: {
          200: Type.Object({ status: Type.Literal('ready') }),
          503: Type.Object({ status: Type.Literal('not_ready'), reason: Type.String(), detail: Type.Optional(Type.Unknown()) }),
        },
      },
    },
    async (_request, reply) => {
      if (ctx.lifecycle.shuttingDown) return reply.status(503).send({ status: 'not_ready', reason: 'shutting_down' });
      try {
        const status = await withTimeout(migrationStatus(ctx.database.pool), READY_TIMEOUT_MS);
        if (!status.ok) return reply.status(503).send({ status: 'not_ready', reason: status.reason, detail: status.pending });
        return { status: 'ready' as const };
      } catch (error) {
        return reply
          .status(503)
          .send({ status: 'not_ready', reason: 'database_unreachable', detail: (error as Error).message });
      }
    },
  );
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
