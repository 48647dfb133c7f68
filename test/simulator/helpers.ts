// Shared set-up for the simulator's tests: a simulator with one tenant and app, a token helper,
// Graph calls over real HTTP, and a tiny notification receiver that records what Graph sent.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGraphSimulator } from '../../src/simulator/graph-simulator.js';
import type { GraphSimulator, GraphSimulatorOptions } from '../../src/simulator/graph-simulator.js';

export const TENANT = '11111111-1111-4111-8111-111111111111';
export const CLIENT_ID = '22222222-2222-4222-8222-222222222222';
export const SECRET = 'sim-secret~value';
export const SCOPE = 'https://graph.microsoft.com/.default';

export interface TestSim {
  sim: GraphSimulator;
  token(clientId?: string, secret?: string, tenant?: string): Promise<string>;
  get(path: string, token?: string, headers?: Record<string, string>): Promise<Response>;
  send(method: string, path: string, body: unknown, token?: string): Promise<Response>;
}

export async function requestToken(
  sim: GraphSimulator,
  form: Record<string, string>,
  tenant = TENANT,
): Promise<Response> {
  return fetch(`${sim.url}/${tenant}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
}

export async function startTestSim(
  options: { roles?: string[] } & GraphSimulatorOptions = {},
): Promise<TestSim> {
  const { roles, ...simOptions } = options;
  const sim = await startGraphSimulator(simOptions);
  sim.addTenant({ tenantId: TENANT, displayName: 'Contoso' });
  sim.addApp({ tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET, ...(roles ? { roles } : {}) });
  let cached: string | undefined;
  async function token(clientId = CLIENT_ID, secret = SECRET, tenant = TENANT): Promise<string> {
    const isDefault = clientId === CLIENT_ID && secret === SECRET && tenant === TENANT;
    if (isDefault && cached) return cached;
    const res = await requestToken(
      sim,
      { client_id: clientId, client_secret: secret, scope: SCOPE, grant_type: 'client_credentials' },
      tenant,
    );
    if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { access_token: string };
    if (isDefault) cached = body.access_token;
    return body.access_token;
  }
  const absolute = (path: string) => (path.startsWith('http') ? path : `${sim.url}${path}`);
  return {
    sim,
    token,
    async get(path, bearer, headers = {}) {
      return fetch(absolute(path), {
        headers: { authorization: `Bearer ${bearer ?? (await token())}`, ...headers },
      });
    },
    async send(method, path, body, bearer) {
      return fetch(absolute(path), {
        method,
        headers: { authorization: `Bearer ${bearer ?? (await token())}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export type ReceiverHandler = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

/** Answers validation like a correct endpoint: 200 text/plain with the decoded token. */
export function echoValidation(req: ReceivedRequest, res: ServerResponse): boolean {
  const token = new URL(req.url, 'http://x').searchParams.get('validationToken');
  if (token === null) return false;
  res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
  return true;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Notification POSTs only (validation requests excluded). */
  notifications(): Array<{ value: Array<Record<string, unknown>> }>;
  handler: ReceiverHandler;
  close(): Promise<void>;
}

export async function startReceiver(handler?: ReceiverHandler): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const receiver: Receiver = {
    url: '',
    requests,
    notifications: () =>
      requests
        .filter((r) => !r.url.includes('validationToken='))
        .map((r) => JSON.parse(r.body) as { value: Array<Record<string, unknown>> }),
    handler:
      handler ??
      ((req, res) => {
        if (!echoValidation(req, res)) res.writeHead(202).end();
      }),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      void receiver.handler(recorded, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/graph`;
  return receiver;
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

export function inMinutes(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString();
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
