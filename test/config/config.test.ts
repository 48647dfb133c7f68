import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const KEY = Buffer.alloc(32, 1).toString('base64');
const base = { ADMIN_TOKEN: 'a-long-enough-admin-token' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return [...error.problems];
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig(base);
    assert.equal(c.dataDir, './.data');
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 3000);
    assert.equal(c.graphBaseUrl, 'https://graph.microsoft.com');
    assert.equal(c.authorityUrl, 'https://login.microsoftonline.com');
    assert.equal(c.reconcileCron, '0 2 * * *');
    assert.equal(c.reconcileTimezone, 'UTC');
    assert.equal(c.subscriptionLifetimeMinutes, 41760);
    assert.equal(c.subscriptionRenewCheckSeconds, 3600);
    assert.equal(c.changeDebounceMs, 1000);
    assert.equal(c.groupPollSeconds, 300);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.defaultConnection, undefined);
    assert.deepEqual(c.secretKeys, []);
  });

  it('is frozen', () => {
    const c = loadConfig(base);
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.delivery));
    assert.throws(() => {
      (c as { port: number }).port = 1;
    });
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      SECRET_KEY: 'short',
      CHANGE_DEBOUNCE_MS: '-5',
      LOG_LEVEL: 'loud',
      RECONCILE_TIMEZONE: 'Mars/Olympus',
      SUBSCRIPTION_LIFETIME_MINUTES: '50000',
      GRAPH_BASE_URL: 'not a url',
    });
    const names = problems.map((p) => p.split(':')[0]).sort();
    assert.deepEqual(names, [
      'ADMIN_TOKEN',
      'CHANGE_DEBOUNCE_MS',
      'GRAPH_BASE_URL',
      'LOG_LEVEL',
      'PORT',
      'RECONCILE_TIMEZONE',
      'SECRET_KEY',
      'SUBSCRIPTION_LIFETIME_MINUTES',
    ]);
    assert.match(problems.find((p) => p.startsWith('SECRET_KEY'))!, /32 random bytes/);
    assert.match(problems.find((p) => p.startsWith('PORT'))!, /"eighty"/);
  });

  it('rejects a bad cron expression', () => {
    assert.match(problemsOf({ ...base, RECONCILE_CRON: 'every night' })[0]!, /^RECONCILE_CRON: not a valid cron/);
  });

  it('requires the whole default connection once any ENTRA_/LEENA_ value is set', () => {
    const problems = problemsOf({ ...base, ENTRA_TENANT_ID: 'contoso.onmicrosoft.com' });
    const names = problems.map((p) => p.split(':')[0]).sort();
    assert.deepEqual(names, [
      'ENTRA_CLIENT_ID',
      'ENTRA_CLIENT_SECRET',
      'LEENA_API_KEY',
      'LEENA_SIGNING_SECRET',
      'LEENA_URL',
      'PUBLIC_URL',
      'SECRET_KEY',
    ]);
  });

  it('builds the default connection from ENTRA_* and LEENA_*', () => {
    const c = loadConfig({
      ...base,
      SECRET_KEY: KEY,
      PUBLIC_URL: 'https://sync.example.com/',
      ENTRA_TENANT_ID: 't',
      ENTRA_CLIENT_ID: 'c',
      ENTRA_CLIENT_SECRET: 's',
      ENTRA_CLIENT_SECRET_EXPIRES_AT: '2028-11-26',
      ENTRA_GROUP_ID: 'g',
      LEENA_URL: 'https://leena.example.com/hooks',
      LEENA_API_KEY: 'k',
      LEENA_SIGNING_SECRET: 'whsec_x',
    });
    assert.equal(c.publicUrl, 'https://sync.example.com');
    assert.equal(c.defaultConnection?.groupId, 'g');
    assert.equal(c.defaultConnection?.clientSecretExpiresAt?.toISOString(), '2028-11-26T00:00:00.000Z');
    assert.equal(c.secretKeys.length, 1);
  });

  it('accepts http only for loopback simulators', () => {
    assert.match(problemsOf({ ...base, GRAPH_BASE_URL: 'http://graph.example.com' })[0]!, /^GRAPH_BASE_URL: must be https/);
    assert.match(
      problemsOf({ ...base, ENTRA_AUTHORITY_URL: 'http://login.example.com' })[0]!,
      /^ENTRA_AUTHORITY_URL: must be https/,
    );
    assert.match(problemsOf({ ...base, PUBLIC_URL: 'http://sync.example.com' })[0]!, /^PUBLIC_URL: Graph only delivers/);
    const ok = loadConfig({
      ...base,
      GRAPH_BASE_URL: 'http://127.0.0.1:4000',
      ENTRA_AUTHORITY_URL: 'http://localhost:4000',
      PUBLIC_URL: 'http://127.0.0.1:3000',
    });
    assert.equal(ok.graphBaseUrl, 'http://127.0.0.1:4000');
  });

  it('stops the process with one clear message and no stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, PORT: 'nope', SECRET_KEY: 'bad' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^entra-sync cannot start\. Invalid configuration:/);
    assert.match(result.stderr, /PORT: expected a whole number/);
    assert.match(result.stderr, /SECRET_KEY: expected 32 random bytes/);
    assert.match(result.stderr, /ADMIN_TOKEN: required/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});
