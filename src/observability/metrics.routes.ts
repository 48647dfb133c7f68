/** GET /metrics in Prometheus text format. */
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context.js';

export const metricsRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/metrics', { schema: { tags: ['probes'], produces: ['text/plain'] } }, async (_request, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.header('content-type', ctx.metrics.registry.contentType).send(body);
  });
};
