// The validation handshake before 201: POST {url}?validationToken=<awkward token> as text/plain,
// expecting 200, text/plain and the decoded token within the deadline, separately for the
// lifecycle URL. Any failure is 400 ValidationError and nothing is created.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { echoValidation, inMinutes, json, startReceiver, startTestSim } from './helpers.js';
import type { Receiver, ReceiverHandler, TestSim } from './helpers.js';

describe('subscription validation handshake', () => {
  let t: TestSim;
  let receiver: Receiver;
  const correct: ReceiverHandler = (req, res) => {
    if (!echoValidation(req, res)) res.writeHead(202).end();
  };

  before(async () => {
    t = await startTestSim();
    receiver = await startReceiver();
  });
  after(async () => {
    await t.sim.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.handler = correct;
    t.sim.faults.validationTimeoutMs = 10_000;
    t.sim.faults.validateOnRenew = false;
    for (const s of t.sim.listSubscriptions()) t.sim.deleteSubscriptionBehindTheBack(s.id);
  });

  const create = (extra: Record<string, unknown> = {}) =>
    t.send('POST', '/v1.0/subscriptions', {
      changeType: 'updated,deleted',
      notificationUrl: `${receiver.url}?kind=changes`,
      resource: 'users',
      expirationDateTime: inMinutes(120),
      clientState: 'secret-state',
      ...extra,
    });

  async function expectValidationError(res: Response): Promise<void> {
    assert.equal(res.status, 400);
    const body = await json<{ error: { code: string; message: string } }>(res);
    assert.equal(body.error.code, 'ValidationError');
    assert.equal(
      body.error.message,
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );
    assert.equal(t.sim.listSubscriptions().length, 0, 'nothing was created');
  }

  it('POSTs an awkward, URL-encoded token as text/plain before answering 201', async () => {
    const res = await create();
    assert.equal(res.status, 201);
    assert.equal(receiver.requests.length, 1);
    const req = receiver.requests[0];
    assert.equal(req?.method, 'POST');
    assert.match(String(req?.headers['content-type']), /^text\/plain/);
    assert.ok(req?.url.startsWith('/webhooks/graph?kind=changes&validationToken='), req?.url);
    const token = new URL(req?.url ?? '', 'http://x').searchParams.get('validationToken') ?? '';
    for (const awkward of [' ', '+', '/', '&', '%', '?', '#', '='])
      assert.ok(token.includes(awkward), `token contains '${awkward}'`);
    assert.ok(!req?.url.includes(' '), 'the token is URL-encoded on the wire');
  });

  it('validates the lifecycle URL with a second request even when it is the same URL', async () => {
    const res = await create({ notificationUrl: receiver.url, lifecycleNotificationUrl: receiver.url });
    assert.equal(res.status, 201);
    assert.equal(receiver.requests.length, 2);
    const tokens = receiver.requests.map((r) =>
      new URL(r.url, 'http://x').searchParams.get('validationToken'),
    );
    assert.notEqual(tokens[0], tokens[1]);
  });

  it('fails when the endpoint echoes the raw (still encoded) token', async () => {
    receiver.handler = (req, res) => {
      const raw = req.url.split('validationToken=')[1] ?? '';
      res.writeHead(200, { 'content-type': 'text/plain' }).end(raw);
    };
    await expectValidationError(await create());
  });

  it('fails when the endpoint answers JSON instead of text/plain', async () => {
    receiver.handler = (req, res) => {
      const token = new URL(req.url, 'http://x').searchParams.get('validationToken') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(token);
    };
    await expectValidationError(await create());
  });

  it('fails when the endpoint answers 202', async () => {
    receiver.handler = (req, res) => {
      const token = new URL(req.url, 'http://x').searchParams.get('validationToken') ?? '';
      res.writeHead(202, { 'content-type': 'text/plain' }).end(token);
    };
    await expectValidationError(await create());
  });

  it('fails when the endpoint is too slow', async () => {
    t.sim.faults.validationTimeoutMs = 150;
    receiver.handler = async (req, res) => {
      await sleep(400);
      echoValidation(req, res);
    };
    await expectValidationError(await create());
  });

  it('fails when only the lifecycle URL fails', async () => {
    receiver.handler = (req, res) => {
      if (req.url.includes('lifecycle')) res.writeHead(500).end();
      else echoValidation(req, res);
    };
    await expectValidationError(
      await create({ lifecycleNotificationUrl: receiver.url.replace('graph', 'graph/lifecycle') }),
    );
  });

  it('fails when nothing listens', async () => {
    await expectValidationError(await create({ notificationUrl: 'http://127.0.0.1:9/webhooks/graph' }));
  });

  it('re-runs the handshake on renew only when validateOnRenew is set', async () => {
    const created = await json(await create());
    receiver.requests.length = 0;
    const renew = () =>
      t.send('PATCH', `/v1.0/subscriptions/${created.id}`, { expirationDateTime: inMinutes(300) });
    assert.equal((await renew()).status, 200);
    assert.equal(receiver.requests.length, 0);
    t.sim.faults.validateOnRenew = true;
    assert.equal((await renew()).status, 200);
    assert.equal(receiver.requests.length, 1);
    receiver.handler = (_req, res) => void res.writeHead(500).end();
    const failed = await renew();
    assert.equal(failed.status, 400);
    assert.equal((await json<{ error: { code: string } }>(failed)).error.code, 'ValidationError');
  });

  it('counts validation requests', async () => {
    const before = t.sim.stats.validationRequests;
    await create({ lifecycleNotificationUrl: receiver.url });
    assert.equal(t.sim.stats.validationRequests, before + 2);
  });
});
