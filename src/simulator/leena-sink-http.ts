// Small node:http helpers for the Leena AI sink: bounded body reading, JSON answers, a
// constant-time bearer check and an abortable sleep.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleepFor } from 'node:timers/promises';

/** Largest request body the sink reads (100 events are far below this). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads the whole body as UTF-8; rejects with BodyTooLargeError past `limit` bytes. */
export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** True when the Authorization header is exactly `Bearer {apiKey}`; compares digests in constant time. */
export function bearerMatches(authorization: string | undefined, apiKey: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const equal = timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${apiKey}`));
  return equal && authorization !== undefined;
}

/** Resolves after `ms`, or rejects early when `signal` aborts (the sink is closing). */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleepFor(ms, undefined, { signal });
}

export function isJsonContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

const ERROR_CODES: Record<number, string> = {
  400: 'invalid_batch',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export function errorCode(status: number): string {
  return ERROR_CODES[status] ?? 'rejected';
}

/** The host to put in a URL for a server listening on `host` (wildcards become loopback). */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
