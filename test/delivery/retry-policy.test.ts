import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressProblem, guardedLookup } from '../../src/delivery/outbound-guard.js';
import { excerptOf } from '../../src/delivery/leena-response.js';
import {
  backoffDelayMs,
  classifyStatus,
  parseRetryAfter,
  retriesExhausted,
  retryDelayMs,
} from '../../src/delivery/retry-policy.js';

const options = { baseMs: 1000, maxMs: 3_600_000 };

describe('retry policy', () => {
  it('full jitter: uniform between 0 and min(max, base * 2^(attempt-1))', () => {
    assert.equal(
      backoffDelayMs(1, options, () => 0.999999),
      999,
    );
    assert.equal(
      backoffDelayMs(4, options, () => 0.5),
      4000,
    );
    assert.equal(
      backoffDelayMs(3, options, () => 0),
      0,
    );
    assert.equal(
      backoffDelayMs(40, options, () => 0.999999),
      3_599_996,
      'capped at the maximum',
    );
    assert.equal(
      backoffDelayMs(10_000, options, () => 0.5),
      1_800_000,
      'no overflow for huge attempt counts',
    );
    const samples = Array.from({ length: 2000 }, () => backoffDelayMs(5, options));
    assert.ok(samples.every((d) => d >= 0 && d < 16_000));
    assert.ok(Math.min(...samples) < 2000 && Math.max(...samples) > 14_000, 'spread over the whole range');
  });

  it('Retry-After in seconds or as an HTTP date wins over the backoff', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Thu, 26 Nov 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Thu, 26 Nov 2026 09:00:00 GMT', now), 0, 'a past date means now');
    for (const bad of [undefined, '', '-5', '1.5', 'soon', '12abc'])
      assert.equal(parseRetryAfter(bad, now), undefined, String(bad));
    assert.equal(retryDelayMs(20, 2000, options), 2000);
    assert.ok(retryDelayMs(1, undefined, options) < 1000);
  });

  it('classifies answers: 2xx delivered; 429, 5xx, 408 and 3xx retried; other 4xx refused', () => {
    for (const s of [200, 201, 202, 204]) assert.equal(classifyStatus(s), 'delivered');
    for (const s of [429, 500, 502, 503, 504, 408, 301, 302, 307, 308])
      assert.equal(classifyStatus(s), 'retry', String(s));
    for (const s of [400, 401, 403, 404, 409, 413, 415, 422])
      assert.equal(classifyStatus(s), 'reject', String(s));
  });

  it('gives up once the retry window since the first attempt has passed', () => {
    const first = new Date('2026-11-23T10:00:00Z');
    assert.equal(retriesExhausted(first, 72, Date.parse('2026-11-26T09:59:59Z')), false);
    assert.equal(retriesExhausted(first, 72, Date.parse('2026-11-26T10:00:00Z')), true);
  });

  it('response excerpts are bounded, printable and never repeat the API key', () => {
    const echoed = excerptOf(
      `{"error":"bad key secret-key-123","x":"${'y'.repeat(2000)}"}\u0000`,
      'secret-key-123',
    );
    assert.ok(!echoed.includes('secret-key-123'));
    assert.ok(echoed.includes('[redacted]'));
    assert.ok(echoed.length <= 501);
    assert.ok(!echoed.includes('\u0000'));
  });
});

describe('outbound address guard', () => {
  const strict = { allowInsecureUrl: false, allowPrivateUrl: false };
  it('refuses private, link-local and metadata addresses unless allowed', () => {
    assert.equal(addressProblem('20.190.160.1', strict), undefined);
    assert.match(
      addressProblem('10.1.2.3', strict)!,
      /private network address \(10\.1\.2\.3\).*ALLOW_PRIVATE_LEENA_URL/,
    );
    assert.match(addressProblem('169.254.169.254', strict)!, /metadata/);
    assert.match(addressProblem('fe80::1', strict)!, /link-local/);
    assert.match(addressProblem('127.0.0.1', strict)!, /this machine/);
    assert.equal(addressProblem('127.0.0.1', { ...strict, allowInsecureUrl: true }), undefined);
    assert.equal(addressProblem('10.1.2.3', { ...strict, allowPrivateUrl: true }), undefined);
  });

  it('checks every address a name resolves to, inside the socket lookup', async () => {
    const resolver = (addresses: string[]) =>
      ((
        _host: string,
        _options: unknown,
        callback: (e: null, a: Array<{ address: string; family: number }>) => void,
      ) =>
        callback(
          null,
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        )) as never;
    const run = (addresses: string[], all: boolean) =>
      new Promise<{ error: Error | null; result: unknown }>((resolve) =>
        guardedLookup(strict, resolver(addresses))(
          'leena.example',
          { all } as never,
          (error: Error | null, result: unknown) => resolve({ error, result }),
        ),
      );
    const ok = await run(['20.190.160.1', '2603:1030::1'], false);
    assert.equal(ok.error, null);
    assert.equal(ok.result, '20.190.160.1');
    assert.equal(((await run(['20.190.160.1'], true)).result as unknown[]).length, 1);
    const rebinding = await run(['20.190.160.1', '10.0.0.7'], false);
    assert.match(
      String(rebinding.error?.message),
      /Leena AI host leena\.example resolves to a private network address \(10\.0\.0\.7\)/,
    );
  });
});
