/**
 * The send-time half of the outbound policy (leena-url.ts checks the URL as written). A host
 * name is checked after DNS resolution, inside the socket's own lookup, so the address checked is
 * the address connected to: a name that resolves (or is re-pointed) to a private or metadata
 * address is refused however it was spelled.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { type AddressKind, type OutboundPolicy, addressKind } from './leena-url.js';

/** Why an address may not be used under the policy, or undefined when it may. */
export function addressProblem(address: string, policy: OutboundPolicy): string | undefined {
  const kind: AddressKind = addressKind(address);
  if (kind === 'public' || policy.allowPrivateUrl) return undefined;
  if (kind === 'loopback') {
    return policy.allowInsecureUrl
      ? undefined
      : `resolves to this machine (${address}); set ALLOW_INSECURE_LEENA_URL=true for a local sink`;
  }
  if (kind === 'private')
    return `resolves to a private network address (${address}); set ALLOW_PRIVATE_LEENA_URL=true if that is intended`;
  return `resolves to a ${kind} address (${address}), which is never a Leena AI endpoint`;
}

export class OutboundAddressError extends Error {
  readonly code = 'ELEENA_ADDRESS_REFUSED';
  constructor(hostname: string, problem: string) {
    super(`Leena AI host ${hostname} ${problem}`);
    this.name = 'OutboundAddressError';
  }
}

type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A `lookup` for http(s).request that refuses every resolution containing a disallowed address. */
export function guardedLookup(policy: OutboundPolicy, resolve: Resolve = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const refused = addresses.map((a) => addressProblem(a.address, policy)).find((p) => p !== undefined);
      if (refused) return callback(new OutboundAddressError(hostname, refused), '', 4);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}
