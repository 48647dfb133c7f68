/**
 * HTTP for hostile tests: any bytes as the body, any header values, and raw socket requests for
 * what a well-behaved client refuses to send (lying Content-Length, invalid UTF-8 in the request
 * line). Never throws on a status; a transport failure is reported as status 0.
 */
import http from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Milliseconds from send to the end of the answer. */
  readonly ms: number;
  /** The transport error when status is 0. */
  readonly error?: string;
}

// A fresh connection per request: a server that closes a connection after a refused request
// (as Node does after a parse error) must not make the next, unrelated request fail.
const agent = new http.Agent({ keepAlive: false });

export function send(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(base);
  const started = performance.now();
  return new Promise((resolve) => {
    let answer: { status: number; headers: http.IncomingHttpHeaders } | undefined;
    const chunks: Buffer[] = [];
    const finish = (error?: unknown) =>
      resolve({
        status: answer?.status ?? 0,
        headers: answer?.headers ?? {},
        body: Buffer.concat(chunks).toString('utf8'),
        ms: performance.now() - started,
        ...(answer === undefined && error !== undefined ? { error: String(error) } : {}),
      });
    let req: http.ClientRequest;
    try {
      req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: options.method ?? 'POST',
          path: options.path,
          headers: options.headers,
          agent,
        },
        (res) => {
          answer = { status: res.statusCode ?? 0, headers: res.headers };
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => finish());
          res.on('error', finish);
        },
      );
    } catch (error) {
      return finish(error); // the client itself refused (say, unescaped characters in the path)
    }
    // A server may answer (and close) before the whole body is sent: the answer still counts.
    req.on('error', finish);
    req.end(options.body);
  });
}

/** Writes `raw` to a fresh socket and returns the status line's code (0 when the socket closed without one). */
export function sendRaw(
  base: string,
  raw: Buffer | string,
  endAfterWrite = true,
): Promise<{ status: number; text: string }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, text });
    };
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // One answer is all we want; a server that keeps the socket open is not waited for.
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) socket.destroy();
    });
    socket.on('close', done);
    socket.on('error', () => {});
    socket.write(raw);
    if (endAfterWrite) socket.end();
  });
}

export function destroyAgent(): void {
  agent.destroy();
}
