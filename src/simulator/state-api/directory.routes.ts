// /_sim/tenants/...: tenants, apps, users and groups, mirroring the simulator's methods so another
// process (a demo, a benchmark) can drive the directory over HTTP.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.js';
import type { GraphSimulator } from '../types.js';
import * as s from './schemas.js';

type T = { Params: { t: string } };
type TU = { Params: { t: string; id: string } };
type TG = { Params: { t: string; g: string } };

export function registerDirectoryStateRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  app.post('/_sim/tenants', async (req, reply) => {
    sim.addTenant(s.parseBody(s.tenantBody, req.body));
    return reply.code(201).send({ ok: true });
  });
  app.post<T>('/_sim/tenants/:t/apps', async (req, reply) => {
    const body = s.parseBody(s.appBody, req.body);
    const { secretExpiresAt, ...rest } = body;
    sim.addApp({
      tenantId: req.params.t,
      ...rest,
      ...(secretExpiresAt ? { secretExpiresAt: new Date(secretExpiresAt) } : {}),
    });
    return reply.code(201).send({ ok: true });
  });
  app.put<{ Params: { t: string; clientId: string } }>(
    '/_sim/tenants/:t/apps/:clientId/roles',
    async (req, reply) => {
      sim.setAppRoles(req.params.t, req.params.clientId, s.parseBody(s.rolesBody, req.body).roles);
      return reply.code(204).send();
    },
  );

  app.get<T & { Querystring: { offset?: string; limit?: string } }>('/_sim/tenants/:t/users', async (req) => {
    const all = sim.listUsers(req.params.t);
    const offset = Number(req.query.offset ?? 0);
    const limit = Math.min(Number(req.query.limit ?? 100), 10_000);
    return { count: all.length, users: all.slice(offset, offset + limit) };
  });
  app.post<T>('/_sim/tenants/:t/users', async (req, reply) => {
    return reply.code(201).send(sim.createUser(req.params.t, s.parseBody(s.userBody, req.body)));
  });
  app.post<T>('/_sim/tenants/:t/users/seed', async (req, reply) => {
    const body = s.parseBody(s.seedBody, req.body);
    const users = sim.seedUsers(req.params.t, body.count, body);
    return reply.code(201).send({ count: users.length, first: users.slice(0, 10) });
  });
  app.get<TU>('/_sim/tenants/:t/users/:id', async (req) => {
    const user = sim.getUser(req.params.t, req.params.id);
    if (!user) throw notFound(`user ${req.params.id}`);
    return user;
  });
  app.patch<TU>('/_sim/tenants/:t/users/:id', async (req) =>
    sim.updateUser(req.params.t, req.params.id, s.parseBody(s.userBody, req.body)),
  );
  app.post<TU>('/_sim/tenants/:t/users/:id/soft-delete', async (req, reply) => {
    sim.softDeleteUser(req.params.t, req.params.id);
    return reply.code(204).send();
  });
  app.post<TU>('/_sim/tenants/:t/users/:id/restore', async (req) =>
    sim.restoreUser(req.params.t, req.params.id),
  );
  app.post<TU>('/_sim/tenants/:t/users/:id/hard-delete', async (req, reply) => {
    sim.hardDeleteUser(req.params.t, req.params.id);
    return reply.code(204).send();
  });
  app.put<TU>('/_sim/tenants/:t/users/:id/manager', async (req, reply) => {
    sim.setManager(req.params.t, req.params.id, s.parseBody(s.managerBody, req.body).managerId);
    return reply.code(204).send();
  });

  app.post<T>('/_sim/tenants/:t/groups', async (req, reply) =>
    reply.code(201).send(sim.createGroup(req.params.t, s.parseBody(s.groupBody, req.body))),
  );
  app.get<TG>('/_sim/tenants/:t/groups/:g/members', async (req) => ({
    members: sim.listGroupMembers(req.params.t, req.params.g),
  }));
  app.post<TG>('/_sim/tenants/:t/groups/:g/members', async (req, reply) => {
    sim.addMember(req.params.t, req.params.g, s.parseBody(s.memberBody, req.body).id);
    return reply.code(204).send();
  });
  app.delete<{ Params: { t: string; g: string; id: string } }>(
    '/_sim/tenants/:t/groups/:g/members/:id',
    async (req, reply) => {
      sim.removeMember(req.params.t, req.params.g, req.params.id);
      return reply.code(204).send();
    },
  );
}
