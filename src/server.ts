/**
 * Process concerns: listen, and close gracefully on SIGTERM/SIGINT — readiness turns 503, the
 * HTTP server stops accepting and finishes in-flight requests, workers finish their current step,
 * then pools close. A second signal exits at once.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';

export interface Closeable {
  readonly name: string;
  close(): Promise<void>;
}

export interface RunningServer {
  readonly url: string;
  shutdown(reason: string): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 25_000;

export async function startServer(
  app: FastifyInstance,
  ctx: AppContext,
  closeAfterHttp: readonly Closeable[],
): Promise<RunningServer> {
  await app.listen({ host: ctx.config.host, port: ctx.config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.config.port;
  const url = `http://${ctx.config.host === '0.0.0.0' ? '127.0.0.1' : ctx.config.host}:${port}`;
  let closing: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      ctx.lifecycle.shuttingDown = true;
      ctx.logger.info({ reason }, 'shutting down: no new work, finishing in-flight requests');
      const force = setTimeout(() => {
        ctx.logger.error('graceful shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_GRACE_MS);
      force.unref();
      await app.close().catch((error: unknown) => ctx.logger.error({ err: error }, 'closing HTTP failed'));
      for (const c of closeAfterHttp) {
        await c.close().catch((error: unknown) => ctx.logger.error({ err: error, part: c.name }, 'closing failed'));
      }
      clearTimeout(force);
      ctx.logger.info('stopped');
    })();
    return closing;
  };
  return { url, shutdown };
}

/** Wires SIGTERM/SIGINT to shutdown; a second signal exits immediately. */
export function handleSignals(shutdown: (reason: string) => Promise<void>): void {
  let signalled = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (signalled) process.exit(130);
      signalled = true;
      void shutdown(signal).then(() => process.exit(0));
    });
  }
}
