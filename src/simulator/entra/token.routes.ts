// The authority: token endpoint and OpenID discovery documents, on the same server as Graph.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimFaults } from '../core/faults.js';
import type { SimStats } from '../core/stats.js';
import type { AccessTokenSigner } from './access-tokens.js';
import { issueClientCredentialsToken } from './client-credentials.js';
import { EntraError, entraErrorBody } from './entra-errors.js';
import type { TenantRegistry } from './tenants.js';

export interface EntraRouteDeps {
  registry: TenantRegistry;
  signer: AccessTokenSigner;
  faults: SimFaults;
  stats: SimStats;
  baseUrl: () => string;
}

function basicCredentials(req: FastifyRequest): { clientId: string; clientSecret: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

function openIdConfiguration(base: string, tenantPath: string, tenantId: string) {
  const root = `${base}/${tenantPath}`;
  return {
    token_endpoint: `${root}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${root}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${tenantId}/v2.0`,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    tenant_region_scope: 'WW',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

/** Entra reads only form bodies; anything else looks like a request without parameters. */
function formOf(req: FastifyRequest): Record<string, string | undefined> {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return {};
  return (req.body ?? {}) as Record<string, string | undefined>;
}

export function registerEntraRoutes(app: FastifyInstance, deps: EntraRouteDeps): void {
  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (req, reply) => {
    deps.stats.tokenRequests++;
    // The msal-node pitfall: a 404 with {} becomes an empty access token, not an error.
    if (deps.faults.tokenEndpointNotFound) return reply.code(404).send({});
    const form = formOf(req);
    const basic = basicCredentials(req);
    try {
      const token = issueClientCredentialsToken(deps.registry, deps.signer, {
        tenant: req.params.tenant,
        form,
        ...(basic ? { basic } : {}),
      });
      return reply.header('cache-control', 'no-store, no-cache').send(token);
    } catch (err) {
      if (!(err instanceof EntraError)) throw err;
      return reply.code(err.status).send(entraErrorBody(err));
    }
  });

  app.get<{ Params: { tenant: string } }>(
    '/:tenant/v2.0/.well-known/openid-configuration',
    async (req, reply) => {
      const tenant = deps.registry.find(req.params.tenant);
      if (!tenant) {
        const err = new EntraError(400, 'invalid_tenant', 90002, `Tenant '${req.params.tenant}' not found.`);
        return reply.code(400).send(entraErrorBody(err));
      }
      return openIdConfiguration(deps.baseUrl(), req.params.tenant, tenant.tenantId);
    },
  );

  app.get('/:tenant/discovery/v2.0/keys', async () => ({ keys: [] }));
}
