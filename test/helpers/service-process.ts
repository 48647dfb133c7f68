/**
 * Runs the real service as a child process (`node --import tsx src/main.ts`), for tests that
 * need real signals and real crashes (kill -9).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface ServiceProcess {
  readonly url: string;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly output: string[];
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The flags `npm start` and the Dockerfile run the service with (a deployment test keeps them
 * equal), so that tests and benchmarks measure the process operators run. A heap cap makes V8
 * grow its heap by about 1.4x the live set between major GCs instead of up to 4x.
 */
export const SERVICE_NODE_FLAGS = ['--max-old-space-size=384'];

export async function startServiceProcess(
  env: Record<string, string | undefined>,
  options: { port?: number; readyTimeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  // Benchmarks run the compiled service (ENTRA_SYNC_DIST=1 after `npm run build`), tests the sources.
  const entry = process.env.ENTRA_SYNC_DIST === '1' ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const proc = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...(options.nodeArgs ?? []), ...entry], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  proc.stderr!.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let exitedEarly: number | string | undefined;
  void exited.then((c) => (exitedEarly = c));
  for (;;) {
    if (exitedEarly !== undefined) throw new Error(`service exited (${exitedEarly}) before ready:\n${output.join('\n')}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`service not ready in time:\n${output.join('\n')}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    proc,
    output,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
