/**
 * Refuses requests carrying a NUL character in the URL (`%00`) or in a JSON body string. Postgres
 * text cannot hold NUL, so a NUL in an id, name or value would otherwise surface as a 500 from
 * the query instead of the 400 it is. Runs as preValidation: rate limits and authentication
 * answer first.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const ENCODED_NUL = /%00/;

/** Every route: ids, names and query values come from the URL. */
export function refuseNulInUrls(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    if (ENCODED_NUL.test(request.url)) await refuse(reply, 'the URL contains a NUL character (%00)');
  });
}

/** A scope whose JSON bodies reach Postgres (the admin API). */
export function refuseNulInBodies(scope: FastifyInstance): void {
  scope.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    if (containsNul(request.body)) await refuse(reply, 'the body contains a NUL character (\\u0000)');
  });
}

async function refuse(reply: FastifyReply, what: string): Promise<void> {
  await reply
    .status(400)
    .send({ error: 'bad_request', message: `${what}, which no id, name or value may hold` });
}

/** Iterative, so a deeply nested body cannot exhaust the stack. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\u0000')) return true;
        stack.push(child);
      }
    }
  }
  return false;
}
