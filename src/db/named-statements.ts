/**
 * Named (server-side prepared) statements for the few hot statements that Postgres would
 * otherwise parse and plan on every call: storing notifications, forming and finishing delivery
 * batches. Kysely sends every query unnamed, so a statement opts in by starting its SQL with a
 * marker comment, `/* named:form_batches *\/`; the pool's clients send such a query under a name
 * derived from its text, and node-postgres parses it once per connection.
 *
 * Only marked statements are named: a statement whose text varies (an `IN (...)` list) would fill
 * each connection with prepared statements. The name includes a hash of the text, so two texts
 * never share a name.
 */
import { createHash } from 'node:crypto';

const MARKER = /^\/\* named:([a-z_]+) \*\//;

const names = new Map<string, string>();

/** The statement name for a query text, or null when it carries no marker (memoised: marked texts are few). */
export function statementName(text: string): string | null {
  const known = names.get(text);
  if (known) return known;
  const label = MARKER.exec(text)?.[1];
  if (!label) return null; // not remembered: kysely's generated texts are unbounded in number
  const name = `${label}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
  names.set(text, name);
  return name;
}

/** A client's `query`, as the pool hook in database.ts wraps it. */
export type QueryFn = (...args: unknown[]) => unknown;

/** Sends one query through a client's `query`, by name when its text carries the marker (database.ts). */
export function sendNamed(query: QueryFn, args: unknown[]): unknown {
  const [text, values, ...rest] = args;
  if (typeof text !== 'string' || !text.startsWith('/* named:')) return query(...args);
  const name = statementName(text);
  if (!name || (values !== undefined && !Array.isArray(values))) return query(...args);
  return query({ name, text, values }, ...rest);
}
