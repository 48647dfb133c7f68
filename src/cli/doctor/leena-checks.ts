/**
 * Leena AI accepts what we would send: one signed request exactly like a delivery (Bearer API
 * key, Standard Webhooks signature) carrying an empty batch, `{"events":[]}`, so nothing reaches
 * anyone's directory. Reading the answer: 2xx accepted; 401/403 the API key or signing secret is
 * wrong; 400/422 came after authentication (a receiver checks credentials before the body, as
 * the local sink does) and only refuses the empty batch; 404/405 wrong path; 5xx/429 failing now.
 */
import { createLeenaClient, type SendOutcome } from '../../delivery/leena-client.js';
import { decodeSigningSecret, newWebhookId } from '../../delivery/signing.js';
import { type Check, fail, pass, skip, warn } from './checklist.js';
import { fieldName } from './config-checks.js';
import type { DoctorTarget } from './doctor-target.js';

export const TEST_BATCH = '{"events":[]}';

export async function leenaChecks(t: DoctorTarget, valuesOk: boolean): Promise<Check[]> {
  const { url, apiKey, signingSecret } = t.leena;
  if (!valuesOk || !url || !apiKey || !signingSecret)
    return [skip('no test request sent: the Leena AI values are missing or invalid (see Configuration)')];
  const client = createLeenaClient({ timeoutMs: t.settings.timeoutMs, policy: t.settings.outbound });
  try {
    const target = { url, apiKey, signingKey: decodeSigningSecret(signingSecret) };
    return [explain(t, url, await client.post(target, newWebhookId(), TEST_BATCH))];
  } finally {
    client.close();
  }
}

function explain(t: DoctorTarget, url: string, outcome: SendOutcome): Check {
  if (outcome.kind === 'delivered')
    return pass(`Leena AI accepted a signed test request (${outcome.status})`);
  const status = outcome.status;
  if (status === null) {
    return fail(
      `Leena AI could not be reached: ${outcome.kind === 'retry' ? outcome.error : 'no answer'}`,
      `check ${fieldName(t, 'leena.url')} (${url}): host, port, https, and that this host may connect to it`,
    );
  }
  if (status === 401 || status === 403) {
    return fail(
      `Leena AI refused the test request's credentials (${status})`,
      `the API key or the signing secret is wrong: compare ${fieldName(t, 'leena.apiKey')} and ${fieldName(t, 'leena.signingSecret')} with what Leena AI issued`,
    );
  }
  if (status === 400 || status === 422) {
    return pass(
      `Leena AI accepted the API key and signature (it answered ${status} to the empty test batch, not 401)`,
    );
  }
  if (status === 404 || status === 405) {
    return fail(
      `Leena AI has no events endpoint at ${url} (${status})`,
      `check the path of ${fieldName(t, 'leena.url')} with Leena AI`,
    );
  }
  if (status === 429 || status >= 500) {
    return warn(
      `Leena AI answered ${status}: it is failing right now`,
      'deliveries would be retried with backoff; run doctor again later, and tell Leena AI if it persists',
    );
  }
  return warn(
    `Leena AI is reachable but refused the signed test request (${status})${outcome.kind === 'reject' && outcome.excerpt ? `: ${outcome.excerpt.slice(0, 120)}` : ''}`,
    'ask Leena AI what this answer means for this API key',
  );
}
