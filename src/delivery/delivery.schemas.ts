/** Request and response schemas of the delivery admin routes (validation and OpenAPI in one place). */
import { Type } from '@sinclair/typebox';

const Time = (description: string) => Type.String({ description: `${description} (ISO 8601)` });
const NullableTime = (description: string) => Type.Union([Time(description), Type.Null()]);

export const DeliveryStatusResponse = Type.Object({
  paused: Type.Boolean({ description: 'Delivery paused by an operator; events accumulate' }),
  backlog: Type.Integer({ description: 'Events not yet accepted by Leena AI, dead letters excluded' }),
  oldestPendingAt: NullableTime('Creation time of the oldest undelivered event'),
  inFlightBatches: Type.Integer({ description: 'Batches being sent now, by any replica' }),
  nextAttemptAt: NullableTime('When the next batch waiting for a retry is due'),
  lastDeliveredAt: NullableTime('When Leena AI last accepted a batch'),
  lastError: Type.Union([
    Type.Object({
      message: Type.String(),
      httpStatus: Type.Union([Type.Integer(), Type.Null()]),
      at: NullableTime('When the failed attempt started'),
      webhookId: Type.String(),
    }),
    Type.Null(),
  ]),
  deadLetters: Type.Integer({ description: 'Open dead letters' }),
});

export const DeadLetterQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('all')], { default: 'open' }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: 'Page size, 1..500 (default 100)' }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 400, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const DeadLetterView = Type.Object({
  eventId: Type.String(),
  userId: Type.String(),
  sequence: Type.Integer(),
  type: Type.String(),
  webhookId: Type.String({ description: 'The batch (webhook-id) the event was refused in' }),
  reason: Type.String(),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]),
  responseExcerpt: Type.Union([Type.String(), Type.Null()], { description: "Start of Leena AI's answer" }),
  deadAt: Time('When the event was dead-lettered'),
  resolvedAt: NullableTime('When it was replayed or skipped'),
  resolution: Type.Union([Type.Literal('replayed'), Type.Literal('skipped'), Type.Null()]),
});

export const DeadLetterListResponse = Type.Object({
  deadLetters: Type.Array(DeadLetterView),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as cursor for the next page; null on the last',
  }),
});

export const ReplayBody = Type.Object(
  {
    eventId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Replay this one dead letter' }),
    ),
    since: Type.Optional(Time('Replay every open dead letter dead at or after this time')),
  },
  { additionalProperties: false },
);

const ResolvedEvent = Type.Object({
  eventId: Type.String(),
  userId: Type.String(),
  sequence: Type.Integer(),
});

export const ReplayResponse = Type.Object({
  replayed: Type.Integer({ description: 'How many events are pending again' }),
  events: Type.Array(ResolvedEvent),
});

export const SkipBody = Type.Object(
  { eventId: Type.String({ minLength: 1, maxLength: 200, description: 'The dead event to give up on' }) },
  { additionalProperties: false },
);

export const SkipResponse = Type.Object({ skipped: ResolvedEvent });
