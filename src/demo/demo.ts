/**
 * `npm run demo`: the whole system on one machine, no outside accounts. Starts the embedded
 * Postgres, the Graph/Entra simulator with a made-up tenant, a local Leena AI sink that prints
 * every event it receives, and the service wired to them through the ENTRA_* / LEENA_* variables
 * (the `default` connection); then makes a change every few seconds. Ctrl-C stops everything.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '../config/config.js';
import { generateSigningSecret } from '../delivery/signing.js';
import { createLogger } from '../observability/logger.js';
import { startService } from '../service.js';
import { startGraphSimulator } from '../simulator/graph-simulator.js';
import { describeEvent } from '../simulator/leena-sink-cli.js';
import { startLeenaSink } from '../simulator/leena-sink.js';
import { buildDemoTenant, randomChange } from './demo-world.js';

const USERS = Number(process.env.DEMO_USERS ?? 300);
const CHANGE_EVERY_MS = Number(process.env.DEMO_CHANGE_EVERY_MS ?? 4000);

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const sim = await startGraphSimulator();
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const clientSecret = `demo~${randomBytes(18).toString('base64url')}`;
  sim.addTenant({ tenantId, displayName: 'Contoso (demo)' });
  // Exactly the customer guide's permissions: group membership is polled, as in the field.
  sim.addApp({ tenantId, clientId, clientSecret });
  const tenant = buildDemoTenant(sim, tenantId, USERS);

  const apiKey = `demo_${randomBytes(12).toString('hex')}`;
  const signingSecret = generateSigningSecret();
  const names = new Map<string, string>();
  const sink = await startLeenaSink({
    apiKey,
    signingSecret,
    onEvents: (events) => {
      for (const e of events) {
        if ('user' in e && e.user.userPrincipalName) names.set(e.userId, e.user.userPrincipalName);
        console.log(`  Leena AI <- ${describeEvent(e, names)}`);
      }
    },
  });

  const env = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: process.env.DATA_DIR ?? './.data/demo',
    ADMIN_TOKEN: process.env.ADMIN_TOKEN ?? `demo-${randomBytes(16).toString('hex')}`,
    SECRET_KEY: process.env.SECRET_KEY ?? randomBytes(32).toString('base64'),
    PUBLIC_URL: process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`,
    GRAPH_BASE_URL: sim.url,
    ENTRA_AUTHORITY_URL: sim.url,
    ENTRA_TENANT_ID: tenantId,
    ENTRA_CLIENT_ID: clientId,
    ENTRA_CLIENT_SECRET: clientSecret,
    ENTRA_GROUP_ID: process.env.DEMO_WHOLE_TENANT ? undefined : tenant.pilotGroupId,
    LEENA_URL: sink.url,
    LEENA_API_KEY: apiKey,
    LEENA_SIGNING_SECRET: signingSecret,
    ALLOW_INSECURE_LEENA_URL: 'true',
    GROUP_POLL_SECONDS: process.env.GROUP_POLL_SECONDS ?? '10',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const config = loadConfig(env);
  const service = await startService(config, createLogger({ level: config.logLevel, pretty: true }));
  const base = service.url;
  console.log(`
entra-sync demo is running (a simulated tenant of ${USERS} people; the "default" connection syncs the
${env.ENTRA_GROUP_ID ? 'members of the "Leena AI Pilot" group and its nested team' : 'whole tenant'}).

  Admin token   ${env.ADMIN_TOKEN}
  Status        curl -H "Authorization: Bearer ${env.ADMIN_TOKEN}" ${base}/admin/connections/default/status
  Reconcile     curl -X POST -H "Authorization: Bearer ${env.ADMIN_TOKEN}" -H "content-type: application/json" -d '{}' ${base}/admin/connections/default/reconcile
  Status page   ${base}/admin/status  (sign in with the admin token)
  API docs      ${base}/docs
  Metrics       ${base}/metrics
  Graph sim     ${sim.url}  (state API under /_sim)
  Leena sink    ${sink.url}

Events delivered to Leena AI appear below; a directory change happens every ${CHANGE_EVERY_MS / 1000} s. Ctrl-C stops.
`);
  const trickle = setInterval(() => console.log(`Entra: ${randomChange(sim, tenant)}`), CHANGE_EVERY_MS);

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    clearInterval(trickle);
    console.log('\nstopping...');
    await service.shutdown('demo stopped');
    await sink.close();
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`demo failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
