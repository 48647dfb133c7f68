// Runs a local Leena AI sink and prints one line per received event, for a human to watch:
//   PORT=4010 LEENA_API_KEY=... LEENA_SIGNING_SECRET=whsec_... npx tsx src/simulator/leena-sink-cli.ts
// Without LEENA_API_KEY / LEENA_SIGNING_SECRET it generates both and prints them once, so the
// service can be pointed at it. HOST defaults to 127.0.0.1, PORT to 4010, path is /events.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { generateSigningSecret } from '../delivery/signing.js';
import { startLeenaSink } from './leena-sink.js';
import type { ReceivedBatch, ReceivedEvent, RejectedRequest } from './leena-sink.js';

const DEFAULT_PORT = 4010;

/** One readable line for an event: time, type, user, changed fields, sequence, source. */
export function describeEvent(event: ReceivedEvent, knownNames: Map<string, string>): string {
  const time = new Date(event.receivedAt).toISOString().slice(11, 23);
  const name =
    'user' in event
      ? (event.user.userPrincipalName ?? event.userId)
      : (knownNames.get(event.userId) ?? event.userId);
  const detail =
    event.type === 'user.updated'
      ? `changed ${Object.keys(event.changes).join(', ')}`
      : event.type === 'user.deleted'
        ? `reason ${event.reason}`
        : '';
  return `${time}  ${event.type.padEnd(12)}  ${name}  ${detail}  seq ${event.sequence}  (${event.source})`.replace(
    / {4,}/g,
    '  ',
  );
}

async function main(): Promise<void> {
  const apiKey = process.env.LEENA_API_KEY || `sink_${randomBytes(16).toString('hex')}`;
  const signingSecret = process.env.LEENA_SIGNING_SECRET || generateSigningSecret();
  const port = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be 0..65535, got ${process.env.PORT}`);
  const names = new Map<string, string>();
  const sink = await startLeenaSink({
    apiKey,
    signingSecret,
    port,
    host: process.env.HOST || '127.0.0.1',
    onEvents: (events: ReceivedEvent[], batch: ReceivedBatch) => printBatch(events, batch, names),
    onRejected: (rejected: RejectedRequest) => console.log(`rejected ${rejected.status}: ${rejected.reason}`),
  });
  console.log(`Leena AI sink listening: LEENA_URL=${sink.url}`);
  if (!process.env.LEENA_API_KEY) console.log(`generated LEENA_API_KEY=${apiKey}`);
  if (!process.env.LEENA_SIGNING_SECRET) console.log(`generated LEENA_SIGNING_SECRET=${signingSecret}`);
  const stop = () => void sink.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function printBatch(events: ReceivedEvent[], batch: ReceivedBatch, names: Map<string, string>): void {
  const retry = batch.attempt > 1 ? `, attempt ${batch.attempt}` : '';
  console.log(`batch ${batch.webhookId}: ${events.length} event(s)${retry}`);
  for (const event of events) {
    if ('user' in event && event.user.userPrincipalName)
      names.set(event.userId, event.user.userPrincipalName);
    console.log(`  ${describeEvent(event, names)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
