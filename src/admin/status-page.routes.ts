/**
 * GET /admin/status: every connection's health at a glance, as a read-only HTML page for a real
 * browser. A browser cannot send a bearer header, so the page has a login form that sets a
 * session cookie (status-page-session.ts); scripts may still send the bearer token. Registered
 * outside the JSON admin scope (whose hook knows bearer tokens only), with the same rate limit.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLoopbackHost } from '../config/urls.js';
import { listConnectionRows } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import { connectionStatus } from './connection-status.js';
import { loginPage, STATUS_PAGE_CSP, statusPage } from './status-page-html.js';
import { createStatusPageAuth } from './status-page-session.js';
import { type ConnectionRowView, rowView } from './status-page-view.js';

const FORM_LIMIT_BYTES = 4_096;
const PARALLEL_STATUS_READS = 5;

export async function statusPageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const auth = createStatusPageAuth(ctx.config.adminToken);
  const onRequest = app.rateLimit({ max: ctx.config.rateLimit.adminPerMinute, timeWindow: 60_000 });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  const schema = (summary: string) => ({
    tags: ['status'],
    summary,
    produces: ['text/html'],
    security: [{ bearerAuth: [] }],
  });

  app.get(
    '/admin/status',
    {
      onRequest,
      schema: schema('Status page (HTML): every connection at a glance; bearer token or login cookie'),
    },
    async (request, reply) => {
      if (!auth.allows(request)) {
        return html(
          reply.status(401).header('www-authenticate', 'Bearer realm="entra-sync admin"'),
          loginPage({ insecure: insecure(request) }),
        );
      }
      return html(reply, statusPage(await statusRows(ctx), new Date()));
    },
  );

  app.post(
    '/admin/status/login',
    {
      onRequest,
      schema: schema(
        'Log in to the status page with the admin token (form post); sets an HttpOnly session cookie',
      ),
    },
    async (request, reply) => {
      const token = (request.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || !auth.isAdminToken(token)) {
        ctx.logger.warn({ ip: request.ip }, 'status page: login with a wrong admin token');
        return html(
          reply.status(401),
          loginPage({ message: 'That is not the admin token.', insecure: insecure(request) }),
        );
      }
      return reply
        .header('set-cookie', auth.sessionCookie())
        .header('cache-control', 'no-store')
        .redirect('/admin/status', 303);
    },
  );

  app.post(
    '/admin/status/logout',
    { onRequest, schema: schema('End the status page session') },
    async (request, reply) => {
      // Like every /admin route, nothing without the token or a session (no cross-site logouts either).
      if (!auth.allows(request)) return html(reply.status(401), loginPage({ insecure: insecure(request) }));
      return reply.header('set-cookie', auth.clearCookie()).redirect('/admin/status', 303);
    },
  );
}

async function statusRows(ctx: AppContext): Promise<ConnectionRowView[]> {
  const rows = await listConnectionRows(ctx.database.db);
  const views: ConnectionRowView[] = [];
  // A few at a time: each status is several queries, and the pool also serves the workers.
  for (let i = 0; i < rows.length; i += PARALLEL_STATUS_READS) {
    const batch = await Promise.all(
      rows.slice(i, i + PARALLEL_STATUS_READS).map((row) => connectionStatus(ctx, row)),
    );
    views.push(...batch.map((s) => rowView(s, ctx.config.groupPollSeconds)));
  }
  return views;
}

function html(reply: FastifyReply, body: string): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', STATUS_PAGE_CSP)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .send(body);
}

/** Plain http to a host other than this machine: a Secure cookie would not be kept. */
function insecure(request: FastifyRequest): boolean {
  if (request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https') return false;
  const host = new URL(`http://${request.host || 'localhost'}`).hostname;
  return !isLoopbackHost(host);
}
