/**
 * `entra-sync reconcile <connection> [--dry-run] [--wait]`: queues a full reconcile (differences
 * only) on a running service; with --wait follows GET /admin/reconcile-runs/{runId} with a
 * progress bar until the run ends. A run already queued for the connection is followed instead.
 */
import type { ConnectionStatus } from '../../admin/connection-status.js';
import { adminClientFrom, type AdminClient, seg } from '../admin-client.js';
import { flag, parse, requiredPositional, stringOption } from '../args.js';
import { terminalOf } from '../cli-io.js';
import type { CliCommand, CliIo } from '../command.js';
import { plural } from '../format.js';
import { createProgress, type RunView } from '../progress.js';

const usage = 'entra-sync reconcile <connection> [--dry-run] [--wait] [--url URL]';
const POLL_MS = 300;
const FINAL = new Set(['succeeded', 'failed', 'blocked', 'cancelled']);

export const command: CliCommand = {
  name: 'reconcile',
  summary:
    'compare Leena AI with Graph now and send the differences (--dry-run only counts; --wait follows it)',
  usage,
  async run(args, io) {
    const parsed = parse(
      args,
      { url: { type: 'string' }, 'dry-run': { type: 'boolean' }, wait: { type: 'boolean' } },
      usage,
    );
    const name = requiredPositional(parsed, 0, 'the connection name or id', usage);
    const dryRun = flag(parsed, 'dry-run');
    const api = adminClientFrom(io.env, stringOption(parsed, 'url'));
    const queued = await api.post<{ runId: string; alreadyQueued: boolean }>(
      `/admin/connections/${seg(name)}/reconcile`,
      { dryRun },
    );
    const what = dryRun ? 'dry-run reconcile' : 'reconcile';
    io.out(
      queued.alreadyQueued
        ? `a ${what} of "${name}" is already under way: run ${queued.runId}`
        : `${what} of "${name}" queued: run ${queued.runId}`,
    );
    if (!flag(parsed, 'wait')) {
      io.out(
        `  follow it: entra-sync reconcile ${name}${dryRun ? ' --dry-run' : ''} --wait  (or GET /admin/reconcile-runs/${queued.runId})`,
      );
      return 0;
    }
    const estimate = await usersKnown(api, name);
    return outcome(await follow(api, queued.runId, io, estimate), io);
  },
};

async function usersKnown(api: AdminClient, name: string): Promise<number | null> {
  const status = await api
    .get<ConnectionStatus>(`/admin/connections/${seg(name)}/status`)
    .catch(() => undefined);
  return status?.sync.usersKnown || null;
}

async function follow(api: AdminClient, runId: string, io: CliIo, estimate: number | null): Promise<RunView> {
  const progress = createProgress(io.out, terminalOf(io), estimate);
  try {
    for (;;) {
      const run = await api.get<RunView>(`/admin/reconcile-runs/${runId}`);
      progress.update(run);
      if (FINAL.has(run.status)) return run;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    progress.finish();
  }
}

function outcome(run: RunView, io: CliIo): number {
  const took = run.durationSeconds === null ? '' : ` in ${run.durationSeconds} s`;
  if (run.status === 'succeeded') {
    const counts = `${run.created} created, ${run.updated} updated, ${run.deleted} deleted, ${run.unchanged} unchanged`;
    io.out(`✓ reconcile succeeded${took}: ${counts} (${plural(run.usersSeen, 'user')} read from Graph)`);
    if (run.message) io.out(`  ${run.message}`);
    return 0;
  }
  if (run.status === 'blocked') io.out(`✗ reconcile blocked: ${run.message}`);
  else if (run.status === 'failed') io.out(`✗ reconcile failed${took}: ${run.error}`);
  else io.out('✗ reconcile was cancelled');
  return 1;
}
