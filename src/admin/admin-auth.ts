/**
 * Bearer-token check for every /admin route. Compared in constant time (on digests, so the
 * lengths match too) so response timing reveals nothing about the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function makeAdminAuth(adminToken: string) {
  const expected = digest(adminToken);
  return async function adminAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const ok = match?.[1] !== undefined && adminToken.length > 0 && timingSafeEqual(digest(match[1]), expected);
    if (!ok) {
      await reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="entra-sync admin"')
        .send({ error: 'unauthorized', message: 'missing or wrong admin bearer token' });
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
