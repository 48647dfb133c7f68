import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeSigningSecret,
  generateSigningSecret,
  newWebhookId,
  signWebhook,
} from '../../src/delivery/signing.js';
import { startLeenaSink } from '../../src/simulator/leena-sink.js';
import type { LeenaEvent, LeenaSink, UserProfile } from '../../src/simulator/leena-sink.js';
import { describeEvent } from '../../src/simulator/leena-sink-cli.js';

const API_KEY = 'test-api-key';
const SECRET = generateSigningSecret();
const CONNECTION = 'conn-1';

let sink: LeenaSink;
let counter = 0;

before(async () => {
  sink = await startLeenaSink({ apiKey: API_KEY, signingSecret: SECRET });
});
after(() => sink.close());
beforeEach(() => sink.reset());

function profile(userId: string, overrides: Partial<UserProfile> = {}): UserProfile {
  return {
    id: userId,
    userPrincipalName: `${userId}@contoso.example`,
    mail: `${userId}@contoso.example`,
    displayName: `User ${userId}`,
    givenName: 'Ada',
    surname: 'Lovelace',
    jobTitle: 'Engineer',
    department: 'R&D',
    officeLocation: null,
    employeeId: null,
    mobilePhone: null,
    businessPhones: [],
    accountEnabled: true,
    managerId: null,
    ...overrides,
  };
}

function base(userId: string, sequence: number) {
  counter += 1;
  return {
    id: `evt_${counter}`,
    connectionId: CONNECTION,
    tenantId: 'tenant-1',
    userId,
    sequence,
    occurredAt: new Date().toISOString(),
    source: 'notification' as const,
  };
}

function created(userId: string, sequence: number, overrides: Partial<UserProfile> = {}): LeenaEvent {
  return { ...base(userId, sequence), type: 'user.created', user: profile(userId, overrides) };
}

function updated(
  userId: string,
  sequence: number,
  overrides: Partial<UserProfile>,
  changes: Record<string, { old: unknown; new: unknown }>,
): LeenaEvent {
  return { ...base(userId, sequence), type: 'user.updated', user: profile(userId, overrides), changes };
}

function deleted(userId: string, sequence: number): LeenaEvent {
  return { ...base(userId, sequence), type: 'user.deleted', reason: 'deleted' };
}

interface SendOptions {
  apiKey?: string;
  secret?: string;
  timestamp?: number;
  webhookId?: string;
  tamper?: (body: string) => string;
  url?: string;
}

async function send(events: unknown[], options: SendOptions = {}) {
  const body = JSON.stringify({ events });
  const id = options.webhookId ?? newWebhookId();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = signWebhook({
    id,
    timestamp,
    body,
    secret: decodeSigningSecret(options.secret ?? SECRET),
  });
  const response = await fetch(options.url ?? sink.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.apiKey ?? API_KEY}`,
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    },
    body: options.tamper ? options.tamper(body) : body,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

function assertNothingRecorded(): void {
  assert.equal(sink.batches.length, 0);
  assert.equal(sink.events.length, 0);
}

describe('requests', () => {
  test('a signed batch is accepted and recorded with arrival times', async () => {
    const events = [created('u1', 1), created('u2', 1)];
    const webhookId = newWebhookId();
    const before = Date.now();
    const response = await send(events, { webhookId });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { accepted: 2 });
    assert.equal(sink.batches.length, 1);
    const [batch] = sink.batches;
    assert.equal(batch?.webhookId, webhookId);
    assert.equal(batch?.status, 200);
    assert.equal(batch?.attempt, 1);
    assert.ok(batch && batch.receivedAt >= before && batch.receivedAt <= Date.now());
    assert.deepEqual(
      sink.events.map(({ receivedAt: _, ...event }) => event),
      events,
    );
    assert.deepEqual(sink.profiles(CONNECTION), { u1: profile('u1'), u2: profile('u2') });
    assert.deepEqual(sink.rejected, []);
    assert.match(sink.url, /^http:\/\/127\.0\.0\.1:\d+\/events$/);
  });

  test('a wrong or missing bearer token is refused with 401 and nothing is recorded', async () => {
    const response = await send([created('u1', 1)], { apiKey: 'wrong' });
    assert.equal(response.status, 401);
    const noAuth = await fetch(sink.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(noAuth.status, 401);
    assertNothingRecorded();
    assert.deepEqual(
      sink.rejected.map((r) => [r.status, r.reason]),
      [
        [401, 'missing or wrong Authorization bearer token'],
        [401, 'missing or wrong Authorization bearer token'],
      ],
    );
  });

  test('a bad signature (tampered body or other secret) is refused with 401', async () => {
    const tampered = await send([created('u1', 1)], {
      tamper: (body) => body.replace('Engineer', 'Manager'),
    });
    const otherSecret = await send([created('u1', 1)], { secret: generateSigningSecret() });
    assert.equal(tampered.status, 401);
    assert.equal(otherSecret.status, 401);
    assert.equal(tampered.json.reason, 'webhook signature: bad_signature');
    assertNothingRecorded();
  });

  test('a stale or future timestamp is refused with 401', async () => {
    // 5 s past the tolerance: at 1 s past it, the sink's clock could tick over between this
    // line and its check, and a future timestamp then landed exactly on the limit (seen in CI).
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await send([created('u1', 1)], { timestamp: now - 305 })).status, 401);
    assert.equal((await send([created('u1', 1)], { timestamp: now + 305 })).status, 401);
    assertNothingRecorded();
    assert.equal(sink.rejected[0]?.reason, 'webhook signature: timestamp_out_of_tolerance');
  });

  test('more than 100 events, or none, is a 400', async () => {
    const many = Array.from({ length: 101 }, (_, i) => created(`u${i}`, 1));
    const response = await send(many);
    assert.equal(response.status, 400);
    assert.match(String(response.json.reason), /101 items; at most 100/);
    assert.equal((await send([])).status, 400);
    assert.equal((await send(many.slice(0, 100))).status, 200);
    assert.equal(sink.events.length, 100);
    assert.equal(sink.rejected.length, 2);
  });

  test('a batch with one malformed event is a 400 naming the field, and nothing of it is recorded', async () => {
    const noMail = created('u2', 1) as { user: Partial<UserProfile> };
    delete noMail.user.mail;
    const cases: Array<[unknown, RegExp]> = [
      [noMail, /^events\[1\]\.user\.mail is missing$/],
      [
        { ...created('u2', 1), changes: { jobTitle: { old: 'a', new: 'b' } } },
        /events\[1\]\.changes must be absent on user\.created/,
      ],
      [{ ...created('u2', 1), sequence: 0 }, /events\[1\]\.sequence must be a positive integer/],
      [{ ...created('u2', 1), type: 'user.moved' }, /events\[1\]\.type must be one of/],
      [{ ...created('u2', 1), occurredAt: 'yesterday' }, /events\[1\]\.occurredAt must be an ISO 8601/],
      [{ ...created('u2', 1), source: 'guess' }, /events\[1\]\.source must be one of/],
      [
        { ...created('u2', 1), user: profile('u2', { accountEnabled: null as never }) },
        /user\.accountEnabled must be a boolean/,
      ],
      [{ ...created('u2', 1), user: profile('other') }, /user\.id must equal userId/],
      [{ ...updated('u2', 2, {}, {}) }, /events\[1\]\.changes is empty/],
      [{ ...updated('u2', 2, {}, { jobTitle: { new: 'x' } as never }) }, /changes\.jobTitle must be \{"old"/],
      [{ ...deleted('u2', 2), user: profile('u2') }, /user must be absent on user\.deleted/],
      [{ ...deleted('u2', 2), reason: 'fired' }, /reason must be one of deleted\|soft_deleted\|out_of_scope/],
      [{ ...created('u2', 1), reason: 'deleted' }, /reason must be absent on user\.created/],
    ];
    for (const [bad, pattern] of cases) {
      const response = await send([created('u1', 1), bad]);
      assert.equal(response.status, 400, String(pattern));
      assert.match(String(response.json.reason), pattern);
    }
    assertNothingRecorded();
    assert.equal(sink.rejected.length, cases.length);
    assert.ok(sink.rejected.every((r) => r.status === 400));
  });

  test('null profile fields are accepted; other paths, methods and content types are refused', async () => {
    const nulls = profile('u1', { mail: null, displayName: null, managerId: null, userPrincipalName: null });
    assert.equal((await send([{ ...created('u1', 1), user: nulls }])).status, 200);
    assert.equal((await fetch(sink.url.replace('/events', '/other'), { method: 'POST' })).status, 404);
    assert.equal((await fetch(sink.url)).status, 405);
    const body = JSON.stringify({ events: [created('u3', 1)] });
    const id = newWebhookId();
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(sink.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'content-type': 'text/plain',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook({ id, timestamp, body, secret: decodeSigningSecret(SECRET) }),
      },
      body,
    });
    assert.equal(response.status, 415);
    assert.deepEqual(
      sink.rejected.map((r) => r.status),
      [404, 405, 415],
    );
    assert.equal(sink.events.length, 1);
  });
});

describe('faults', () => {
  test('failNext answers the next n valid requests with the status and Retry-After, then accepts', async () => {
    sink.failNext(2, 429, 7);
    const webhookId = newWebhookId();
    const events = [created('u1', 1)];
    const first = await send(events, { webhookId });
    const second = await send(events, { webhookId });
    const third = await send(events, { webhookId });
    assert.deepEqual([first.status, second.status, third.status], [429, 429, 200]);
    assert.equal(first.headers.get('retry-after'), '7');
    assert.equal(third.headers.get('retry-after'), null);
    assert.equal(sink.faulted.length, 2);
    assert.deepEqual(
      sink.faulted.map((f) => [f.status, f.webhookId, f.eventCount]),
      [
        [429, webhookId, 1],
        [429, webhookId, 1],
      ],
    );
    assert.equal(sink.batches.length, 1);
    assert.equal(sink.batches[0]?.attempt, 3);
    assert.equal(sink.faults.failNext, 0);
  });

  test('failNext defaults to 503 without Retry-After; rejectStatus answers a non-retryable status instead', async () => {
    sink.failNext(1);
    const response = await send([created('u1', 1)]);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), null);
    sink.failNext(1);
    sink.faults.rejectStatus = 400;
    assert.equal((await send([created('u1', 1)])).status, 400);
    assert.equal((await send([created('u1', 1)])).status, 200);
  });

  test('faults apply only after authentication: a bad request while down is still a 401', async () => {
    sink.setDown(true);
    assert.equal((await send([created('u1', 1)], { apiKey: 'wrong' })).status, 401);
    assert.equal(sink.faulted.length, 0);
    assert.equal(sink.rejected.length, 1);
  });

  test('setDown answers every valid request with the fail status until brought back up', async () => {
    sink.setDown(true, 500);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await send([created('u1', 1)])).status);
    assert.deepEqual(statuses, [500, 500, 500]);
    assertNothingRecorded();
    sink.setDown(false);
    assert.equal((await send([created('u1', 1)])).status, 200);
    assert.equal(sink.events.length, 1);
  });

  test('latency delays the answer, and the batch is still recorded if the client gives up', async () => {
    sink.faults.latencyMs = 150;
    const started = Date.now();
    assert.equal((await send([created('u1', 1)])).status, 200);
    assert.ok(Date.now() - started >= 140, `answered after ${Date.now() - started} ms`);
    const body = JSON.stringify({ events: [created('u2', 1)] });
    await assert.rejects(
      fetch(sink.url, {
        method: 'POST',
        signal: AbortSignal.timeout(30),
        body,
        headers: signedHeaders(body),
      }),
    );
    await sink.waitFor((s) => s.events.length === 2, 2000);
    assert.deepEqual(Object.keys(sink.profiles(CONNECTION)).sort(), ['u1', 'u2']);
  });

  test('reset clears records and faults', async () => {
    await send([created('u1', 1)]);
    sink.failNext(3, 500, 2);
    sink.setDown(true);
    sink.faults.latencyMs = 5;
    sink.reset();
    assert.deepEqual(sink.faults, { failNext: 0, failStatus: 503, down: false, latencyMs: 0 });
    assertNothingRecorded();
    assert.equal(sink.state().users.size, 0);
  });
});

function signedHeaders(body: string): Record<string, string> {
  const id = newWebhookId();
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    authorization: `Bearer ${API_KEY}`,
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook({ id, timestamp, body, secret: decodeSigningSecret(SECRET) }),
  };
}

describe('state() oracle', () => {
  test('applies creates, updates and deletes in sequence order per user', async () => {
    await send([created('u1', 1), created('u2', 1), created('u3', 1)]);
    await send([
      updated('u1', 2, { jobTitle: 'CTO' }, { jobTitle: { old: 'Engineer', new: 'CTO' } }),
      deleted('u2', 2),
    ]);
    const state = sink.state();
    assert.deepEqual(sink.profiles(CONNECTION), {
      u1: profile('u1', { jobTitle: 'CTO' }),
      u3: profile('u3'),
    });
    assert.equal(state.users.get(`${CONNECTION}:u1`)?.jobTitle, 'CTO');
    assert.deepEqual(state.orderViolations, []);
    assert.deepEqual(state.changeMismatches, []);
    assert.equal(state.duplicates, 0);
    assert.deepEqual(
      [...state.lastSequence],
      [
        [`${CONNECTION}:u1`, 2],
        [`${CONNECTION}:u2`, 2],
        [`${CONNECTION}:u3`, 1],
      ],
    );
  });

  test('a deleted user that re-enters scope is present again', async () => {
    await send([created('u1', 1), deleted('u1', 2), created('u1', 3, { department: 'Sales' })]);
    assert.deepEqual(sink.profiles(CONNECTION), { u1: profile('u1', { department: 'Sales' }) });
  });

  test('counts duplicate ids and ignores them', async () => {
    const first = created('u1', 1);
    await send([first]);
    await send([first, updated('u1', 2, { mail: null }, { mail: { old: 'u1@contoso.example', new: null } })]);
    await send([first]);
    const state = sink.state();
    assert.equal(state.duplicates, 2);
    assert.deepEqual(state.orderViolations, []);
    assert.equal(sink.events.length, 4);
    assert.equal(state.users.get(`${CONNECTION}:u1`)?.mail, null);
  });

  test('detects order violations in arrival order but still applies in sequence order', async () => {
    const e1 = created('u1', 1);
    const e2 = updated('u1', 2, { jobTitle: 'A' }, { jobTitle: { old: 'Engineer', new: 'A' } });
    const e3 = updated('u1', 3, { jobTitle: 'B' }, { jobTitle: { old: 'A', new: 'B' } });
    await send([e1, e3]);
    await send([e2]);
    const state = sink.state();
    assert.deepEqual(state.orderViolations, [
      { connectionId: CONNECTION, userId: 'u1', eventId: e3.id, expected: 2, got: 3 },
      { connectionId: CONNECTION, userId: 'u1', eventId: e2.id, expected: 4, got: 2 },
    ]);
    assert.equal(state.users.get(`${CONNECTION}:u1`)?.jobTitle, 'B');
    assert.equal(state.lastSequence.get(`${CONNECTION}:u1`), 3);
    assert.deepEqual(state.changeMismatches, []);
  });

  test('a gap and a first sequence other than 1 are order violations', async () => {
    await send([
      created('u1', 2),
      created('u2', 1),
      updated('u2', 3, { surname: 'X' }, { surname: { old: 'Lovelace', new: 'X' } }),
    ]);
    assert.deepEqual(
      sink.state().orderViolations.map((v) => [v.userId, v.expected, v.got]),
      [
        ['u1', 1, 2],
        ['u2', 2, 3],
      ],
    );
  });

  test('detects changes that do not describe the update', async () => {
    const wrongNew = updated('u1', 2, { jobTitle: 'CTO' }, { jobTitle: { old: 'Engineer', new: 'CEO' } });
    const wrongOld = updated('u1', 3, { jobTitle: 'CFO' }, { jobTitle: { old: 'Intern', new: 'CFO' } });
    const unlisted = updated(
      'u1',
      4,
      { jobTitle: 'CFO', department: 'Finance', businessPhones: ['+1'] },
      {
        department: { old: 'R&D', new: 'Finance' },
      },
    );
    const unchanged = updated(
      'u1',
      5,
      { jobTitle: 'CFO', department: 'Finance', businessPhones: ['+1'] },
      {
        mail: { old: 'u1@contoso.example', new: 'u1@contoso.example' },
      },
    );
    await send([created('u1', 1), wrongNew, wrongOld, unlisted, unchanged]);
    const mismatches = sink
      .state()
      .changeMismatches.map((m) => [m.eventId, m.field, m.problem, m.expected, m.got]);
    assert.deepEqual(mismatches, [
      [wrongNew.id, 'jobTitle', 'new_differs_from_user', 'CTO', 'CEO'],
      [wrongOld.id, 'jobTitle', 'old_differs_from_previous', 'CTO', 'Intern'],
      [unlisted.id, 'businessPhones', 'changed_but_not_listed', [], ['+1']],
      [unchanged.id, 'mail', 'listed_but_unchanged', 'u1@contoso.example', 'u1@contoso.example'],
    ]);
  });

  test('flags a webhook-id reused for a different body', async () => {
    const webhookId = newWebhookId();
    await send([created('u1', 1)], { webhookId });
    await send([created('u2', 1)], { webhookId });
    assert.deepEqual(sink.state().webhookIdConflicts, [webhookId]);
  });

  test('keeps connections apart', async () => {
    await send([
      created('u1', 1),
      { ...created('u1', 1), connectionId: 'conn-2', user: profile('u1', { jobTitle: 'Other' }) },
    ]);
    assert.deepEqual(sink.profiles(CONNECTION), { u1: profile('u1') });
    assert.deepEqual(sink.profiles('conn-2'), { u1: profile('u1', { jobTitle: 'Other' }) });
    assert.deepEqual(sink.state().orderViolations, []);
  });
});

describe('waitFor', () => {
  test('resolves once the predicate holds', async () => {
    setTimeout(() => void send([created('u1', 1)]), 30);
    await sink.waitFor((s) => s.events.length === 1, 2000);
  });

  test('rejects with what arrived when the predicate never holds', async () => {
    await send([created('u1', 1)], { apiKey: 'nope' });
    await assert.rejects(
      sink.waitFor((s) => s.events.length === 5, 100, '5 events'),
      (error: Error) => {
        assert.match(error.message, /waited 100 ms for 5 events/);
        assert.match(error.message, /0 batches \/ 0 events/);
        assert.match(error.message, /1 rejected \(last: 401 missing or wrong Authorization bearer token\)/);
        return true;
      },
    );
  });

  test('reports the last assertion a throwing predicate made', async () => {
    await assert.rejects(
      sink.waitFor(() => assert.fail('no u9 yet'), 50),
      /predicate last threw: no u9 yet/,
    );
  });
});

test('the CLI prints one readable line per event', () => {
  const names = new Map([['u1', 'ada@contoso.example']]);
  const update = updated(
    'u1',
    4,
    { jobTitle: 'CTO', department: 'X' },
    {
      jobTitle: { old: 'Engineer', new: 'CTO' },
      department: { old: 'R&D', new: 'X' },
    },
  );
  const line = describeEvent({ ...update, receivedAt: Date.UTC(2024, 0, 1, 9, 30) }, names);
  assert.equal(
    line,
    '09:30:00.000  user.updated  u1@contoso.example  changed jobTitle, department  seq 4  (notification)',
  );
  const gone = describeEvent({ ...deleted('u1', 5), receivedAt: Date.UTC(2024, 0, 1, 9, 31) }, names);
  assert.equal(
    gone,
    '09:31:00.000  user.deleted  ada@contoso.example  reason deleted  seq 5  (notification)',
  );
});

test('close() does not wait for requests held by latency, and the port can be chosen', async () => {
  const own = await startLeenaSink({
    apiKey: API_KEY,
    signingSecret: SECRET.slice('whsec_'.length),
    path: '/hook',
  });
  own.faults.latencyMs = 60_000;
  const body = JSON.stringify({ events: [created('u1', 1)] });
  const pending = fetch(own.url, { method: 'POST', body, headers: signedHeaders(body) });
  await own.waitFor(() => true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await own.close();
  await assert.rejects(pending);
  assert.ok(Date.now() - started < 1000);
  assert.equal(own.events.length, 0);
  assert.match(own.url, /\/hook$/);
});

test('startLeenaSink refuses an invalid signing secret and a taken port', async () => {
  await assert.rejects(
    startLeenaSink({ apiKey: API_KEY, signingSecret: 'whsec_not base64' }),
    /not valid base64/,
  );
  const port = Number(new URL(sink.url).port);
  await assert.rejects(startLeenaSink({ apiKey: API_KEY, signingSecret: SECRET, port }), /EADDRINUSE/);
});
