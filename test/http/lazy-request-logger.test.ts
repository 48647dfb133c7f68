import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { lazyChildLoggerFactory } from '../../src/http/lazy-request-logger.js';
import { createLogger } from '../../src/observability/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('lazy per-request logger', () => {
  it('logs from a request carry its reqId and are still redacted', async () => {
    const { lines, logger } = capture();
    const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, childLoggerFactory: lazyChildLoggerFactory, disableRequestLogging: true });
    app.get('/quiet', async () => ({ ok: true }));
    app.get('/loud', async (request) => {
      request.log.warn({ clientSecret: 'very-secret-value', n: 1 }, 'something odd');
      request.log.debug('not shown at info');
      return { ok: true };
    });
    await app.inject({ method: 'GET', url: '/quiet' });
    const res = await app.inject({ method: 'GET', url: '/loud' });
    await app.close();
    assert.equal(res.statusCode, 200);
    const logged = lines.filter((l) => l.msg === 'something odd');
    assert.equal(logged.length, 1);
    assert.match(String(logged[0]!.reqId), /^req-/);
    assert.equal(logged[0]!.clientSecret, '[redacted]');
    assert.equal(lines.filter((l) => l.msg === 'not shown at info').length, 0);
  });

  it('does not build the child until something is logged, and behaves like one after', () => {
    let children = 0;
    const { logger } = capture();
    const counting = new Proxy(logger, {
      get(target, property, receiver) {
        if (property === 'child') return (...args: Parameters<typeof logger.child>) => (children++, target.child(...args));
        return Reflect.get(target, property, receiver);
      },
    }) as unknown as FastifyBaseLogger;
    const lazy = lazyChildLoggerFactory.call(undefined as never, counting, { reqId: 'req-7' }, {}, undefined as never);
    assert.equal(lazy.level, 'info');
    assert.equal(children, 0);
    lazy.info('hello');
    assert.equal(children, 1);
    lazy.error('again');
    assert.equal(children, 1);
    assert.equal(typeof lazy.child({ a: 1 }).info, 'function');
  });
});
