/**
 * One signed POST of a batch to Leena AI, turned into an outcome the dispatcher can act on.
 * node:http(s) rather than fetch so that the address check runs inside the socket's DNS lookup
 * (outbound-guard.ts); redirects are never followed (node:http does not), and every attempt is
 * bounded by the delivery timeout, connection and body included.
 */
import http from 'node:http';
import https from 'node:https';
import { checkLeenaUrl, type OutboundPolicy } from './leena-url.js';
import { guardedLookup } from './outbound-guard.js';
import { classifyStatus, parseRetryAfter } from './retry-policy.js';
import { describeNetworkError, describeStatus, excerptOf, readBounded } from './leena-response.js';
import { signWebhook } from './signing.js';

export interface LeenaTarget {
  readonly url: string;
  readonly apiKey: string;
  /** The decoded signing secret (HMAC key). */
  readonly signingKey: Buffer;
}

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | {
      readonly kind: 'retry';
      readonly status: number | null;
      readonly retryAfterMs?: number;
      readonly error: string;
    }
  | { readonly kind: 'reject'; readonly status: number; readonly error: string; readonly excerpt: string };

export interface LeenaClient {
  post(target: LeenaTarget, webhookId: string, body: string): Promise<SendOutcome>;
  /** Closes kept-alive sockets. */
  close(): void;
}

export interface LeenaClientOptions {
  readonly timeoutMs: number;
  readonly policy: OutboundPolicy;
}

export function createLeenaClient(options: LeenaClientOptions): LeenaClient {
  // Kept-alive sockets; no per-host cap here, the dispatchers bound what is in flight.
  const agentOptions = { keepAlive: true };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const lookup = guardedLookup(options.policy);
  return {
    post(target, webhookId, body) {
      const problem = checkLeenaUrl(target.url, options.policy);
      if (problem)
        return Promise.resolve({
          kind: 'retry',
          status: null,
          error: `Leena AI URL ${problem}; fix the connection's leena.url`,
        });
      const secure = target.url.startsWith('https:');
      const request = { agent: secure ? agents.https : agents.http, lookup, timeoutMs: options.timeoutMs };
      return send(secure ? https : http, target, webhookId, body, request);
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function signedHeaders(
  target: LeenaTarget,
  webhookId: string,
  body: string,
): Record<string, string | number> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    authorization: `Bearer ${target.apiKey}`,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'user-agent': 'entra-sync',
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook({ id: webhookId, timestamp, body, secret: target.signingKey }),
  };
}

function send(
  transport: typeof http | typeof https,
  target: LeenaTarget,
  webhookId: string,
  body: string,
  options: { agent: http.Agent; lookup: ReturnType<typeof guardedLookup>; timeoutMs: number },
): Promise<SendOutcome> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const headers = signedHeaders(target, webhookId, body);
  return new Promise<SendOutcome>((resolve) => {
    const failed = (error: unknown) =>
      resolve({
        kind: 'retry',
        status: null,
        error: describeNetworkError(error, target.url, signal.aborted, options.timeoutMs),
      });
    const req = transport.request(
      target.url,
      { method: 'POST', headers, agent: options.agent, lookup: options.lookup, signal },
      (res) => {
        readBounded(res).then((text) => resolve(toOutcome(res, text, target.apiKey)), failed);
      },
    );
    req.on('error', failed);
    req.end(body);
  });
}

function toOutcome(res: http.IncomingMessage, text: string, apiKey: string): SendOutcome {
  const status = res.statusCode ?? 0;
  const kind = classifyStatus(status);
  if (kind === 'delivered') return { kind, status };
  const excerpt = excerptOf(text, apiKey);
  const error = describeStatus(status, res.headers, excerpt);
  if (kind === 'reject') return { kind, status, error, excerpt };
  const retryAfterMs = parseRetryAfter(headerText(res.headers['retry-after']));
  return retryAfterMs === undefined ? { kind, status, error } : { kind, status, error, retryAfterMs };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
