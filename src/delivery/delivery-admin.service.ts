/** Use cases behind the delivery admin routes: connection lookup, validation in plain words, logging. */
import type { AppContext } from '../context.js';
import { findConnectionRow } from '../connections/connection.repository.js';
import { HttpError } from '../http/errors.js';
import {
  type DeadLetter,
  type DeadLetterFilter,
  type ResolvedEvent,
  decodeCursor,
  listDeadLetters,
  replayDeadLetters,
  skipDeadLetter,
} from './dead-letter.repository.js';
import { setDeliveryPaused } from './delivery-control.repository.js';
import { type DeliveryStatus, deliveryStatus } from './delivery-status.js';

type Ctx = Pick<AppContext, 'database' | 'logger'>;

async function requireConnection(ctx: Ctx, idOrName: string): Promise<{ id: string; name: string }> {
  const row = await findConnectionRow(ctx.database.db, idOrName);
  if (!row) throw new HttpError('not_found', `no connection with id or name "${idOrName}"`);
  return row;
}

export async function connectionDeliveryStatus(ctx: Ctx, idOrName: string): Promise<DeliveryStatus> {
  return deliveryStatus(ctx.database.db, (await requireConnection(ctx, idOrName)).id);
}

export interface DeadLetterPage {
  readonly deadLetters: DeadLetter[];
  readonly nextCursor: string | null;
}

export async function deadLetterPage(
  ctx: Ctx,
  idOrName: string,
  query: { status?: DeadLetterFilter; limit?: number; cursor?: string },
): Promise<DeadLetterPage> {
  const connection = await requireConnection(ctx, idOrName);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !after)
    throw new HttpError('bad_request', 'cursor is not one this API returned (use nextCursor as given)');
  const limit = query.limit ?? 100;
  const deadLetters = await listDeadLetters(ctx.database.db, connection.id, {
    filter: query.status ?? 'open',
    limit,
    after,
  });
  return {
    deadLetters,
    nextCursor: deadLetters.length === limit ? (deadLetters.at(-1)?.cursor ?? null) : null,
  };
}

export async function replay(
  ctx: Ctx,
  idOrName: string,
  body: { eventId?: string; since?: string },
): Promise<ResolvedEvent[]> {
  if ((body.eventId === undefined) === (body.since === undefined)) {
    throw new HttpError(
      'bad_request',
      'give either eventId (one dead letter) or since (every dead letter since that time; 1970-01-01T00:00:00Z for all)',
    );
  }
  const since = body.since === undefined ? undefined : new Date(body.since);
  if (since && Number.isNaN(since.getTime()))
    throw new HttpError('bad_request', `since is not an ISO 8601 time: "${body.since}"`);
  const connection = await requireConnection(ctx, idOrName);
  const selection = body.eventId !== undefined ? { eventId: body.eventId } : { since: since! };
  const replayed = await ctx.database.db
    .transaction()
    .execute((tx) => replayDeadLetters(tx, connection.id, selection));
  if (body.eventId !== undefined && replayed.length === 0) {
    throw new HttpError(
      'not_found',
      `event ${body.eventId} has no open dead letter on connection "${connection.name}"`,
    );
  }
  ctx.logger.info(
    { connectionId: connection.id, connection: connection.name, replayed: replayed.length, ...body },
    'dead letters replayed',
  );
  return replayed;
}

export async function skip(ctx: Ctx, idOrName: string, eventId: string): Promise<ResolvedEvent> {
  const connection = await requireConnection(ctx, idOrName);
  const skipped = await ctx.database.db
    .transaction()
    .execute((tx) => skipDeadLetter(tx, connection.id, eventId));
  if (!skipped)
    throw new HttpError(
      'not_found',
      `event ${eventId} has no open dead letter on connection "${connection.name}"`,
    );
  ctx.logger.warn(
    {
      connectionId: connection.id,
      connection: connection.name,
      eventId,
      userId: skipped.userId,
      sequence: skipped.sequence,
    },
    `dead letter skipped: event ${eventId} will never be delivered; later events of user ${skipped.userId} go on`,
  );
  return skipped;
}

export async function setPaused(ctx: Ctx, idOrName: string, paused: boolean): Promise<DeliveryStatus> {
  const connection = await requireConnection(ctx, idOrName);
  await ctx.database.db.transaction().execute((tx) => setDeliveryPaused(tx, connection.id, paused));
  ctx.logger.info(
    { connectionId: connection.id, connection: connection.name },
    paused ? 'delivery paused: events accumulate in the backlog' : 'delivery resumed',
  );
  return deliveryStatus(ctx.database.db, connection.id);
}
