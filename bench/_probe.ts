import { createLeenaClient } from '/work/main/src/delivery/leena-client.js';
import { startLeenaSink } from '/work/main/src/simulator/leena-sink.js';
import { generateSigningSecret, decodeSigningSecret, newWebhookId } from '/work/main/src/delivery/signing.js';
const secret = generateSigningSecret();
const sink = await startLeenaSink({ apiKey: 'k'.repeat(20), signingSecret: secret });
const client = createLeenaClient({ timeoutMs: 5000, policy: { allowInsecureUrl: true, allowPrivateUrl: false } });
const ev = (i: number) => ({ id: 'evt_' + i, type: 'user.deleted', connectionId: 'c', tenantId: 't', userId: 'u' + i, sequence: 1, occurredAt: new Date().toISOString(), source: 'manual', reason: 'deleted' });
for (let r = 0; r < 5; r++) {
  const body = JSON.stringify({ events: Array.from({ length: 100 }, (_, i) => ev(r * 100 + i)) });
  const t = performance.now();
  const out = await client.post({ url: sink.url, apiKey: 'k'.repeat(20), signingKey: decodeSigningSecret(secret) }, newWebhookId(), body);
  console.log(out, (performance.now() - t).toFixed(1), 'ms');
}
client.close(); await sink.close();
