/**
 * Who may see the status page: a request with the admin bearer token (curl, scripts), or a
 * browser holding the session cookie the login form sets. The cookie carries no token: it is
 * `{expiry}.{HMAC(admin token, expiry)}`, HttpOnly (no script reads it), SameSite=Strict (no other
 * site can make the browser send it) and limited to /admin/status (the JSON admin API keeps
 * accepting bearer tokens only, so the cookie can never drive a state-changing admin route).
 * Changing ADMIN_TOKEN ends every session.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'entra_sync_status';
export const SESSION_PATH = '/admin/status';
const SESSION_SECONDS = 8 * 3600;

export interface StatusPageAuth {
  /** True for a valid bearer header or session cookie. */
  allows(request: FastifyRequest): boolean;
  /** Constant-time check of a token typed into the login form. */
  isAdminToken(candidate: string): boolean;
  /** Set-Cookie value for a new session. */
  sessionCookie(now?: number): string;
  clearCookie(): string;
}

export function createStatusPageAuth(adminToken: string): StatusPageAuth {
  const expected = digest(adminToken);
  const isAdminToken = (candidate: string) =>
    adminToken.length > 0 && timingSafeEqual(digest(candidate), expected);
  const sign = (expiry: number) =>
    createHmac('sha256', adminToken).update(`entra-sync status session ${expiry}`).digest('base64url');
  const validSession = (value: string | undefined, now = Date.now()) => {
    const [expiryText, signature] = (value ?? '').split('.');
    const expiry = Number(expiryText);
    // Without an admin token there is no key: no session may be valid.
    if (adminToken.length === 0 || !signature || !Number.isInteger(expiry) || expiry * 1000 <= now)
      return false;
    return timingSafeEqual(digest(signature), digest(sign(expiry)));
  };
  return {
    allows(request) {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      if (bearer !== undefined) return isAdminToken(bearer);
      return validSession(cookieValue(request.headers.cookie, SESSION_COOKIE));
    },
    isAdminToken,
    sessionCookie(now = Date.now()) {
      const expiry = Math.floor(now / 1000) + SESSION_SECONDS;
      return `${SESSION_COOKIE}=${expiry}.${sign(expiry)}; Path=${SESSION_PATH}; Max-Age=${SESSION_SECONDS}; HttpOnly; Secure; SameSite=Strict`;
    },
    clearCookie: () =>
      `${SESSION_COOKIE}=; Path=${SESSION_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Strict`,
  };
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
