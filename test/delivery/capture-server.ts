/**
 * A raw HTTP endpoint for delivery tests that need what the Leena AI sink does not keep: the
 * exact bytes and headers of every request, chosen answers (redirects, odd statuses), and the
 * largest number of requests in flight at once.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface CaptureServer {
  readonly url: string;
  readonly requests: CapturedRequest[];
  /** Decides each answer (default 200); called with the request just recorded. */
  answer: (request: CapturedRequest, index: number) => Answer;
  latencyMs: number;
  readonly maxInFlight: number;
  close(): Promise<void>;
}

export async function startCaptureServer(): Promise<CaptureServer> {
  let inFlight = 0;
  const capture = {
    url: '',
    requests: [] as CapturedRequest[],
    answer: ((): Answer => ({ status: 200, body: '{"accepted":true}' })) as CaptureServer['answer'],
    latencyMs: 0,
    maxInFlight: 0,
  };
  const server = createServer(async (req, res) => {
    inFlight += 1;
    capture.maxInFlight = Math.max(capture.maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
    capture.requests.push(request);
    if (capture.latencyMs > 0) await new Promise((r) => setTimeout(r, capture.latencyMs));
    const answer = capture.answer(request, capture.requests.length - 1);
    inFlight -= 1;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  capture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  return Object.assign(capture, {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
