/**
 * The one context object every route plugin and background worker receives. Built once by
 * main.ts (or by a test), so dependencies travel explicitly and nothing is a module singleton.
 */
import type { Config } from './config/config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Database } from './db/database.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';

export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly secretBox: SecretBox;
  /** Identifies this process in leases ("which replica holds this work"). */
  readonly replicaId: string;
  /** Flipped at shutdown: /readyz answers 503 so load balancers drain this replica. */
  readonly lifecycle: { shuttingDown: boolean };
}
