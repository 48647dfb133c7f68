// Opaque page tokens and Graph-style absolute links. Query options stay in the link (the client
// follows it verbatim), with `$` and `,` left readable as Graph leaves them.
import { badRequest } from './graph-errors.js';

export function encodePageToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodePageToken<T>(token: string): T {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    throw badRequest('Invalid $skiptoken.', 'Request_BadRequest');
  }
}

function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%24/g, '$').replace(/%2C/gi, ',');
}

/** `{base}{path}?k=v&...` keeping the given options (minus tokens) and adding `extra`. */
export function graphLink(
  base: string,
  path: string,
  query: Record<string, unknown>,
  extra: Record<string, string>,
): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (key === '$skiptoken' || key === '$deltatoken' || typeof value !== 'string') continue;
    parts.push(`${key}=${encodeQueryValue(value)}`);
  }
  for (const [key, value] of Object.entries(extra)) parts.push(`${key}=${encodeQueryValue(value)}`);
  return parts.length === 0 ? `${base}${path}` : `${base}${path}?${parts.join('&')}`;
}

/** `$top` for list endpoints: 1..max, default `fallback`. */
export function parseTop(raw: unknown, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const top = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(top) || top < 1 || top > max) {
    throw badRequest(
      `Invalid page size specified: '${String(raw)}'. Must be between 1 and ${max} inclusive.`,
      'Request_UnsupportedQuery',
    );
  }
  return top;
}
