/**
 * Looking for secrets where they must not be: every spelling a careless encoder could produce
 * (clear, URL-encoded, base64 and base64url at any byte alignment, hex in both cases), in text
 * (logs, answers) and in every column of every table of a database.
 */
import { sql } from 'kysely';
import type { Db } from '../../../src/db/database.js';

export interface Needle {
  readonly secret: string;
  readonly form: string;
  readonly text: string;
}

/** Base64 of `bytes` as it appears inside a longer base64 text starting `offset` bytes earlier. */
function base64At(bytes: Buffer, offset: number): string {
  const full = Buffer.concat([Buffer.alloc(offset), bytes])
    .toString('base64')
    .replace(/=+$/, '');
  // Characters mixing padding or neighbouring bytes are cut off at both ends.
  return full.slice(offset === 0 ? 0 : 4, full.length - 4);
}

export function needles(secrets: Record<string, string>): Needle[] {
  const out: Needle[] = [];
  for (const [secret, value] of Object.entries(secrets)) {
    const bytes = Buffer.from(value, 'utf8');
    const forms: Record<string, string> = {
      clear: value,
      'URL-encoded': encodeURIComponent(value),
      hex: bytes.toString('hex'),
      HEX: bytes.toString('hex').toUpperCase(),
    };
    for (const offset of [0, 1, 2]) {
      const b64 = base64At(bytes, offset);
      forms[`base64@${offset}`] = b64;
      forms[`base64url@${offset}`] = b64.replace(/\+/g, '-').replace(/\//g, '_');
    }
    for (const [form, text] of Object.entries(forms)) {
      if (text.length >= 8) out.push({ secret, form, text });
    }
  }
  return out;
}

/** "secret (form) in where: …context…" for every needle found in the text. */
export function findIn(where: string, text: string, list: readonly Needle[]): string[] {
  const found: string[] = [];
  for (const n of list) {
    const at = text.indexOf(n.text);
    if (at >= 0)
      found.push(
        `${n.secret} (${n.form}) in ${where}: …${text.slice(Math.max(0, at - 80), at + n.text.length + 20)}…`,
      );
  }
  return found;
}

/** Every row of every table in the public schema, as Postgres prints it (bytea as \x hex). */
export async function scanDatabase(
  db: Db,
  list: readonly Needle[],
): Promise<{ tables: number; rows: number; found: string[] }> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`.execute(
    db,
  );
  let rows = 0;
  const found: string[] = [];
  for (const { table_name } of tables.rows) {
    const result = await sql<{ r: string }>`SELECT t::text AS r FROM ${sql.table(table_name)} t`.execute(db);
    rows += result.rows.length;
    for (const row of result.rows) found.push(...findIn(`table ${table_name}`, row.r, list));
  }
  return { tables: tables.rows.length, rows, found };
}

/** A JSON Web Token (a Graph access token) anywhere in the text. */
export const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
