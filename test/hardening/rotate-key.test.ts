/**
 * `entra-sync rotate-key` while the service keeps running: replicas behind a load balancer are
 * rolled onto SECRET_KEY=new + SECRET_KEY_PREVIOUS=old, rotate-key rewrites every stored secret,
 * the replicas are rolled again with the new key alone — and all along Graph changes keep
 * reaching Leena AI, the load balancer never answers anything but 200 on /readyz, and afterwards
 * the old key alone decrypts nothing.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { command } from '../../src/cli/commands/rotate-key.js';
import { ENCRYPTED_COLUMNS } from '../../src/crypto/rotate-key.js';
import { createSecretBox, SecretKeyError } from '../../src/crypto/secret-box.js';
import { TEST_SECRET_KEY } from '../helpers/context.js';
import type { ServiceProcess } from '../helpers/service-process.js';
import { startFleet, type Fleet } from './support/fleet.js';
import { send } from './support/http.js';
import {
  addTenant,
  assertConverged,
  connect,
  isConverged,
  lostEvents,
  sleep,
  waitUntil,
} from './support/world.js';

const OLD = Buffer.from(TEST_SECRET_KEY, 'base64');
const NEW = randomBytes(32);

/** The key id secret-box.ts writes into every blob (bytes 1..4). */
const keyId = (key: Buffer) =>
  createHash('sha256').update('entra-sync key id').update(key).digest().subarray(0, 4);

async function runRotateKey(
  fleet: Fleet,
  args: string[] = [],
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const env = {
    DATABASE_URL: fleet.db.url,
    SECRET_KEY: NEW.toString('base64'),
    SECRET_KEY_PREVIOUS: OLD.toString('base64'),
  };
  const code = await command.run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out, err };
}

/** Every bytea value in every table, with where it lives. */
async function allBlobs(fleet: Fleet): Promise<Array<{ where: string; blob: Buffer }>> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND data_type = 'bytea' ORDER BY 1, 2`.execute(fleet.db.database.db);
  const found: Array<{ where: string; blob: Buffer }> = [];
  for (const c of columns.rows) {
    const rows = await sql<{
      v: Buffer | null;
    }>`SELECT ${sql.ref(c.column_name)} AS v FROM ${sql.table(c.table_name)}`.execute(fleet.db.database.db);
    for (const r of rows.rows) if (r.v) found.push({ where: `${c.table_name}.${c.column_name}`, blob: r.v });
  }
  return found;
}

describe('rotate-key: re-encrypting every stored secret without downtime', () => {
  let fleet: Fleet;
  const tenants = [] as Array<ReturnType<typeof addTenant>>;
  const ids: string[] = [];
  let stopChanges = false;
  let changes: Promise<void>;
  let changesMade = 0;
  const readiness = { ok: 0, failed: [] as string[] };
  let probing: Promise<void>;

  /** A change made now reaches Leena AI: the service is syncing and delivering at this moment. */
  async function markerArrives(index: number, label: string): Promise<void> {
    const tenantId = tenants[index]!.tenantId;
    const user = fleet.sim.listUsers(tenantId)[0]!;
    fleet.sim.updateUser(tenantId, user.id, { officeLocation: label });
    await waitUntil(
      `"${label}" delivered for connection ${index + 1}`,
      () => fleet.sink.profiles(ids[index]!)[user.id]?.officeLocation === label,
      15_000,
    );
  }

  before(async () => {
    fleet = await startFleet();
    tenants.push(addTenant(fleet.sim, 15, 1), addTenant(fleet.sim, 15, 2));
  });
  after(async () => {
    stopChanges = true;
    await changes?.catch(() => {});
    await probing?.catch(() => {});
    await fleet?.close();
  });

  it('rolls the keys with changes flowing, and ends with every secret under the new key only', async () => {
    const started = Date.now();
    // Before: one replica on the old key, one connection stored under it.
    const a = await fleet.start({ SECRET_KEY: OLD.toString('base64') });
    ids.push(await connect(fleet.url, 'before-rotation', tenants[0]!, fleet.sink.url));
    await waitUntil(
      'initial sync of the first connection',
      () => isConverged(fleet.sink, fleet.sim, ids[0]!, tenants[0]!.tenantId),
      30_000,
    );

    // A steady trickle of directory changes, and readiness probed through the load balancer, all along.
    changes = (async () => {
      for (let i = 0; !stopChanges; i++) {
        const t = tenants[i % 2]!;
        const users = fleet.sim.listUsers(t.tenantId);
        if (ids.length > i % 2)
          fleet.sim.updateUser(t.tenantId, users[i % users.length]!.id, { jobTitle: `Rotation ${i}` });
        changesMade += 1;
        await sleep(150);
      }
    })();
    probing = (async () => {
      while (!stopChanges) {
        // A new connection per probe, as a load balancer's health check makes.
        const res = await send(fleet.url, { method: 'GET', path: '/readyz' });
        if (res.status === 200) readiness.ok += 1;
        else readiness.failed.push(`${res.status} ${res.error ?? res.body}`);
        await sleep(50);
      }
    })();
    // Step 1: roll every replica onto SECRET_KEY=new, SECRET_KEY_PREVIOUS=old (start the new, drain, stop the old).
    const both = { SECRET_KEY: NEW.toString('base64'), SECRET_KEY_PREVIOUS: OLD.toString('base64') };
    const b = await fleet.start(both);
    fleet.drain(a);
    await sleep(300); // like a preStop delay: probes already routed to it finish first
    const aExit = await a.stop('SIGTERM');
    assert.equal(aExit, 0, a.output.slice(-15).join('\n'));
    const c = await fleet.start(both);
    // A connection added now is stored under the new key straight away.
    ids.push(await connect(fleet.url, 'during-rotation', tenants[1]!, fleet.sink.url));
    await waitUntil(
      'initial sync of the second connection',
      () => Object.keys(fleet.sink.profiles(ids[1]!)).length === 15,
      30_000,
    );
    await markerArrives(0, 'after step 1');
    const before = await allBlobs(fleet);
    assert.equal(
      before.filter((b) => b.blob.subarray(1, 5).equals(keyId(OLD))).length,
      3,
      'the first connection is still under the old key',
    );

    // Step 2: rotate-key, while both replicas work.
    const dry = await runRotateKey(fleet, ['--dry-run']);
    assert.equal(dry.code, 0, dry.err.join('\n'));
    assert.match(
      dry.out[0]!,
      /^2 connections, 6 stored secrets: would re-encrypt 3 under SECRET_KEY, 3 already under it/,
    );
    const rotated = await runRotateKey(fleet);
    assert.equal(rotated.code, 0, rotated.err.join('\n'));
    assert.match(
      rotated.out[0]!,
      /^2 connections, 6 stored secrets: re-encrypted 3 under SECRET_KEY, 3 already under it/,
    );
    assert.match(rotated.out[1]!, /remove SECRET_KEY_PREVIOUS/);
    const again = await runRotateKey(fleet);
    assert.match(again.out[0]!, /re-encrypted 0 under SECRET_KEY, 6 already under it/, 'idempotent');

    // Every blob anywhere in the database: under the new key, readable with it alone, unreadable with the old alone.
    const newOnly = createSecretBox([NEW]);
    const oldOnly = createSecretBox([OLD]);
    const blobs = await allBlobs(fleet);
    assert.ok(
      blobs.every((b) => b.blob.subarray(1, 5).equals(keyId(NEW)) || !b.where.startsWith('connections.')),
      'every secret under the new key id',
    );
    for (const id of ids) {
      const row = await fleet.db.database.db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      for (const col of ENCRYPTED_COLUMNS) {
        assert.ok(newOnly.decrypt(row[col.column], col.context(id)).length > 0);
        assert.throws(
          () => oldOnly.decrypt(row[col.column], col.context(id)),
          SecretKeyError,
          `${col.field} of ${row.name} still opens with the old key`,
        );
      }
    }
    assert.equal(
      blobs.filter((b) => b.blob.subarray(1, 5).equals(keyId(OLD))).length,
      0,
      'no blob anywhere under the old key',
    );

    await markerArrives(1, 'after step 2');
    // Step 3: drop the previous key (roll again) and keep syncing.
    const d = await fleet.start({ SECRET_KEY: NEW.toString('base64'), SECRET_KEY_PREVIOUS: undefined });
    for (const old of [b, c] as ServiceProcess[]) {
      fleet.drain(old);
      await sleep(300);
      assert.equal(await old.stop('SIGTERM'), 0);
    }
    await markerArrives(0, 'after step 3');
    await markerArrives(1, 'after step 3');
    stopChanges = true;
    await changes;
    await probing;
    await waitUntil(
      'converged on the new key alone',
      () => ids.every((id, i) => isConverged(fleet.sink, fleet.sim, id, tenants[i]!.tenantId)),
      30_000,
    );
    for (const [i, id] of ids.entries()) {
      assertConverged(fleet.sink, fleet.sim, id, tenants[i]!.tenantId);
      assert.deepEqual(await lostEvents(fleet.db, fleet.sink, id), []);
    }
    const problems = [a, b, c, d]
      .flatMap((r) => r.output)
      .filter((l) => /cannot decrypt|SecretKeyError|neither SECRET_KEY|failed authentication/.test(l));
    assert.deepEqual(problems, [], 'no replica ever failed to decrypt');
    assert.deepEqual(readiness.failed, [], 'the load balancer always had a ready replica');
    console.log(
      `[hardening] rotate-key: 6 secrets of 2 connections rotated across 4 replica starts in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `${changesMade} directory changes made meanwhile, ${fleet.sink.events.length} events delivered, 0 lost; ` +
        `/readyz through the load balancer ${readiness.ok}/${readiness.ok + readiness.failed.length} ready`,
    );
  });

  it('refuses with exit 1, naming the connection, when a secret is under a key it was not given', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const stranger = randomBytes(32).toString('base64');
    const code = await command.run([], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { DATABASE_URL: fleet.db.url, SECRET_KEY: stranger },
    });
    assert.equal(code, 1);
    assert.match(
      err.join('\n'),
      /connection "before-rotation", client secret: stored secret was encrypted with a key that is neither SECRET_KEY nor SECRET_KEY_PREVIOUS/,
    );
    assert.match(err.at(-1)!, /6 secrets could not be decrypted: set SECRET_KEY_PREVIOUS/);
    const noKey = await command
      .run([], { out: () => {}, err: () => {}, env: { DATABASE_URL: fleet.db.url } })
      .catch((e: unknown) => e);
    assert.match(String(noKey), /SECRET_KEY is not set/);
  });
});
