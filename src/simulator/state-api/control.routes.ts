// /_sim control surface: subscriptions as Graph holds them, lifecycle events, fault knobs,
// counters, delta-token expiry, notification flushing and the simulated clock.
import type { FastifyInstance } from 'fastify';
import { faultsPatchSchema } from '../core/faults.js';
import { statsSnapshot } from '../core/stats.js';
import type { GraphSimulator } from '../types.js';
import * as s from './schemas.js';

export function registerControlStateRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  app.get<{ Querystring: { tenantId?: string } }>('/_sim/subscriptions', async (req) => ({
    value: sim.listSubscriptions(req.query.tenantId),
  }));
  app.delete<{ Params: { id: string } }>('/_sim/subscriptions/:id', async (req, reply) => {
    sim.deleteSubscriptionBehindTheBack(req.params.id);
    return reply.code(204).send();
  });
  app.post<{ Params: { id: string } }>('/_sim/subscriptions/:id/lifecycle', async (req, reply) => {
    await sim.sendLifecycleEvent(req.params.id, s.parseBody(s.lifecycleBody, req.body).lifecycleEvent);
    return reply.code(204).send();
  });

  app.get('/_sim/faults', async () => sim.faults);
  app.patch('/_sim/faults', async (req) =>
    Object.assign(sim.faults, s.parseBody(faultsPatchSchema, req.body)),
  );

  app.get('/_sim/stats', async () => statsSnapshot(sim.stats));
  app.post('/_sim/stats/reset', async (_req, reply) => {
    sim.stats.resetStats();
    return reply.code(204).send();
  });

  app.post('/_sim/delta-tokens/expire', async (req, reply) => {
    sim.expireDeltaTokens(s.parseBody(s.expireBody, req.body).tenantId);
    return reply.code(204).send();
  });
  app.post('/_sim/notifications/flush', async (_req, reply) => {
    await sim.flushNotifications();
    return reply.code(204).send();
  });
  app.post('/_sim/clock/advance', async (req) => {
    sim.clock.advance(s.parseBody(s.clockBody, req.body).ms);
    return { now: new Date(sim.clock.now()).toISOString() };
  });
}
