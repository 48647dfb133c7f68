/** Operator controls of delivery that are not about dead letters: pause, resume, wake. */
import { sql } from 'kysely';
import type { Tx } from '../db/database.js';
import { CHANNELS } from '../work/wakeups.js';

/** Pauses or resumes delivery for a connection. False when the connection does not exist. */
export async function setDeliveryPaused(tx: Tx, connectionId: string, paused: boolean): Promise<boolean> {
  const result = await tx
    .updateTable('connections')
    .set({ delivery_paused: paused })
    .where('id', '=', connectionId)
    .executeTakeFirst();
  if (!paused) await wakeDispatchers(tx, connectionId);
  return result.numUpdatedRows > 0n;
}

/** NOTIFY at commit: every replica's dispatcher of this connection looks for work at once. */
export async function wakeDispatchers(tx: Tx, connectionId: string): Promise<void> {
  await sql`SELECT pg_notify(${CHANNELS.delivery}, ${connectionId})`.execute(tx);
}
