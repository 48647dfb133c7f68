// The client-credentials grant, checked in the order Entra reports problems, each with the AADSTS
// code an operator would search for.
import { EntraError } from './entra-errors.js';
import type { AccessTokenSigner } from './access-tokens.js';
import type { Tenant, TenantRegistry } from './tenants.js';

const GRAPH_SCOPES = new Set([
  'https://graph.microsoft.com/.default',
  '00000003-0000-0000-c000-000000000000/.default',
]);

export interface TokenResponse {
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

export interface TokenRequest {
  tenant: string;
  form: Record<string, string | undefined>;
  /** From an `Authorization: Basic` header (client_secret_basic), when present. */
  basic?: { clientId: string; clientSecret: string };
}

function findTenant(registry: TenantRegistry, tenant: string): Tenant {
  const found = registry.find(tenant);
  if (found) return found;
  throw new EntraError(
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

function checkGrantAndScope(form: TokenRequest['form']): void {
  const grant = form.grant_type;
  if (!grant)
    throw new EntraError(
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
  if (grant !== 'client_credentials') {
    throw new EntraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant}'.`,
    );
  }
  const scope = form.scope;
  if (!scope)
    throw new EntraError(
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  if (!scope.endsWith('/.default')) {
    throw new EntraError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  if (!GRAPH_SCOPES.has(scope)) {
    const resource = scope.slice(0, -'/.default'.length);
    throw new EntraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant.`,
    );
  }
}

export function issueClientCredentialsToken(
  registry: TenantRegistry,
  signer: AccessTokenSigner,
  request: TokenRequest,
): TokenResponse {
  const tenant = findTenant(registry, request.tenant);
  const clientId = request.form.client_id ?? request.basic?.clientId;
  const secret = request.form.client_secret ?? request.basic?.clientSecret;
  if (!clientId)
    throw new EntraError(
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'client_id'.",
    );
  checkGrantAndScope(request.form);
  const app = tenant.apps.get(clientId.toLowerCase());
  if (!app) {
    throw new EntraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  if (!secret) {
    throw new EntraError(
      401,
      'invalid_client',
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    );
  }
  if (secret !== app.clientSecret) {
    throw new EntraError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
    );
  }
  if (app.secretExpiresAt && app.secretExpiresAt.getTime() <= Date.now()) {
    throw new EntraError(
      401,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${app.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret.`,
    );
  }
  const { token } = signer.issue({
    tenantId: tenant.tenantId,
    appId: app.clientId,
    servicePrincipalId: app.servicePrincipalId,
    roles: app.roles,
    lifetimeSeconds: app.tokenLifetimeSeconds,
  });
  return {
    token_type: 'Bearer',
    expires_in: app.tokenLifetimeSeconds,
    ext_expires_in: app.tokenLifetimeSeconds,
    access_token: token,
  };
}
