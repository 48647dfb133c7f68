// Tenants and their app registrations (client id, secret, consented application roles).
import { randomUUID } from 'node:crypto';
import { invalidInput, notFound, SimError } from '../errors.js';
import type { AppInput, TenantInput } from '../types.js';
import type { TenantDirectory } from '../directory/directory.js';

export const DEFAULT_ROLES = ['User.Read.All', 'GroupMember.Read.All'];
const DEFAULT_TOKEN_LIFETIME_SECONDS = 3599;

export interface AppRegistration {
  clientId: string;
  clientSecret: string;
  roles: string[];
  secretExpiresAt: Date | null;
  tokenLifetimeSeconds: number;
  /** Object id of the app's service principal: the `oid` of its tokens, `creatorId` of its subscriptions. */
  servicePrincipalId: string;
}

export interface Tenant {
  tenantId: string;
  displayName: string;
  domain: string;
  apps: Map<string, AppRegistration>;
  directory: TenantDirectory;
}

export interface TenantRegistry {
  add(input: TenantInput): Tenant;
  addApp(input: AppInput): AppRegistration;
  /** By tenant id or verified domain, as the authority path accepts either. */
  find(idOrDomain: string): Tenant | undefined;
  require(tenantId: string): Tenant;
  all(): IterableIterator<Tenant>;
}

function defaultDomain(input: TenantInput): string {
  const base = (input.displayName ?? input.tenantId.slice(0, 8)).toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${base || 'tenant'}.onmicrosoft.com`;
}

export function createTenantRegistry(
  makeDirectory: (tenantId: string, domain: string) => TenantDirectory,
): TenantRegistry {
  const tenants = new Map<string, Tenant>();

  function require(tenantId: string): Tenant {
    const tenant = tenants.get(tenantId.toLowerCase());
    if (!tenant) throw notFound(`tenant ${tenantId}`);
    return tenant;
  }

  return {
    add(input) {
      if (typeof input.tenantId !== 'string' || input.tenantId === '')
        throw invalidInput('tenantId is required');
      const key = input.tenantId.toLowerCase();
      if (tenants.has(key)) throw new SimError('conflict', `tenant ${input.tenantId} already exists`);
      const domain = (input.domain ?? defaultDomain(input)).toLowerCase();
      const tenant: Tenant = {
        tenantId: input.tenantId,
        displayName: input.displayName ?? `Tenant ${input.tenantId.slice(0, 8)}`,
        domain,
        apps: new Map(),
        directory: makeDirectory(input.tenantId, domain),
      };
      tenants.set(key, tenant);
      return tenant;
    },
    addApp(input) {
      const tenant = require(input.tenantId);
      if (!input.clientId || !input.clientSecret)
        throw invalidInput('clientId and clientSecret are required');
      if (tenant.apps.has(input.clientId.toLowerCase())) {
        throw new SimError('conflict', `app ${input.clientId} already exists in tenant ${input.tenantId}`);
      }
      const app: AppRegistration = {
        clientId: input.clientId,
        clientSecret: input.clientSecret,
        roles: [...(input.roles ?? DEFAULT_ROLES)],
        secretExpiresAt: input.secretExpiresAt ?? null,
        tokenLifetimeSeconds: input.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
        servicePrincipalId: randomUUID(),
      };
      tenant.apps.set(input.clientId.toLowerCase(), app);
      return app;
    },
    find(idOrDomain) {
      const key = idOrDomain.toLowerCase();
      const byId = tenants.get(key);
      if (byId) return byId;
      for (const tenant of tenants.values()) if (tenant.domain === key) return tenant;
      return undefined;
    },
    require,
    all: () => tenants.values(),
  };
}
