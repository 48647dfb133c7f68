/**
 * Reading Leena AI's answers and putting failures into words for the operator: bounded (a huge
 * or endless error page cannot exhaust memory) and without secrets (an echoed API key is masked).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Most of an answer body ever read; the rest is discarded with the socket. */
export const MAX_RESPONSE_BYTES = 16 * 1024;
/** Characters of an answer kept in dead letters and errors. */
export const EXCERPT_CHARS = 500;

/** The body as text, at most MAX_RESPONSE_BYTES; a longer body is cut and its socket closed. */
export function readBounded(res: IncomingMessage, limit = MAX_RESPONSE_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size >= limit) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        res.destroy();
        resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8'));
      }
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the answer was complete'));
    });
  });
}

/** Printable, bounded, and with the API key masked should the answer echo it. */
export function excerptOf(text: string, apiKey: string): string {
  let clean = [...text.slice(0, EXCERPT_CHARS * 4)]
    .map((ch) => (isControl(ch) ? ' ' : ch))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (apiKey.length >= 4) clean = clean.split(apiKey).join('[redacted]');
  return clean.length > EXCERPT_CHARS ? `${clean.slice(0, EXCERPT_CHARS)}…` : clean;
}

function isControl(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return (code < 0x20 && ch !== '\n' && ch !== '\t') || code === 0x7f;
}

export function describeStatus(status: number, headers: IncomingHttpHeaders, excerpt: string): string {
  const said = excerpt ? `: ${excerpt.slice(0, 200)}` : '';
  if (status >= 300 && status < 400) {
    const location = String(headers.location ?? '(no Location)').slice(0, 200);
    return `Leena AI answered ${status} redirecting to ${location}; redirects are not followed, check the connection's leena.url`;
  }
  if (status === 401 || status === 403) {
    return `Leena AI refused the batch with ${status} (check the connection's leena.apiKey and leena.signingSecret)${said}`;
  }
  const retryAfter = headers['retry-after']
    ? ` (Retry-After: ${String(headers['retry-after']).slice(0, 40)})`
    : '';
  return `Leena AI answered ${status}${retryAfter}${said}`;
}

export function describeNetworkError(
  error: unknown,
  url: string,
  timedOut: boolean,
  timeoutMs: number,
): string {
  const host = safeHost(url);
  if (timedOut) return `Leena AI at ${host} did not answer within ${timeoutMs} ms`;
  const e = error as { code?: string; message?: string };
  if (e.code === 'ELEENA_ADDRESS_REFUSED') return String(e.message);
  return `cannot reach Leena AI at ${host}: ${e.code ?? ''}${e.code && e.message ? ' ' : ''}${e.message ?? String(error)}`;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
