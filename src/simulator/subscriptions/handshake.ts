// The validation handshake Graph runs before creating a subscription: POST
// {url}?validationToken=... (text/plain) and expect 200, text/plain, the decoded token, in time.
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimStats } from '../core/stats.js';

export interface HandshakeOptions {
  timeoutMs: number;
  signal: AbortSignal;
  stats: SimStats;
}

/** Deliberately awkward: spaces, +, /, =, &, %, ?, #, quotes and non-ASCII, so an endpoint that
 * echoes the raw query or decodes twice fails here rather than against Graph. */
export function makeValidationToken(): string {
  const noise = randomBytes(12).toString('base64');
  return `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()} +/=&%?#"'é ${noise}`;
}

export function validationUrl(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
}

/** Null when the endpoint passed; otherwise why it failed (for the simulator's logs). */
export async function runHandshake(url: string, options: HandshakeOptions): Promise<string | null> {
  const token = makeValidationToken();
  options.stats.validationRequests++;
  try {
    const response = await fetch(validationUrl(url, token), {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
    const body = await response.text();
    if (response.status !== 200) return `answered ${response.status}`;
    const type = response.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith('text/plain')) return `answered content-type '${type}'`;
    if (body !== token) return 'answered a body other than the decoded validation token';
    return null;
  } catch (err) {
    return `did not answer (${(err as Error).name}: ${(err as Error).message})`;
  }
}
