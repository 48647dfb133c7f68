// A local Leena AI: a real HTTP server that receives event batches the way contract.md's
// "Delivery to Leena AI" describes, for tests, benchmarks and the demo.
//
// Every request is checked in this order, and nothing is recorded unless all checks pass:
//   path (404), method (405), size (413), `Authorization: Bearer {apiKey}` (401),
//   Standard Webhooks signature with 5 minutes' tolerance (401), JSON content type (415),
//   JSON body of 1..100 events each matching the Event format (400).
// Refusals land in `rejected`. A valid request then meets the configured faults (latency, down,
// failNext; recorded in `faulted`), and otherwise is answered 200 {"accepted": n} and recorded.
// `state()` replays what was accepted into the contract's correctness oracle.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeSigningSecret, verifyWebhook } from '../delivery/signing.js';
import {
  BodyTooLargeError,
  bearerMatches,
  errorCode,
  isJsonContentType,
  readBody,
  sendJson,
  sleep,
  urlHost,
} from './leena-sink-http.js';
import { computeState, userKey } from './leena-sink-state.js';
import { checkBatch } from './leena-sink-validate.js';
import type {
  FaultedRequest,
  LeenaSink,
  LeenaSinkOptions,
  LeenaEvent,
  ReceivedBatch,
  ReceivedEvent,
  RejectedRequest,
  SinkFaults,
  SinkState,
  UserProfile,
} from './leena-sink-types.js';

export type * from './leena-sink-types.js';

/** How far a webhook-timestamp may be from the sink's clock, as Standard Webhooks recommends. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
const DEFAULT_FAIL_STATUS = 503;
const DEFAULT_WAIT_MS = 5000;
const POLL_MS = 10;

type Verdict =
  | { status: number; reason: string }
  | { events: LeenaEvent[]; webhookId: string; timestamp: number; body: string };

class LocalLeenaSink implements LeenaSink {
  url = '';
  batches: ReceivedBatch[] = [];
  events: ReceivedEvent[] = [];
  rejected: RejectedRequest[] = [];
  faulted: FaultedRequest[] = [];
  faults: SinkFaults = defaultFaults();
  private readonly secret: Buffer;
  private readonly closing = new AbortController();
  private readonly attempts = new Map<string, { count: number; bodyDigest: string }>();
  private readonly webhookIdConflicts: string[] = [];
  private cached: { key: string; state: SinkState } | undefined;
  private generation = 0;

  constructor(
    private readonly options: LeenaSinkOptions & { path: string },
    readonly server: Server,
  ) {
    this.secret = decodeSigningSecret(options.signingSecret);
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const verdict = await this.check(request);
    if ('status' in verdict) return this.reject(response, receivedAt, verdict.status, verdict.reason);
    const { faults } = this;
    await sleep(faults.latencyMs, this.closing.signal);
    const attempt = this.countAttempt(verdict.webhookId, verdict.body);
    const faultStatus = this.takeFault();
    if (faultStatus !== undefined) {
      const { webhookId, events } = verdict;
      this.faulted.push({ receivedAt, status: faultStatus, webhookId, eventCount: events.length });
      const retryAfter = faults.retryAfterSeconds;
      const headers: Record<string, string> =
        retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
      return sendJson(response, faultStatus, { error: 'simulated_failure', status: faultStatus }, headers);
    }
    const batch = this.record(verdict, receivedAt, attempt);
    sendJson(response, 200, { accepted: batch.events.length });
    this.notify(() => this.options.onEvents?.(batch.events, batch));
  }

  private async check(request: IncomingMessage): Promise<Verdict> {
    const { pathname } = new URL(request.url ?? '/', 'http://sink.local');
    if (pathname !== this.options.path)
      return { status: 404, reason: `no route ${request.method} ${pathname}` };
    if (request.method !== 'POST') return { status: 405, reason: `method ${request.method} not allowed` };
    let body: string;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return { status: 413, reason: error.message };
      throw error;
    }
    return this.checkRequest(request, body);
  }

  private checkRequest(request: IncomingMessage, body: string): Verdict {
    if (!bearerMatches(request.headers.authorization, this.options.apiKey)) {
      return { status: 401, reason: 'missing or wrong Authorization bearer token' };
    }
    const signature = verifyWebhook({
      headers: request.headers,
      body,
      secret: this.secret,
      toleranceSeconds: SIGNATURE_TOLERANCE_SECONDS,
    });
    if (!signature.ok) return { status: 401, reason: `webhook signature: ${signature.reason}` };
    if (!isJsonContentType(request.headers['content-type'])) {
      return {
        status: 415,
        reason: `content-type must be application/json, got ${request.headers['content-type']}`,
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { status: 400, reason: 'body is not valid JSON' };
    }
    const batch = checkBatch(parsed);
    if (!batch.ok) return { status: 400, reason: batch.reason };
    const webhookId = String(request.headers['webhook-id']);
    return { events: batch.events, webhookId, timestamp: Number(request.headers['webhook-timestamp']), body };
  }

  private reject(response: ServerResponse, receivedAt: number, status: number, reason: string): void {
    const rejected = { receivedAt, status, reason };
    this.rejected.push(rejected);
    sendJson(response, status, { error: errorCode(status), reason });
    this.notify(() => this.options.onRejected?.(rejected));
  }

  /** The status to fail this request with, or undefined to accept it. */
  private takeFault(): number | undefined {
    const { faults } = this;
    if (faults.down) return faults.failStatus;
    if (faults.failNext <= 0) return undefined;
    faults.failNext -= 1;
    return faults.rejectStatus ?? faults.failStatus;
  }

  private countAttempt(webhookId: string, body: string): number {
    const bodyDigest = createHash('sha256').update(body).digest('base64');
    const previous = this.attempts.get(webhookId);
    if (previous && previous.bodyDigest !== bodyDigest && !this.webhookIdConflicts.includes(webhookId)) {
      this.webhookIdConflicts.push(webhookId);
    }
    const count = (previous?.count ?? 0) + 1;
    this.attempts.set(webhookId, { count, bodyDigest });
    return count;
  }

  private record(
    verdict: Extract<Verdict, { events: unknown }>,
    receivedAt: number,
    attempt: number,
  ): ReceivedBatch {
    const events = verdict.events.map((event): ReceivedEvent => ({ ...event, receivedAt }));
    const { webhookId, timestamp: webhookTimestamp } = verdict;
    const batch: ReceivedBatch = { webhookId, webhookTimestamp, receivedAt, events, status: 200, attempt };
    this.batches.push(batch);
    this.events.push(...events);
    return batch;
  }

  private notify(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      console.error('Leena sink: an onEvents/onRejected callback threw', error);
    }
  }

  failNext(n: number, status = DEFAULT_FAIL_STATUS, retryAfterSeconds?: number): void {
    Object.assign(this.faults, { failNext: n, failStatus: status });
    if (retryAfterSeconds === undefined) delete this.faults.retryAfterSeconds;
    else this.faults.retryAfterSeconds = retryAfterSeconds;
  }

  setDown(down: boolean, status?: number): void {
    this.faults.down = down;
    if (status !== undefined) this.faults.failStatus = status;
  }

  /** Cached until the next accepted batch or reset(): treat the result as read-only. */
  state(): SinkState {
    const key = `${this.generation}:${this.events.length}:${this.webhookIdConflicts.length}`;
    if (this.cached?.key !== key) {
      this.cached = { key, state: computeState(this.events, [...this.webhookIdConflicts]) };
    }
    return this.cached.state;
  }

  profiles(connectionId: string): Record<string, UserProfile> {
    const prefix = userKey(connectionId, '');
    const result: Record<string, UserProfile> = {};
    for (const [key, profile] of this.state().users) {
      const userId = key.slice(prefix.length);
      if (key.startsWith(prefix) && profile.id === userId) result[userId] = profile;
    }
    return result;
  }

  async waitFor(
    predicate: (sink: LeenaSink) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
    label?: string,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        if (predicate(this)) return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline)
        throw new Error(this.describeTimeout(predicate, timeoutMs, label, lastError));
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private describeTimeout(
    predicate: unknown,
    timeoutMs: number,
    label?: string,
    lastError?: unknown,
  ): string {
    const what = label ?? String(predicate).replace(/\s+/g, ' ').slice(0, 160);
    const lastRejected = this.rejected.at(-1);
    const state = this.state();
    return [
      `Leena sink: waited ${timeoutMs} ms for ${what}`,
      `received ${this.batches.length} batches / ${this.events.length} events (${state.users.size} users, ` +
        `${state.duplicates} duplicates, ${state.orderViolations.length} order violations)`,
      `${this.rejected.length} rejected` +
        (lastRejected ? ` (last: ${lastRejected.status} ${lastRejected.reason})` : ''),
      `${this.faulted.length} faulted; faults now ${JSON.stringify(this.faults)}`,
      ...(lastError instanceof Error ? [`predicate last threw: ${lastError.message}`] : []),
    ].join('; ');
  }

  reset(): void {
    this.batches.length = 0;
    this.events.length = 0;
    this.rejected.length = 0;
    this.faulted.length = 0;
    this.webhookIdConflicts.length = 0;
    this.attempts.clear();
    for (const key of Object.keys(this.faults)) delete this.faults[key as keyof SinkFaults];
    Object.assign(this.faults, defaultFaults());
    this.generation += 1;
  }

  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    this.server.closeAllConnections();
    await closed;
  }
}

export async function startLeenaSink(options: LeenaSinkOptions): Promise<LeenaSink> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  const sink = new LocalLeenaSink({ ...options, path: options.path ?? '/events' }, server);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    sink.handle(request, response).catch((error: unknown) => {
      if (isAbort(error) || request.destroyed) return void response.destroy();
      console.error('Leena sink: request failed', error);
      sendJson(response, 500, { error: 'internal_error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  sink.url = `http://${urlHost(host)}:${port}${options.path ?? '/events'}`;
  return sink;
}

function defaultFaults(): SinkFaults {
  return { failNext: 0, failStatus: DEFAULT_FAIL_STATUS, down: false, latencyMs: 0 };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
