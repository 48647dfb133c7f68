#!/usr/bin/env node
// `npx entra-sync <command>`: runs the built CLI (dist/, after `npm run build`) or, when there is
// no build, the TypeScript sources through tsx (a runtime dependency), so it works straight after
// `npm install`. Exit codes: 0 ok, 1 a check or operation failed, 2 bad usage or configuration.
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli/cli.js', import.meta.url);
let cli;
if (existsSync(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/cli.ts', import.meta.url).href);
}

const stdout = process.stdout;
const io = {
  out: (line) => stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  terminal: stdout.isTTY ? { write: (text) => stdout.write(text), columns: stdout.columns || 80 } : undefined,
};
const code = await cli.runCli(process.argv.slice(2), io);
// Exit once output is flushed, without waiting for idle sockets (keep-alive agents, pools).
stdout.write('', () => process.exit(code));
