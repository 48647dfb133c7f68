/**
 * PUBLIC_URL, the address by which Graph reaches this service: https (Graph refuses anything
 * else, except our loopback simulator), answering /healthz, and answering the validation
 * handshake Graph performs before it creates a subscription.
 */
import { randomBytes } from 'node:crypto';
import { isLoopbackUrl } from '../../config/urls.js';
import { type Check, fail, pass } from './checklist.js';
import type { DoctorSettings } from './doctor-target.js';

const TIMEOUT_MS = 5_000;
const REACH_FIX =
  'point PUBLIC_URL at this service (the https address of its load balancer); Graph calls it from the internet, so check DNS, the TLS certificate and firewalls';

export async function publicUrlChecks(s: DoctorSettings): Promise<Check[]> {
  if (!s.publicUrl) {
    return [
      fail(
        'PUBLIC_URL is not set',
        'set it to the https address by which Microsoft Graph reaches this service; notifications go to {PUBLIC_URL}/webhooks/graph',
      ),
    ];
  }
  const simulator = isLoopbackUrl(s.graphBaseUrl);
  if (!s.publicUrl.startsWith('https://') && !simulator) {
    return [
      fail(
        `PUBLIC_URL (${s.publicUrl}) is not https: Graph delivers notifications only to https URLs`,
        'serve the service behind https (a load balancer or ingress with a valid certificate) and set PUBLIC_URL to that address',
      ),
    ];
  }
  const scheme = s.publicUrl.startsWith('https://')
    ? pass(`PUBLIC_URL is https: ${s.publicUrl}`)
    : pass(`PUBLIC_URL is http (${s.publicUrl}): accepted because GRAPH_BASE_URL is a loopback simulator`);
  const health = await healthCheck(s.publicUrl);
  return health.mark === 'pass' ? [scheme, health, await handshakeCheck(s.publicUrl)] : [scheme, health];
}

async function healthCheck(base: string): Promise<Check> {
  try {
    const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await response.json().catch(() => ({}))) as { status?: string };
    if (response.status === 200 && body.status === 'ok') return pass(`${base}/healthz answers 200`);
    return fail(
      `${base}/healthz answered ${response.status}${body.status ? ` ${body.status}` : ''}, not entra-sync's 200 {"status":"ok"}`,
      REACH_FIX,
    );
  } catch (error) {
    return fail(`${base}/healthz could not be reached (${reason(error)})`, REACH_FIX);
  }
}

async function handshakeCheck(base: string): Promise<Check> {
  const token = `entra-sync-doctor ${randomBytes(6).toString('hex')}`;
  const fix =
    'route POST {PUBLIC_URL}/webhooks/graph with its query string to entra-sync unchanged; Graph validates this before every subscription';
  try {
    const response = await fetch(`${base}/webhooks/graph?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await response.text();
    if (response.status === 200 && text === token)
      return pass("the webhook answers Graph's validation handshake");
    return fail(
      `the webhook answered the validation handshake with ${response.status}, not 200 and the token`,
      fix,
    );
  } catch (error) {
    return fail(`the webhook could not be reached for the validation handshake (${reason(error)})`, fix);
  }
}

function reason(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
