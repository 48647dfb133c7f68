/**
 * Background work of this replica. Every kind of work is a row in Postgres claimed under a
 * lease, so any replica can do any of it and a dead replica's work is taken over when its lease
 * runs out.
 */
import type { AppOptions } from './app.js';
import type { AppContext } from './context.js';

export interface Workers {
  readonly appOptions: AppOptions;
  stop(): Promise<void>;
}

export function startWorkers(_ctx: AppContext): Workers {
  return {
    appOptions: {},
    async stop() {},
  };
}
