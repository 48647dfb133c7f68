/**
 * Headless Chromium (Debian's `chromium` package) driven over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: fd 3 in, fd 4 out, NUL-separated JSON), so a test can use a real
 * browser — type into a form, follow redirects, keep cookies — without any npm package.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
const COMMAND_TIMEOUT_MS = 15_000;

export function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
  if (!found)
    throw new Error(
      "Chromium not found: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH",
    );
  return found;
}

export interface BrowserPage {
  /** Navigates and resolves once the page's load event fired. */
  goto(url: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  /** Runs an expression that navigates (a form submit) and waits for the next page's load. */
  evaluateAndWait(expression: string): Promise<void>;
}

export interface Browser {
  newPage(): Promise<BrowserPage>;
  close(): Promise<void>;
}

type Message = {
  id?: number;
  method?: string;
  sessionId?: string;
  result?: unknown;
  error?: { message: string };
  params?: unknown;
};

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'entra-sync-chromium-'));
  const proc = spawn(
    chromiumPath(),
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const cdp = connect(proc, stderr);
  return {
    async newPage() {
      const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', {
        url: 'about:blank',
      });
      const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', {
        targetId,
        flatten: true,
      });
      await cdp.send('Page.enable', {}, sessionId);
      return pageOf(cdp, sessionId);
    },
    async close() {
      await cdp.send('Browser.close').catch(() => {});
      if (proc.exitCode === null) await new Promise((r) => proc.once('exit', r));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

interface Cdp {
  send<T = unknown>(method: string, params?: object, sessionId?: string): Promise<T>;
  waitFor(method: string, sessionId: string): Promise<void>;
}

function connect(proc: ChildProcess, stderr: string[]): Cdp {
  const input = proc.stdio[3] as Writable;
  const output = proc.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const waiters: Array<{ method: string; sessionId: string; resolve: () => void }> = [];
  let buffer = '';
  let nextId = 1;
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
      dispatch(JSON.parse(buffer.slice(0, end)) as Message);
      buffer = buffer.slice(end + 1);
    }
  });
  proc.once('exit', (code) => {
    for (const p of pending.values())
      p.reject(new Error(`Chromium exited (${code}): ${stderr.join('').slice(-2000)}`));
  });
  function dispatch(message: Message) {
    if (message.id !== undefined) {
      const p = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) p?.reject(new Error(`${message.error.message}`));
      else p?.resolve(message.result);
      return;
    }
    const i = waiters.findIndex((w) => w.method === message.method && w.sessionId === message.sessionId);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve();
  }
  return {
    send<T>(method: string, params: object = {}, sessionId?: string): Promise<T> {
      const id = nextId++;
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
      return withTimeout(
        new Promise<T>((resolve, reject) =>
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject }),
        ),
        method,
      );
    },
    waitFor(method, sessionId) {
      return withTimeout(
        new Promise<void>((resolve) => waiters.push({ method, sessionId, resolve })),
        method,
      );
    },
  };
}

function pageOf(cdp: Cdp, sessionId: string): BrowserPage {
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await cdp.send<{
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (r.exceptionDetails)
      throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  };
  return {
    async goto(url) {
      const loaded = cdp.waitFor('Page.loadEventFired', sessionId);
      const nav = await cdp.send<{ errorText?: string }>('Page.navigate', { url }, sessionId);
      if (nav.errorText) throw new Error(`navigation to ${url} failed: ${nav.errorText}`);
      await loaded;
    },
    evaluate,
    async evaluateAndWait(expression) {
      const loaded = cdp.waitFor('Page.loadEventFired', sessionId);
      await evaluate(expression);
      await loaded;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Chromium: no answer to ${what} within ${COMMAND_TIMEOUT_MS} ms`)),
      COMMAND_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
