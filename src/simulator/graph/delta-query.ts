// The query options shared by users/delta and groups/delta: what Graph rejects, the id filter,
// and the token that resumes a round (its baked-in options win over the URL's).
import type { SelectTarget } from './properties.js';
import { parseSelect } from './properties.js';
import { badRequest, unsupportedQuery } from './graph-errors.js';
import type { DeltaPosition, DeltaTokenCodec } from './delta-tokens.js';

export const MAX_FILTER_IDS = 50;

export interface DeltaQuery {
  select: string[] | null;
  ids: string[] | null;
  /** 'latest' for `$deltatoken=latest`, a position to resume, or null for a new round. */
  resume: DeltaPosition | 'latest' | null;
}

export function parseIdFilter(raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  const ids: string[] = [];
  for (const clause of raw.split(/\s+or\s+/i)) {
    const match = clause.match(/^\s*id\s+eq\s+'([^']+)'\s*$/i);
    if (!match)
      throw unsupportedQuery(
        `Unsupported $filter on delta: '${raw}'. Only "id eq '...' or ..." is supported.`,
      );
    ids.push(match[1] as string);
  }
  if (ids.length > MAX_FILTER_IDS) {
    throw badRequest(
      `Too many ids in $filter: ${ids.length}. At most ${MAX_FILTER_IDS} are allowed.`,
      'Request_UnsupportedQuery',
    );
  }
  return [...new Set(ids)];
}

export function parseDeltaQuery(
  query: Record<string, string | undefined>,
  codec: DeltaTokenCodec,
  collection: 'users' | 'groups',
  target: SelectTarget,
  navigation: string[],
): DeltaQuery {
  for (const option of ['$top', '$expand', '$orderby']) {
    if (query[option] !== undefined)
      throw unsupportedQuery(`The query option '${option}' is not supported with delta queries.`);
  }
  const token = query.$skiptoken ?? query.$deltatoken;
  if (query.$deltatoken === 'latest') {
    return {
      select: parseSelect(query.$select, target, navigation),
      ids: parseIdFilter(query.$filter),
      resume: 'latest',
    };
  }
  if (token !== undefined) {
    const position = codec.decode(token);
    if (position.c !== collection) throw badRequest('The token belongs to another delta collection.');
    return { select: position.sel, ids: position.ids, resume: position };
  }
  return {
    select: parseSelect(query.$select, target, navigation),
    ids: parseIdFilter(query.$filter),
    resume: null,
  };
}
