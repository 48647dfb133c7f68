/**
 * `entra-sync doctor` against the Graph/Entra simulator, a local Leena AI sink and this service's
 * app at PUBLIC_URL: one good setup, then each mistake of the customer guide, asserting the
 * checklist lines an operator would read.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { webhookRoutes } from '../../src/notifications/webhook.routes.js';
import { startGraphSimulator, type GraphSimulator } from '../../src/simulator/graph-simulator.js';
import { startLeenaSink, type LeenaSink } from '../../src/simulator/leena-sink.js';
import { startTestApp, TEST_ADMIN_TOKEN, TEST_SECRET_KEY, type TestApp } from '../helpers/context.js';
import { freePort } from '../helpers/service-process.js';
import { SINK_API_KEY, SINK_SIGNING_SECRET } from '../helpers/sync-harness.js';
import { cli, fixFor, line } from './run-cli.js';

const tenantId = randomUUID();
const clientId = randomUUID();
const clientSecret = `doc~${randomUUID()}`;
const usersOnlyClientId = randomUUID();
const expiredClientId = randomUUID();
const inOneYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);

describe('entra-sync doctor', () => {
  let sim: GraphSimulator;
  let sink: LeenaSink;
  let app: TestApp;
  let groupId: string;

  before(async () => {
    sim = await startGraphSimulator();
    sim.addTenant({ tenantId, displayName: 'Contoso' });
    sim.addApp({ tenantId, clientId, clientSecret });
    sim.addApp({ tenantId, clientId: usersOnlyClientId, clientSecret, roles: ['User.Read.All'] });
    sim.addApp({
      tenantId,
      clientId: expiredClientId,
      clientSecret,
      secretExpiresAt: new Date(Date.now() - 86_400_000),
    });
    const users = sim.seedUsers(tenantId, 30, { seed: 3 });
    const pilot = sim.createGroup(tenantId, { displayName: 'Leena AI Pilot' });
    const team = sim.createGroup(tenantId, { displayName: 'Pilot team' });
    users.slice(0, 10).forEach((u) => sim.addMember(tenantId, pilot.id, u.id));
    users.slice(10, 15).forEach((u) => sim.addMember(tenantId, team.id, u.id));
    sim.addMember(tenantId, pilot.id, team.id);
    groupId = pilot.id;
    sink = await startLeenaSink({ apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET });
    app = await startTestApp({ appOptions: () => ({ publicPlugins: [webhookRoutes] }) });
  });

  after(async () => {
    await app?.close();
    await sink?.close();
    await sim?.close();
  });

  const env = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    SECRET_KEY: TEST_SECRET_KEY,
    PUBLIC_URL: app.url,
    GRAPH_BASE_URL: sim.url,
    ENTRA_AUTHORITY_URL: sim.url,
    ALLOW_INSECURE_LEENA_URL: 'true',
    ENTRA_TENANT_ID: tenantId,
    ENTRA_CLIENT_ID: clientId,
    ENTRA_CLIENT_SECRET: clientSecret,
    ENTRA_CLIENT_SECRET_EXPIRES_AT: inOneYear,
    ENTRA_GROUP_ID: groupId,
    LEENA_URL: sink.url,
    LEENA_API_KEY: SINK_API_KEY,
    LEENA_SIGNING_SECRET: SINK_SIGNING_SECRET,
    ...overrides,
  });

  it('a good setup passes every required check and says what the missing Group.Read.All costs', async () => {
    const run = await cli(['doctor'], env());
    assert.equal(run.code, 0, run.text);
    assert.ok(line(run, '✓', 'the service configuration is valid'), run.text);
    assert.ok(line(run, '✓', `signed in to Entra: tenant ${tenantId}, app ${clientId}`), run.text);
    assert.ok(line(run, '✓', `the client secret expires on ${inOneYear}`), run.text);
    assert.ok(line(run, '✓', 'granted: User.Read.All, GroupMember.Read.All'), run.text);
    assert.ok(line(run, '✓', 'User.Read.All: users can be read (required)'), run.text);
    assert.ok(
      line(run, '✓', 'GroupMember.Read.All: group members can be read (required with a group)'),
      run.text,
    );
    assert.ok(
      line(
        run,
        '!',
        'Group.Read.All is not granted (optional): Graph refuses the groups subscription, so group membership is polled every 300 s (GROUP_POLL_SECONDS) instead',
      ),
      run.text,
    );
    assert.ok(line(run, '✓', 'group "Leena AI Pilot" exists: 15 users (nested groups included)'), run.text);
    assert.ok(line(run, '✓', `${app.url}/healthz answers 200`), run.text);
    assert.ok(line(run, '✓', "the webhook answers Graph's validation handshake"), run.text);
    assert.ok(
      line(
        run,
        '✓',
        'Leena AI accepted the API key and signature (it answered 400 to the empty test batch, not 401)',
      ),
      run.text,
    );
    assert.equal(run.out.at(-1), 'All required checks passed, 1 warning (!).');
    assert.equal(run.out.filter((l) => l.trim().startsWith('✗')).length, 0, run.text);
  });

  it('a wrong secret: AADSTS7000215, probably the Secret ID instead of the Value', async () => {
    const run = await cli(['doctor'], env({ ENTRA_CLIENT_SECRET: 'not-the-right-secret-value' }));
    assert.equal(run.code, 1);
    assert.ok(line(run, '✗', 'Entra rejected the client secret (AADSTS7000215)'), run.text);
    assert.match(
      fixFor(run, '✗', 'AADSTS7000215') ?? '',
      /you may have copied the Secret ID instead of the Value/,
    );
    assert.ok(line(run, '-', 'not checked: no token'), run.text);
    // Leena AI and PUBLIC_URL are still checked: one mistake does not hide the others.
    assert.ok(line(run, '✓', 'Leena AI accepted the API key and signature'), run.text);
    assert.equal(run.out.at(-1), '1 problem to fix (✗): fix them and run doctor again.');
  });

  it('a Secret ID pasted as the secret is named before Entra is even asked', async () => {
    const run = await cli(['doctor'], env({ ENTRA_CLIENT_SECRET: randomUUID() }));
    assert.equal(run.code, 1);
    assert.ok(
      line(run, '✗', 'ENTRA_CLIENT_SECRET looks like a Secret ID (a GUID), not a secret Value'),
      run.text,
    );
    assert.ok(line(run, '✗', 'AADSTS7000215'), run.text);
  });

  it('an expired secret: AADSTS7000222 and what the customer must do', async () => {
    const run = await cli(
      ['doctor'],
      env({ ENTRA_CLIENT_ID: expiredClientId, ENTRA_CLIENT_SECRET_EXPIRES_AT: undefined }),
    );
    assert.equal(run.code, 1);
    assert.ok(line(run, '✗', 'the client secret has expired (AADSTS7000222)'), run.text);
    assert.match(fixFor(run, '✗', 'AADSTS7000222') ?? '', /the customer must create a new client secret/);
    assert.ok(line(run, '!', "the client secret's expiry date is not recorded"), run.text);
  });

  it('an unknown tenant: AADSTS90002', async () => {
    const wrongTenant = randomUUID();
    const run = await cli(['doctor'], env({ ENTRA_TENANT_ID: wrongTenant }));
    assert.equal(run.code, 1);
    assert.ok(line(run, '✗', `Entra does not know the tenant "${wrongTenant}" (AADSTS90002)`), run.text);
    assert.match(fixFor(run, '✗', 'AADSTS90002') ?? '', /Directory \(tenant\) ID/);
  });

  it('a wrong client id: AADSTS700016', async () => {
    const wrongClient = randomUUID();
    const run = await cli(['doctor'], env({ ENTRA_CLIENT_ID: wrongClient }));
    assert.equal(run.code, 1);
    assert.ok(
      line(run, '✗', `no app with client id "${wrongClient}" in this tenant (AADSTS700016)`),
      run.text,
    );
  });

  it('GroupMember.Read.All missing while a group is set: named, with how to add it', async () => {
    const run = await cli(['doctor'], env({ ENTRA_CLIENT_ID: usersOnlyClientId }));
    assert.equal(run.code, 1);
    assert.ok(line(run, '✓', 'granted: User.Read.All'), run.text);
    assert.ok(
      line(
        run,
        '✗',
        'GroupMember.Read.All is missing: the members of the group cannot be read, so nobody would be synced',
      ),
      run.text,
    );
    assert.match(
      fixFor(run, '✗', 'GroupMember.Read.All is missing') ?? '',
      /Application permissions → GroupMember.Read.All, then "Grant admin consent"/,
    );
    assert.ok(line(run, '-', `group ${groupId} not checked: GroupMember.Read.All is missing`), run.text);
  });

  it('without a group, GroupMember.Read.All is not required', async () => {
    const run = await cli(['doctor'], env({ ENTRA_CLIENT_ID: usersOnlyClientId, ENTRA_GROUP_ID: undefined }));
    assert.equal(run.code, 0, run.text);
    assert.ok(line(run, '-', 'GroupMember.Read.All: not needed, no group is set'), run.text);
  });

  it('a group id that does not exist in the tenant', async () => {
    const missing = randomUUID();
    const run = await cli(['doctor'], env({ ENTRA_GROUP_ID: missing }));
    assert.equal(run.code, 1);
    assert.ok(
      line(run, '✗', `group ${missing} does not exist in tenant ${tenantId} (Graph answered 404)`),
      run.text,
    );
    assert.match(fixFor(run, '✗', 'does not exist') ?? '', /Object ID/);
  });

  it('an unreachable Leena AI URL', async () => {
    const port = await freePort();
    const run = await cli(['doctor'], env({ LEENA_URL: `http://127.0.0.1:${port}/events` }));
    assert.equal(run.code, 1);
    assert.ok(
      line(
        run,
        '✗',
        `Leena AI could not be reached: cannot reach Leena AI at 127.0.0.1:${port}: ECONNREFUSED`,
      ),
      run.text,
    );
    assert.match(fixFor(run, '✗', 'Leena AI could not be reached') ?? '', /check LEENA_URL/);
  });

  it('a wrong Leena AI API key: 401 means the key or the signing secret', async () => {
    const run = await cli(['doctor'], env({ LEENA_API_KEY: 'wrong-key-0000' }));
    assert.equal(run.code, 1);
    assert.ok(line(run, '✗', "Leena AI refused the test request's credentials (401)"), run.text);
    assert.match(fixFor(run, '✗', 'credentials (401)') ?? '', /API key or the signing secret is wrong/);
  });

  it('PUBLIC_URL that does not reach this service, and one that is not https for real Graph', async () => {
    const port = await freePort();
    const unreachable = await cli(['doctor'], env({ PUBLIC_URL: `http://127.0.0.1:${port}` }));
    assert.equal(unreachable.code, 1);
    assert.ok(
      line(unreachable, '✗', `http://127.0.0.1:${port}/healthz could not be reached (ECONNREFUSED)`),
      unreachable.text,
    );
    const http = await cli(
      ['doctor'],
      env({ PUBLIC_URL: 'http://sync.example.com', GRAPH_BASE_URL: 'https://graph.microsoft.com' }),
    );
    assert.ok(
      line(
        http,
        '✗',
        'PUBLIC_URL (http://sync.example.com) is not https: Graph delivers notifications only to https URLs',
      ),
      http.text,
    );
    assert.ok(line(http, '✗', 'PUBLIC_URL: Graph only delivers notifications to https URLs'), http.text);
  });
});
