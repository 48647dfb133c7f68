/**
 * POST /webhooks/graph and /webhooks/graph/lifecycle. A request does little: answer the
 * validation handshake, or check every item, record the valid ones durably (group commit) and
 * answer 202. No Graph call happens here; a failure to store answers 503 so Graph retries.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { type AcceptedItem, checkItem, type DropReason, subscriptionIdOf } from './notification-check.js';
import { createNotificationWriter } from './notification-writer.js';
import { createSubscriptionDirectory } from './subscription-directory.js';

/** Graph's tokens are short; anything longer is not Graph. */
const MAX_VALIDATION_TOKEN = 2_048;
const MAX_ITEMS = 1_000;

export async function webhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const directory = createSubscriptionDirectory(ctx.database.db);
  const writer = createNotificationWriter(ctx.database);
  const rateLimit = app.rateLimit({ max: ctx.config.rateLimit.webhookPerMinute, timeWindow: 60_000 });

  for (const [path, lifecycle] of [['/webhooks/graph', false], ['/webhooks/graph/lifecycle', true]] as const) {
    app.post(
      path,
      {
        onRequest: [rateLimit, answerValidation],
        schema: {
          tags: ['webhooks'],
          summary: lifecycle ? 'Graph lifecycle notifications' : 'Graph change notifications',
          querystring: { type: 'object', properties: { validationToken: { type: 'string' } } },
          body: { type: 'object', properties: { value: { type: 'array', maxItems: MAX_ITEMS } }, required: ['value'] },
          response: {
            202: { type: 'null' },
            503: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
      async (request, reply) => {
        const started = process.hrtime.bigint();
        const items = (request.body as { value: unknown[] }).value;
        let accepted: AcceptedItem[];
        try {
          // The subscription lookup needs Postgres too (for ids not cached): without it, nothing is checked or stored.
          accepted = await check(ctx, directory, items, lifecycle, request);
          await writer.write(accepted);
        } catch (error) {
          request.log.error({ err: error, items: items.length }, 'could not check or store notifications; answering 503 so Graph retries');
          return reply.status(503).header('retry-after', '5').send({ error: 'service_unavailable', message: 'try again' });
        }
        ctx.metrics.notificationsReceived.inc({ kind: lifecycle ? 'lifecycle' : 'change' }, accepted.length);
        ctx.metrics.webhookAckSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        return reply.status(202).send();
      },
    );
  }
}

/** The handshake, before any body parsing: Graph may send it with any content type or none. */
async function answerValidation(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = (request.query as { validationToken?: unknown }).validationToken;
  if (token === undefined) return;
  reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_VALIDATION_TOKEN) {
    await reply.status(400).type('text/plain; charset=utf-8').send('bad validationToken');
    return;
  }
  // Fastify's query parser has already URL-decoded it; echo it exactly, as plain text.
  await reply.status(200).type('text/plain; charset=utf-8').send(token);
}

async function check(
  ctx: AppContext,
  directory: ReturnType<typeof createSubscriptionDirectory>,
  items: unknown[],
  lifecycle: boolean,
  request: FastifyRequest,
): Promise<AcceptedItem[]> {
  const ids = items.map(subscriptionIdOf).filter((id): id is string => id !== undefined);
  const known = await directory.lookup(ids);
  const accepted: AcceptedItem[] = [];
  const dropped = new Map<DropReason, number>();
  for (const raw of items) {
    const id = subscriptionIdOf(raw);
    const result = checkItem(raw, id === undefined ? undefined : known.get(id), lifecycle);
    if (result.ok) accepted.push(result.item);
    else dropped.set(result.reason, (dropped.get(result.reason) ?? 0) + 1);
  }
  for (const [reason, count] of dropped) ctx.metrics.notificationsDropped.inc({ reason }, count);
  if (dropped.size > 0) {
    // Counts and reasons only: never the clientState or the payload.
    request.log.warn({ dropped: Object.fromEntries(dropped), accepted: accepted.length, ip: request.ip }, 'dropped notification items that failed the checks');
  }
  return accepted;
}
