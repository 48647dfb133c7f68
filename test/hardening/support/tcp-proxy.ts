/**
 * A tiny TCP proxy the test controls: in front of Postgres it can cut every connection and refuse
 * new ones (Postgres "restarting" for one service only, without touching the shared server); in
 * front of replicas it is a load balancer whose backends the test adds and removes.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Where new connections go, tried in order (the first that accepts wins). */
  targets: Array<{ host: string; port: number }>;
  /** Destroys every open connection and resets new ones until restore(). */
  cut(): void;
  restore(): void;
  readonly isCut: boolean;
  /** Connections accepted since start (cut ones included). */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targets: Array<{ host: string; port: number }>): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let accepted = 0;
  const track = (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    accepted += 1;
    track(client);
    if (cut) return void client.resetAndDestroy();
    client.pause();
    pipeTo(client, [...proxy.targets]);
  });
  const pipeTo = (client: Socket, remaining: Array<{ host: string; port: number }>) => {
    const target = remaining.shift();
    if (target === undefined) return void client.destroy();
    const upstream = connect(target.port, target.host);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    upstream.once('error', () => {
      upstream.destroy();
      if (!connected) pipeTo(client, remaining);
      else client.destroy();
    });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: TcpProxy = {
    port: (server.address() as AddressInfo).port,
    targets,
    cut() {
      cut = true;
      for (const s of open) s.destroy();
    },
    restore() {
      cut = false;
    },
    get isCut() {
      return cut;
    },
    get accepted() {
      return accepted;
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
