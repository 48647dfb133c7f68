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
  const loopback = isLoopbackHost(host);
  if (url.protocol === 'http:') {
    if (!(loopback && policy.allowInsecureUrl)) {
      return 'must be https (plain http is accepted only for loopback hosts with ALLOW_INSECURE_LEENA_URL=true)';
    }
  } else if (url.protocol !== 'https:') {
    return 'must be an https URL';
  }
  const kind = addressKind(host);
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
  return 'public';
}

function ipv6Kind(ip: string): AddressKind {
  if (ip === '::1') return 'loopback';
  if (ip.startsWith('::ffff:')) return ipv4Kind(ip.slice(7));
  if (ip === 'fd00:ec2::254') return 'metadata';
  if (/^fe[89ab]/.test(ip)) return 'link-local';
  if (/^f[cd]/.test(ip) || ip === '::') return 'private';
  return 'public';
}
