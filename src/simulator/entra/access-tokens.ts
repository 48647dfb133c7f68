// JWT-shaped access tokens signed with a key only this simulator knows (HS256: nobody outside
// verifies them). The payload carries what Entra's does for an app: tid, appid, roles, aud, exp.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  appidacr: string;
  idtyp: 'app';
  oid: string;
  sub: string;
  tid: string;
  uti: string;
  ver: '1.0';
  roles?: string[];
}

export type TokenCheck =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: 'missing' | 'malformed' | 'signature' | 'audience' | 'expired' };

export interface AccessTokenSigner {
  issue(input: {
    tenantId: string;
    appId: string;
    servicePrincipalId: string;
    roles: string[];
    lifetimeSeconds: number;
  }): {
    token: string;
    claims: AccessTokenClaims;
  };
  verify(token: string | undefined): TokenCheck;
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export function createAccessTokenSigner(): AccessTokenSigner {
  const key = randomBytes(32);
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'entra-sync-simulator' }));
  const sign = (data: string): Buffer => createHmac('sha256', key).update(data).digest();

  return {
    issue({ tenantId, appId, servicePrincipalId, roles, lifetimeSeconds }) {
      const now = Math.floor(Date.now() / 1000);
      const claims: AccessTokenClaims = {
        aud: GRAPH_AUDIENCE,
        iss: `https://sts.windows.net/${tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + lifetimeSeconds,
        appid: appId,
        appidacr: '1',
        idtyp: 'app',
        oid: servicePrincipalId,
        sub: servicePrincipalId,
        tid: tenantId,
        uti: randomUUID().replace(/-/g, '').slice(0, 22),
        ver: '1.0',
        // Entra omits the claim entirely when the app has no consented application roles.
        ...(roles.length > 0 ? { roles: [...roles] } : {}),
      };
      const body = `${header}.${b64url(JSON.stringify(claims))}`;
      return { token: `${body}.${sign(body).toString('base64url')}`, claims };
    },
    verify(token) {
      if (!token) return { ok: false, reason: 'missing' };
      const parts = token.split('.');
      if (parts.length !== 3) return { ok: false, reason: 'malformed' };
      const [head, payload, signature] = parts as [string, string, string];
      const expected = sign(`${head}.${payload}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: 'signature' };
      let claims: AccessTokenClaims;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AccessTokenClaims;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (claims.aud !== GRAPH_AUDIENCE) return { ok: false, reason: 'audience' };
      if (claims.exp <= Math.floor(Date.now() / 1000)) return { ok: false, reason: 'expired' };
      return { ok: true, claims };
    },
  };
}
