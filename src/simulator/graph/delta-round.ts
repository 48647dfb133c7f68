// What users/delta and groups/delta share: starting or resuming a round, and the page envelope
// with its absolute nextLink / deltaLink.
import type { SimClock } from '../core/clock.js';
import type { SimFaults } from '../core/faults.js';
import type { TenantDirectory } from '../directory/directory.js';
import { badRequest } from './graph-errors.js';
import type { GraphContext } from './graph-route.js';
import type { DeltaQuery } from './delta-query.js';
import type { DeltaPosition, DeltaTokenCodec } from './delta-tokens.js';
import { assertTokenAlive } from './delta-tokens.js';

export interface DeltaDeps {
  codec: DeltaTokenCodec;
  clock: SimClock;
  faults: SimFaults;
  random: () => number;
}

export interface DeltaPage {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  value: Record<string, unknown>[];
}

/** The position to serve, or null for `$deltatoken=latest` ("from now", no data). */
export function startOrResume(
  ctx: GraphContext,
  query: DeltaQuery,
  collection: 'users' | 'groups',
  logLength: number,
  deps: DeltaDeps,
): DeltaPosition {
  const directory: TenantDirectory = ctx.tenant.directory;
  const fresh: DeltaPosition = {
    c: collection,
    t: ctx.tenant.tenantId,
    g: directory.deltaGeneration,
    i: deps.clock.now(),
    sel: query.select,
    ids: query.ids,
    p: query.resume === 'latest' ? 'changes' : 'init',
    s: logLength,
    o: 0,
  };
  if (query.resume === null || query.resume === 'latest') return fresh;
  if (query.resume.t !== ctx.tenant.tenantId) throw badRequest('The token was issued for another tenant.');
  assertTokenAlive(query.resume, directory, { clock: deps.clock, faults: deps.faults, baseUrl: ctx.baseUrl });
  return query.resume;
}

export function deltaPage(
  ctx: GraphContext,
  collection: 'users' | 'groups',
  value: Record<string, unknown>[],
  link: { next: DeltaPosition } | { delta: DeltaPosition },
  deps: DeltaDeps,
): DeltaPage {
  const path = `${ctx.baseUrl}/v1.0/${collection}/delta`;
  const page: DeltaPage = { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#${collection}`, value };
  // Every link gets a fresh issue time: the 7-day limit counts from the last link handed out.
  if ('next' in link) {
    page['@odata.nextLink'] =
      `${path}?$skiptoken=${deps.codec.encode({ ...link.next, i: deps.clock.now() })}`;
  } else {
    page['@odata.deltaLink'] =
      `${path}?$deltatoken=${deps.codec.encode({ ...link.delta, i: deps.clock.now() })}`;
  }
  return page;
}

/** Occasionally repeat an earlier item of the round (Graph's delta replays). */
export function maybeReplay(offset: number, deps: DeltaDeps): number | null {
  if (offset === 0 || deps.faults.deltaReplayRate <= 0) return null;
  if (deps.random() >= deps.faults.deltaReplayRate) return null;
  return Math.floor(deps.random() * offset);
}
