/**
 * The real service as a child process at LOG_LEVEL=trace, with known secrets: a connection
 * defined by ENTRA_* / LEENA_* and one created (and its secret changed) through the admin API,
 * initial sync, a change notified and delivered. Then the whole output is searched for every
 * secret, and every line about a connection must name both its id and its name.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFetch, TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from '../helpers/context.js';
import { startProcessWorld, type ProcessWorld } from '../helpers/process-harness.js';
import type { ServiceProcess } from '../helpers/service-process.js';
import { eventually, SINK_API_KEY, SINK_SIGNING_SECRET } from '../helpers/sync-harness.js';

describe('logs: no secrets at LOG_LEVEL=trace, and every connection line names id and name', () => {
  let world: ProcessWorld;
  let service: ServiceProcess;
  let output: string[];
  const rotatedSecret = `rotated~${'r'.repeat(8)}-${Date.now()}`;
  let secrets: Record<string, string>;

  before(async () => {
    world = await startProcessWorld();
    const api = world.addTenant(15);
    const byEnv = world.addTenant(10);
    world.sim.setAppRoles(api.tenantId, api.clientId, ['User.Read.All', 'GroupMember.Read.All']);
    secrets = {
      'API connection client secret': api.clientSecret,
      'env connection client secret': byEnv.clientSecret,
      'rotated client secret': rotatedSecret,
      'Leena API key': SINK_API_KEY,
      'Leena signing secret': SINK_SIGNING_SECRET,
      'Leena signing key (base64)': SINK_SIGNING_SECRET.replace(/^whsec_/, ''),
      SECRET_KEY: TEST_SECRET_KEY,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    };
    service = await world.start(undefined, {
      LOG_LEVEL: 'trace',
      ENTRA_TENANT_ID: byEnv.tenantId,
      ENTRA_CLIENT_ID: byEnv.clientId,
      ENTRA_CLIENT_SECRET: byEnv.clientSecret,
      LEENA_URL: world.sink.url,
      LEENA_API_KEY: SINK_API_KEY,
      LEENA_SIGNING_SECRET: SINK_SIGNING_SECRET,
    });
    // A refused create echoes nothing of its body into the logs either.
    const refused = await adminFetch(service.url, '/admin/connections', {
      method: 'POST',
      body: {
        name: '-bad name-',
        ...api,
        leena: { url: world.sink.url, apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET },
      },
    });
    assert.equal(refused.status, 400);
    const id = await world.connect(service, 'acme', api);
    await world.sink.waitFor((s) => s.events.length >= 25, 30_000, 'initial sync of both connections');
    const user = world.sim.listUsers(api.tenantId)[0]!;
    await eventually('users subscription', () => world.sim.listSubscriptions(api.tenantId).length >= 1);
    world.sim.updateUser(api.tenantId, user.id, { jobTitle: 'Chief Log Reader' });
    await world.sink.waitFor(
      (s) => s.events.some((e) => e.type === 'user.updated' && e.userId === user.id),
      30_000,
      'the change delivered',
    );
    // Rotate the client secret: the app in the simulator takes the new one, and so does the connection.
    const patched = await adminFetch(service.url, `/admin/connections/${id}`, {
      method: 'PATCH',
      body: { clientSecret: rotatedSecret },
    });
    assert.equal(patched.status, 200);
    await service.stop('SIGTERM');
    output = service.output;
  });

  after(async () => {
    await world?.close();
  });

  it('trace output mentions the work it did, but none of the secrets', () => {
    const text = output.join('\n');
    assert.ok(output.length > 10, `only ${output.length} lines`);
    assert.match(text, /"level":20/, 'debug lines were written (LOG_LEVEL=trace lets everything through)');
    assert.match(text, /delta round done|full sync done/);
    for (const [what, secret] of Object.entries(secrets)) {
      assert.ok(!text.includes(secret), `the ${what} appears in the log output`);
    }
  });

  it('every line about a connection carries both connectionId and connection (its name)', () => {
    const lines = output.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const aboutConnection = lines.filter((l) => 'connection' in l || 'connectionId' in l);
    assert.ok(aboutConnection.length > 5);
    const incomplete = aboutConnection.filter(
      (l) => typeof l.connection !== 'string' || typeof l.connectionId !== 'string',
    );
    assert.deepEqual(
      incomplete.map((l) => l.msg),
      [],
    );
  });
});
