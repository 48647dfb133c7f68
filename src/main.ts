/** `npm start`: validate configuration, start the service, stop cleanly on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './observability/logger.js';
import { handleSignals } from './server.js';
import { startService } from './service.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  const service = await startService(config, logger);
  handleSignals(service.shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`entra-sync cannot start. ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`entra-sync failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
