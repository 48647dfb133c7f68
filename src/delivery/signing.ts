// Standard Webhooks signing (https://www.standardwebhooks.com/): what the dispatcher puts on
// every request to Leena AI, and the matching verifier the local Leena AI sink uses.
//
//   webhook-id        unique per request, stable across its retries
//   webhook-timestamp unix seconds
//   webhook-signature 'v1,' + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`
//
// The key is the signing secret base64-decoded after an optional 'whsec_' prefix.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Default window, in seconds, within which a webhook-timestamp is accepted (either side of now). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type VerifyFailure =
  'missing_headers' | 'bad_timestamp' | 'timestamp_out_of_tolerance' | 'bad_signature';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

/**
 * Turns a signing secret ('whsec_<base64>' or plain base64) into the HMAC key. Throws when the
 * secret is empty or not canonical base64; the message never repeats the secret.
 */
export function decodeSigningSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0) {
    throw new Error(
      "Signing secret is empty: expected 'whsec_' followed by base64 (e.g. from generateSigningSecret())",
    );
  }
  const key = Buffer.from(encoded, 'base64');
  const canonical = key.toString('base64').replace(/=+$/, '');
  if (!BASE64.test(encoded) || canonical !== encoded.replace(/=+$/, '') || key.length === 0) {
    throw new Error(
      `Signing secret is not valid base64 (${encoded.length} characters after any 'whsec_' prefix): ` +
        "expected 'whsec_' followed by standard base64",
    );
  }
  return key;
}

/** The `webhook-signature` header value for one request: 'v1,<base64 HMAC-SHA256>'. */
export function signWebhook(args: { id: string; timestamp: number; body: string; secret: Buffer }): string {
  return `v1,${hmac(args.secret, args.id, args.timestamp, args.body)}`;
}

/**
 * Checks the three Standard Webhooks headers against the raw body. Header names are matched
 * case-insensitively; `webhook-signature` may list several space-separated 'v1,<sig>' entries,
 * any of which may match. `now` is unix seconds (default: the clock).
 */
export function verifyWebhook(args: {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  secret: Buffer;
  toleranceSeconds?: number;
  now?: number;
}): VerifyResult {
  const id = header(args.headers, 'webhook-id');
  const timestampText = header(args.headers, 'webhook-timestamp');
  const signatures = header(args.headers, 'webhook-signature');
  if (!id || !timestampText || !signatures) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'bad_timestamp' };
  const timestamp = Number(timestampText);
  const now = args.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (args.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  const expected = Buffer.from(hmac(args.secret, id, timestamp, args.body));
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || signature === undefined) return false;
    const candidate = Buffer.from(signature);
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** A fresh `webhook-id`: 'msg_' + 24 base64url characters (144 random bits). */
export function newWebhookId(): string {
  return `msg_${randomBytes(18).toString('base64url')}`;
}

/** A fresh signing secret: 'whsec_' + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function hmac(secret: Buffer, id: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64');
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}
