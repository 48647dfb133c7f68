/**
 * The real service as a child process that starts in about a second: src/main.ts bundled once per
 * test process with esbuild (tsx's own transpiler, dependencies left external) instead of being
 * transpiled module by module by tsx at every start (2.5 s). The kill -9 test restarts the service
 * twenty times; this is what keeps it near a minute. Same source, same node_modules, same
 * migrations folder (found by walking up from the bundle).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { freePort, type ServiceProcess } from '../../helpers/service-process.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let bundled: Promise<string> | undefined;

/** Builds the bundle under node_modules/.cache (so external imports resolve) and removes it at exit. */
export function serviceBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(root, 'node_modules', '.cache', `entra-sync-hardening-${process.pid}`);
    const outfile = join(dir, 'main.mjs');
    await build({
      entryPoints: [join(root, 'src/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      target: 'node20',
      outfile,
      logLevel: 'warning',
    });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return outfile;
  })();
  return bundled;
}

export async function startFastService(
  env: Record<string, string | undefined>,
  options: { port?: number; readyTimeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const entry = await serviceBundle();
  const port = options.port ?? (await freePort());
  const proc: ChildProcess = spawn(process.execPath, [entry], {
    cwd: root,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  proc.stderr!.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  let exitedEarly: number | string | undefined;
  void exited.then((c) => (exitedEarly = c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exitedEarly !== undefined)
      throw new Error(`service exited (${exitedEarly}) before ready:\n${output.join('\n')}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`service not ready in time:\n${output.join('\n')}`);
    }
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
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
