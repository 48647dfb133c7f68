/**
 * Outbound safety for Leena AI targets: the service POSTs customer data to this URL, so a typo or
 * a hostile admin must not turn it into a probe of internal networks (cloud metadata at
 * 169.254.169.254, private ranges). https only; http and private targets only when configured.
 */
import { isIP } from 'node:net';
import { isLoopbackHost } from '../config/urls.js';

export interface OutboundPolicy {
  readonly allowInsecureUrl: boolean;
  readonly allowPrivateUrl: boolean;
}

/** Returns a problem in plain words, or undefined when the URL may be used. */
export function checkLeenaUrl(value: string, policy: OutboundPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.username || url.password) return 'must not carry credentials in the URL (the API key is sent as a Bearer token)';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const kind = addressKind(host);
  const loopback = kind === 'loopback';
  if (url.protocol === 'http:') {
    if (!(loopback && policy.allowInsecureUrl)) {
      return 'must be https (plain http is accepted only for loopback hosts with ALLOW_INSECURE_LEENA_URL=true)';
    }
  } else if (url.protocol !== 'https:') {
    return 'must be an https URL';
  }
  if (kind === 'metadata' || kind === 'link-local') {
    if (!policy.allowPrivateUrl) return `points at a ${kind} address (${host}), which is never a Leena AI endpoint`;
  }
  if (kind === 'private' && !policy.allowPrivateUrl) {
    return `points at a private network address (${host}); set ALLOW_PRIVATE_LEENA_URL=true if that is intended`;
  }
  if (loopback && !policy.allowPrivateUrl && !policy.allowInsecureUrl) {
    return 'points at this machine (loopback); set ALLOW_INSECURE_LEENA_URL=true for a local sink';
  }
  return undefined;
}

export type AddressKind = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata';

/** Classifies an IP literal (names are classified after DNS resolution by the dispatcher). */
export function addressKind(host: string): AddressKind {
  if (isLoopbackHost(host)) return 'loopback';
  const family = isIP(host);
  if (family === 4) return ipv4Kind(host);
  if (family === 6) return ipv6Kind(host.toLowerCase());
  return 'public';
}

function ipv4Kind(ip: string): AddressKind {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  if (ip === '169.254.169.254') return 'metadata';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a === 0) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // carrier-grade NAT
  if (a >= 224) return 'private'; // multicast, reserved, broadcast: never a Leena AI endpoint
  return 'public';
}

function ipv6Kind(ip: string): AddressKind {
  const g = ipv6Groups(ip);
  if (g === undefined) return 'private'; // isIP said IPv6 but we cannot read it: refuse rather than guess
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  // IPv4 inside IPv6 (URLs normalise "::ffff:169.254.169.254" to "::ffff:a9fe:a9fe"): judge the IPv4.
  const v4 = () => `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  if (zeroPrefix(8)) return 'private'; // ::
  if (zeroPrefix(7) && g[7] === 1) return 'loopback'; // ::1
  if (zeroPrefix(5) && (g[5] === 0xffff || g[5] === 0)) return ipv4Kind(v4()); // mapped, compatible
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return ipv4Kind(v4()); // NAT64
  if (g[0] === 0xfd00 && g[1] === 0xec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) return 'metadata';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xfe00) === 0xfc00 || (g[0]! & 0xff00) === 0xff00) return 'private'; // unique local, multicast
  return 'public';
}

/** The eight 16-bit groups of an IPv6 literal (with "::", an embedded IPv4 tail, a zone). */
function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.replace(/%.*$/, '');
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...right].map((x) => parseInt(x, 16));
  return groups.length === 8 && groups.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? groups : undefined;
}
