import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import {
  decodeSigningSecret,
  generateSigningSecret,
  newWebhookId,
  signWebhook,
  verifyWebhook,
} from '../../src/delivery/signing.js';

// The test vector published with the Standard Webhooks specification.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

function headersFor(id: string, timestamp: number, signature: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

test('signWebhook reproduces the Standard Webhooks specification test vector', () => {
  const secret = decodeSigningSecret(SPEC.secret);
  assert.equal(
    signWebhook({ id: SPEC.id, timestamp: SPEC.timestamp, body: SPEC.body, secret }),
    SPEC.signature,
  );
});

test('verifyWebhook accepts the specification test vector at its own time', () => {
  const result = verifyWebhook({
    headers: headersFor(SPEC.id, SPEC.timestamp, SPEC.signature),
    body: SPEC.body,
    secret: decodeSigningSecret(SPEC.secret),
    now: SPEC.timestamp + 10,
  });
  assert.deepEqual(result, { ok: true });
});

test('the official standardwebhooks verifier accepts our signatures', () => {
  const secretText = generateSigningSecret();
  const id = newWebhookId();
  const timestamp = nowSeconds();
  const body = JSON.stringify({ events: [{ id: 'evt_1', type: 'user.deleted', reason: 'deleted' }] });
  const signature = signWebhook({ id, timestamp, body, secret: decodeSigningSecret(secretText) });
  const payload = new Webhook(secretText).verify(body, headersFor(id, timestamp, signature));
  assert.deepEqual(payload, JSON.parse(body));
  // and one whose secret has no whsec_ prefix, with non-ASCII in the body
  const plain = generateSigningSecret().slice('whsec_'.length);
  const unicode = JSON.stringify({ displayName: 'Zoë Ångström 日本' });
  const sig = signWebhook({ id, timestamp, body: unicode, secret: decodeSigningSecret(plain) });
  assert.deepEqual(new Webhook(plain).verify(unicode, headersFor(id, timestamp, sig)), JSON.parse(unicode));
});

test('we accept signatures made by the official standardwebhooks signer', () => {
  const secretText = generateSigningSecret();
  const id = newWebhookId();
  const timestamp = nowSeconds();
  const body = '{"events":[]}';
  const signature = new Webhook(secretText).sign(id, new Date(timestamp * 1000), body);
  const result = verifyWebhook({
    headers: headersFor(id, timestamp, signature),
    body,
    secret: decodeSigningSecret(secretText),
  });
  assert.deepEqual(result, { ok: true });
});

test('verifyWebhook rejects tampering, wrong secrets, stale timestamps and missing headers', () => {
  const secret = decodeSigningSecret(generateSigningSecret());
  const id = newWebhookId();
  const timestamp = nowSeconds();
  const body = '{"events":[{"id":"evt_1"}]}';
  const headers = headersFor(id, timestamp, signWebhook({ id, timestamp, body, secret }));
  const verify = (overrides: Partial<Parameters<typeof verifyWebhook>[0]>) =>
    verifyWebhook({ headers, body, secret, ...overrides });

  assert.deepEqual(verify({}), { ok: true });
  assert.deepEqual(verify({ body: body.replace('evt_1', 'evt_2') }), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verify({ secret: decodeSigningSecret(generateSigningSecret()) }), {
    ok: false,
    reason: 'bad_signature',
  });
  assert.deepEqual(verify({ headers: { ...headers, 'webhook-id': newWebhookId() } }), {
    ok: false,
    reason: 'bad_signature',
  });
  assert.deepEqual(verify({ now: timestamp + 301 }), { ok: false, reason: 'timestamp_out_of_tolerance' });
  assert.deepEqual(verify({ now: timestamp - 301 }), { ok: false, reason: 'timestamp_out_of_tolerance' });
  assert.deepEqual(verify({ now: timestamp + 300 }), { ok: true });
  assert.deepEqual(verify({ now: timestamp + 60, toleranceSeconds: 30 }), {
    ok: false,
    reason: 'timestamp_out_of_tolerance',
  });
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const partial: Record<string, string> = { ...headers };
    delete partial[name];
    assert.deepEqual(verify({ headers: partial }), { ok: false, reason: 'missing_headers' }, name);
  }
  for (const bad of ['abc', '1614265330.5', '-5', '']) {
    const expected = bad === '' ? 'missing_headers' : 'bad_timestamp';
    assert.deepEqual(verify({ headers: { ...headers, 'webhook-timestamp': bad } }), {
      ok: false,
      reason: expected,
    });
  }
});

test('verifyWebhook accepts any matching entry of a signature list and ignores other versions', () => {
  const secret = decodeSigningSecret(generateSigningSecret());
  const id = newWebhookId();
  const timestamp = nowSeconds();
  const body = '{}';
  const good = signWebhook({ id, timestamp, body, secret });
  const other = signWebhook({ id, timestamp, body, secret: decodeSigningSecret(generateSigningSecret()) });
  const v2 = good.replace('v1,', 'v2,');
  const check = (signature: string) =>
    verifyWebhook({ headers: headersFor(id, timestamp, signature), body, secret });
  assert.deepEqual(check(`${other} ${good}`), { ok: true });
  assert.deepEqual(check(`${v2} ${other}`), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(check('v1'), { ok: false, reason: 'bad_signature' });
  // header names are case-insensitive and Node's array-valued headers are accepted
  const mixed = {
    'Webhook-Id': id,
    'WEBHOOK-TIMESTAMP': String(timestamp),
    'webhook-signature': [other, good],
  };
  assert.deepEqual(verifyWebhook({ headers: mixed, body, secret }), { ok: true });
});

test('decodeSigningSecret strips whsec_ and rejects empty or non-base64 secrets', () => {
  assert.deepEqual(decodeSigningSecret('whsec_AQID'), Buffer.from([1, 2, 3]));
  assert.deepEqual(decodeSigningSecret('AQID'), Buffer.from([1, 2, 3]));
  assert.deepEqual(decodeSigningSecret('whsec_AQI='), Buffer.from([1, 2]));
  assert.deepEqual(decodeSigningSecret('whsec_AQI'), Buffer.from([1, 2]));
  for (const bad of ['', 'whsec_', 'not base64!', 'whsec_abc$def', 'A', 'AQID====', 'whsec_ AQID']) {
    assert.throws(
      () => decodeSigningSecret(bad),
      /Signing secret is (empty|not valid base64)/,
      JSON.stringify(bad),
    );
  }
  // the error never echoes the secret
  assert.throws(
    () => decodeSigningSecret('whsec_sup3r-s3cret!'),
    (error: Error) => !error.message.includes('s3cret'),
  );
});

test('generated secrets and webhook ids have the documented shape and do not repeat', () => {
  const secret = generateSigningSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(decodeSigningSecret(secret).length, 32);
  const ids = new Set(Array.from({ length: 10_000 }, () => newWebhookId()));
  assert.equal(ids.size, 10_000);
  for (const id of ids) assert.match(id, /^msg_[A-Za-z0-9_-]{24}$/);
});

test('property: sign then verify succeeds; changing any one body character or signature byte fails', () => {
  let tried = 0;
  const input = fc.record({
    body: fc.string({ unit: 'binary', maxLength: 2000 }),
    id: fc.string({ minLength: 1, maxLength: 60 }),
    key: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    timestamp: fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
    position: fc.nat(),
  });
  fc.assert(
    fc.property(input, ({ body, id, key, timestamp, position }) => {
      tried += 1;
      const secret = decodeSigningSecret(`whsec_${Buffer.from(key).toString('base64')}`);
      assert.deepEqual(secret, Buffer.from(key));
      const signature = signWebhook({ id, timestamp, body, secret });
      const headers = headersFor(id, timestamp, signature);
      const verify = (b: string, h: Record<string, string>) =>
        verifyWebhook({ headers: h, body: b, secret, now: timestamp });
      assert.deepEqual(verify(body, headers), { ok: true });

      const tampered = body.length === 0 ? 'x' : replaceCharAt(body, position % body.length);
      assert.deepEqual(verify(tampered, headers), { ok: false, reason: 'bad_signature' });

      const sigBytes = Buffer.from(signature);
      const at = 3 + (position % (sigBytes.length - 3)); // a byte of the base64 part, after 'v1,'
      sigBytes[at] = (sigBytes[at] ?? 0) ^ 0x01;
      assert.deepEqual(verify(body, { ...headers, 'webhook-signature': sigBytes.toString('latin1') }), {
        ok: false,
        reason: 'bad_signature',
      });
    }),
    { numRuns: 1000 },
  );
  console.log(`property test: ${tried} random inputs tried`);
  assert.ok(tried >= 1000);
});

function replaceCharAt(text: string, index: number): string {
  const code = text.charCodeAt(index);
  const replacement = String.fromCharCode(code === 0x41 ? 0x42 : 0x41);
  return text.slice(0, index) + replacement + text.slice(index + 1);
}
