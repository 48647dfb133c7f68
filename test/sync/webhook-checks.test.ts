import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startHarness, type Harness } from '../helpers/sync-harness.js';

async function countNotifications(h: Harness): Promise<number> {
  const r = await h.db.database.db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('webhook: handshake, checks and drops', () => {
  let h: Harness;
  let subId: string;
  let clientState: string;
  before(async () => {
    h = await startHarness({ users: 3 });
    await eventually('subscription', () => h.sim.listSubscriptions(h.tenantId).length === 1);
    const sub = h.sim.listSubscriptions(h.tenantId)[0]!;
    subId = sub.id;
    clientState = sub.clientState!;
    await eventually('stored', async () =>
      Boolean(await h.db.database.db.selectFrom('subscriptions').select('id').where('graph_subscription_id', '=', subId).executeTakeFirst()),
    );
  });
  after(async () => {
    await h?.close();
  });

  function item(overrides: Record<string, unknown> = {}) {
    const userId = h.sim.listUsers(h.tenantId)[0]!.id;
    return {
      subscriptionId: subId,
      subscriptionExpirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
      changeType: 'updated',
      resource: `Users/${userId}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${userId}`, id: userId, organizationId: h.tenantId },
      clientState,
      tenantId: h.tenantId,
      ...overrides,
    };
  }
  const post = (path: string, body: unknown, contentType = 'application/json') =>
    fetch(`${h.service.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('echoes the validation token exactly, as text/plain with nosniff, on both URLs', async () => {
    const token = 'Validation: Token with spaces + plus / slash & <script>';
    for (const path of ['/webhooks/graph', '/webhooks/graph/lifecycle']) {
      const res = await fetch(`${h.service.url}${path}?validationToken=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(await res.text(), token);
    }
    const long = await fetch(`${h.service.url}/webhooks/graph?validationToken=${'x'.repeat(5000)}`, { method: 'POST' });
    assert.equal(long.status, 400);
  });

  it('stores a valid item and answers 202', async () => {
    const before = await countNotifications(h);
    const res = await post('/webhooks/graph', { value: [item()] });
    assert.equal(res.status, 202);
    assert.equal(await countNotifications(h), before + 1);
  });

  it('drops forged items (wrong clientState, unknown subscription, wrong tenant) with 202, storing nothing', async () => {
    const before = await countNotifications(h);
    const forged = [
      item({ clientState: 'guess' }),
      item({ subscriptionId: '00000000-0000-0000-0000-000000000000' }),
      item({ tenantId: '99999999-0000-0000-0000-000000000000', resourceData: { organizationId: '99999999-0000-0000-0000-000000000000' } }),
      item({ resource: 'Groups/abc' }),
      'not an object',
    ];
    const res = await post('/webhooks/graph', { value: forged });
    assert.equal(res.status, 202);
    assert.equal(await countNotifications(h), before);
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    for (const reason of ['client_state_mismatch', 'unknown_subscription', 'tenant_mismatch', 'unexpected_resource', 'malformed_item']) {
      assert.match(metrics, new RegExp(`entra_sync_notifications_dropped_total\\{reason="${reason}"\\} [1-9]`), reason);
    }
    assert.equal(h.logs.join('\n').includes(clientState), false, 'clientState never logged');
  });

  it('answers 400 to malformed JSON and to bodies that are not a notification collection', async () => {
    assert.equal((await post('/webhooks/graph', '{"value": [')).status, 400);
    assert.equal((await post('/webhooks/graph', { nothing: true })).status, 400);
    assert.equal((await post('/webhooks/graph', { value: 'x' })).status, 400);
  });

  it('a lifecycle reauthorizationRequired leads to a reauthorization', async () => {
    const before = h.sim.stats.byRoute;
    const countBefore = Object.entries(before).filter(([k]) => /reauthorize/i.test(k)).reduce((a, [, v]) => a + v, 0);
    await h.sim.sendLifecycleEvent(subId, 'reauthorizationRequired');
    await eventually('reauthorize call', () => {
      const n = Object.entries(h.sim.stats.byRoute).filter(([k]) => /reauthorize/i.test(k)).reduce((a, [, v]) => a + v, 0);
      return n > countBefore;
    });
    const sub = h.sim.listSubscriptions(h.tenantId)[0]!;
    assert.equal(sub.needsReauthorization, false);
  });
});
