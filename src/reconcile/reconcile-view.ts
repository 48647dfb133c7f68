/** What the admin API says about a reconcile run. */
import { Type } from '@sinclair/typebox';
import type { RunRow } from './reconcile.repository.js';

export function runView(r: RunRow) {
  const end = r.finished_at ?? (r.status === 'running' ? new Date() : null);
  return {
    runId: r.id,
    connectionId: r.connection_id,
    trigger: r.trigger,
    dryRun: r.dry_run,
    status: r.status,
    phase: r.phase,
    created: r.created,
    updated: r.updated,
    deleted: r.deleted,
    unchanged: r.unchanged,
    usersSeen: r.users_seen,
    pagesRead: r.pages_read,
    graphRequests: r.graph_requests,
    totalBefore: r.total_before,
    usersPerSecond: r.users_per_second === null ? null : Number(r.users_per_second),
    attempts: r.attempts,
    message: r.message,
    error: r.error,
    requestedAt: r.requested_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
    durationSeconds: r.started_at && end ? Math.round((end.getTime() - r.started_at.getTime()) / 100) / 10 : null,
  };
}

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const RunResponse = Type.Object({
  runId: Type.String(),
  connectionId: Type.String(),
  trigger: Type.String(),
  dryRun: Type.Boolean(),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
    Type.Literal('blocked'),
    Type.Literal('cancelled'),
  ]),
  phase: NullableString,
  created: Type.Integer(),
  updated: Type.Integer(),
  deleted: Type.Integer(),
  unchanged: Type.Integer(),
  usersSeen: Type.Integer(),
  pagesRead: Type.Integer(),
  graphRequests: Type.Integer(),
  totalBefore: NullableNumber,
  usersPerSecond: NullableNumber,
  attempts: Type.Integer(),
  message: NullableString,
  error: NullableString,
  requestedAt: Type.String(),
  startedAt: NullableString,
  finishedAt: NullableString,
  durationSeconds: NullableNumber,
});
