// Delta and skip tokens. They carry the log position, the round's query options (baked in, as
// Graph bakes them) and their issue time; an HMAC makes tampered or foreign tokens fail.
import { createHmac, randomBytes } from 'node:crypto';
import type { SimClock } from '../core/clock.js';
import type { SimFaults } from '../core/faults.js';
import type { TenantDirectory } from '../directory/directory.js';
import { badRequest, GraphHttpError } from './graph-errors.js';
import { graphLink } from './paging.js';

export const DELTA_TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export interface DeltaPosition {
  /** Collection. */
  c: 'users' | 'groups';
  /** Tenant id. */
  t: string;
  /** Directory delta generation at issue (expireDeltaTokens bumps it). */
  g: number;
  /** Issued at, simulated ms. */
  i: number;
  sel: string[] | null;
  ids: string[] | null;
  /** Initial round (walk the directory) or changes round (walk the log). */
  p: 'init' | 'changes';
  /** Log position the round starts from (init: where the next round starts). */
  s: number;
  /** Log position the changes round ends at; fixed by its first page. */
  e?: number;
  /** Offset into the round's list. */
  o: number;
}

export interface DeltaTokenCodec {
  encode(position: DeltaPosition): string;
  decode(token: string): DeltaPosition;
}

export function createDeltaTokenCodec(): DeltaTokenCodec {
  const key = randomBytes(32);
  const mac = (data: string): string =>
    createHmac('sha256', key).update(data).digest('base64url').slice(0, 16);
  return {
    encode(position) {
      const body = Buffer.from(JSON.stringify(position)).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    decode(token) {
      const [body, signature] = token.split('.');
      if (!body || !signature || mac(body) !== signature) throw badRequest('Invalid delta or skip token.');
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as DeltaPosition;
    },
  };
}

export interface ResetDeps {
  clock: SimClock;
  faults: SimFaults;
  baseUrl: string;
}

/** Throws Graph's "start over" answer when the token is expired or was invalidated. */
export function assertTokenAlive(position: DeltaPosition, directory: TenantDirectory, deps: ResetDeps): void {
  const expired = deps.clock.now() - position.i > DELTA_TOKEN_LIFETIME_MS;
  if (!expired && position.g === directory.deltaGeneration) return;
  if (deps.faults.deltaResetStyle === 'gone') {
    const query: Record<string, string> = {};
    if (position.sel) query.$select = position.sel.join(',');
    if (position.ids) query.$filter = position.ids.map((id) => `id eq '${id}'`).join(' or ');
    const location = graphLink(deps.baseUrl, `/v1.0/${position.c}/delta`, query, {});
    throw new GraphHttpError(
      410,
      'resyncRequired',
      'The delta token is no longer valid; start a full synchronization from the Location URL.',
      {
        location,
      },
    );
  }
  throw new GraphHttpError(
    400,
    'syncStateNotFound',
    'The sync state was not found or has expired. Start a new delta round without a token.',
  );
}
