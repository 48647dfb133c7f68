/**
 * Replicas of the real service as child processes behind a load balancer (a TCP proxy whose
 * address is PUBLIC_URL, so Graph keeps reaching "the service" while replicas come and go), on
 * one test database, with the Graph simulator and the Leena AI sink in this process.
 */
import { startGraphSimulator, type GraphSimulator } from '../../../src/simulator/graph-simulator.js';
import { startLeenaSink, type LeenaSink } from '../../../src/simulator/leena-sink.js';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from '../../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import type { ServiceProcess } from '../../helpers/service-process.js';
import { startFastService } from './fast-service.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { SINK_API_KEY, SINK_SIGNING_SECRET } from './world.js';

export interface Fleet {
  readonly sim: GraphSimulator;
  readonly sink: LeenaSink;
  readonly db: TestDatabase;
  readonly lb: TcpProxy;
  /** The load balancer's URL: PUBLIC_URL, and where tests call the admin API. */
  readonly url: string;
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Starts a replica and puts it behind the load balancer once ready. */
  start(extra?: Record<string, string | undefined>): Promise<ServiceProcess>;
  /** Takes a replica out of the load balancer (as an orchestrator does before stopping it). */
  drain(replica: ServiceProcess): void;
  close(): Promise<void>;
}

export async function startFleet(
  options: { databaseUrl?: (testDatabaseUrl: string) => string } = {},
): Promise<Fleet> {
  const sim = await startGraphSimulator();
  sim.faults.notificationRetryBaseMs = 200;
  const sink = await startLeenaSink({ apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET });
  const db = await createTestDatabase();
  const lb = await startTcpProxy([]);
  const running = new Set<ServiceProcess>();
  const url = `http://127.0.0.1:${lb.port}`;
  const fleet: Fleet = {
    sim,
    sink,
    db,
    lb,
    url,
    env: (extra = {}) => ({
      DATABASE_URL: options.databaseUrl?.(db.url) ?? db.url,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SECRET_KEY: TEST_SECRET_KEY,
      PUBLIC_URL: url,
      GRAPH_BASE_URL: sim.url,
      ENTRA_AUTHORITY_URL: sim.url,
      ALLOW_INSECURE_LEENA_URL: 'true',
      CHANGE_DEBOUNCE_MS: '100',
      LEASE_SECONDS: '5',
      DELIVERY_BACKOFF_BASE_MS: '100',
      DELIVERY_BACKOFF_MAX_MS: '1000',
      LOG_LEVEL: 'info',
      ...extra,
    }),
    async start(extra = {}) {
      const replica = await startFastService(fleet.env(extra));
      running.add(replica);
      void replica.exited.then(() => running.delete(replica));
      lb.targets = [...lb.targets, { host: '127.0.0.1', port: replica.port }];
      return replica;
    },
    drain(replica) {
      lb.targets = lb.targets.filter((t) => t.port !== replica.port);
    },
    async close() {
      await Promise.all([...running].map((p) => p.stop('SIGKILL')));
      await lb.close();
      await sink.close();
      await sim.close();
      await db.drop();
    },
  };
  return fleet;
}
