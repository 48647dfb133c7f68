// Every /v1.0 route runs the same gauntlet before its handler, in Graph's order: latency,
// bearer token (401), random outages (503/429), permission (403), resource-unit budget (429).
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import type { SimFaults } from '../core/faults.js';
import type { AccessTokenSigner } from '../entra/access-tokens.js';
import type { Tenant, TenantRegistry } from '../entra/tenants.js';
import { accessDenied, GraphHttpError } from './graph-errors.js';
import { effectivePermissions, hasAnyPermission } from './permissions.js';
import type { Throttle } from './throttling.js';
import { resourceUnitCost } from './throttling.js';

export const INNER_REQUEST_HEADER = 'x-sim-batch-inner';

export interface GraphContext {
  tenant: Tenant;
  appId: string;
  permissions: ReadonlySet<string>;
  baseUrl: string;
}

export interface GraphRouteDeps {
  registry: TenantRegistry;
  signer: AccessTokenSigner;
  faults: SimFaults;
  throttle: Throttle;
  random: () => number;
  baseUrl: () => string;
  /** Marks requests the $batch route replays, so latency is paid once per batch. */
  innerRequestSecret: string;
  /** Aborted on close, so latency sleeps do not hold the server open. */
  signal: AbortSignal;
}

export interface GraphRouteSpec<RG extends RouteGenericInterface> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** Any one of these (or a permission implying it) is enough; omitted: any valid token. */
  permission?: string[];
  /** Resource units before the `$select` discount; omitted: not budgeted (not a directory read). */
  cost?: number;
  handler(ctx: GraphContext, req: FastifyRequest<RG>, reply: FastifyReply): Promise<unknown>;
}

const TOKEN_PROBLEMS: Record<string, string> = {
  missing: 'Access token is empty.',
  malformed: 'IDX14100: JWT is not well formed, there are no dots (.).',
  signature: 'Access token validation failure. Invalid signature.',
  audience: 'Access token validation failure. Invalid audience.',
  expired: 'Lifetime validation failed, the token is expired.',
};

function authenticate(deps: GraphRouteDeps, req: FastifyRequest): GraphContext {
  const header = req.headers.authorization;
  const bearer = header?.match(/^Bearer\s+(.*)$/i)?.[1]?.trim();
  const check = deps.signer.verify(bearer);
  if (!check.ok)
    throw new GraphHttpError(
      401,
      'InvalidAuthenticationToken',
      TOKEN_PROBLEMS[check.reason] ?? 'Invalid token.',
    );
  const tenant = deps.registry.find(check.claims.tid);
  if (!tenant)
    throw new GraphHttpError(
      401,
      'InvalidAuthenticationToken',
      'Access token validation failure. Invalid tenant.',
    );
  return {
    tenant,
    appId: check.claims.appid,
    permissions: effectivePermissions(check.claims.roles ?? []),
    baseUrl: deps.baseUrl(),
  };
}

function injectRandomFaults(deps: GraphRouteDeps): void {
  const { faults, random } = deps;
  if (faults.unavailableRate > 0 && random() < faults.unavailableRate) {
    throw new GraphHttpError(503, 'serviceNotAvailable', 'Service Unavailable. Please retry later.');
  }
  if (faults.throttleRate > 0 && random() < faults.throttleRate) {
    const retryAfter = String(faults.retryAfterSeconds);
    throw new GraphHttpError(
      429,
      'TooManyRequests',
      'Too many requests.',
      { 'retry-after': retryAfter },
      'activityLimitReached',
    );
  }
}

function chargeBudget(
  deps: GraphRouteDeps,
  ctx: GraphContext,
  req: FastifyRequest,
  baseCost: number,
): number {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const cost = resourceUnitCost(baseCost, typeof query.$select === 'string');
  const retryAfter = deps.throttle.charge(
    ctx.tenant.tenantId,
    ctx.appId,
    cost,
    ctx.tenant.directory.users.size,
  );
  if (retryAfter !== null) {
    throw new GraphHttpError(
      429,
      'TooManyRequests',
      `Too many requests. Application '${ctx.appId}' exceeded its resource-unit budget for tenant '${ctx.tenant.tenantId}'; retry after ${retryAfter} s.`,
      { 'retry-after': String(retryAfter) },
      'activityLimitReached',
    );
  }
  return cost;
}

export function createGraphRouter(app: FastifyInstance, deps: GraphRouteDeps) {
  return function route<RG extends RouteGenericInterface>(spec: GraphRouteSpec<RG>): void {
    app.route({
      method: spec.method,
      url: spec.url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const inner = req.headers[INNER_REQUEST_HEADER] === deps.innerRequestSecret;
        if (deps.faults.latencyMs > 0 && !inner)
          await sleep(deps.faults.latencyMs, undefined, { signal: deps.signal });
        const ctx = authenticate(deps, req);
        injectRandomFaults(deps);
        if (spec.permission && !hasAnyPermission(ctx.permissions, spec.permission)) throw accessDenied();
        const cost = spec.cost === undefined ? 1 : chargeBudget(deps, ctx, req, spec.cost);
        reply.header('x-ms-resource-unit', String(cost));
        return spec.handler(ctx, req as FastifyRequest<RG>, reply);
      },
    });
  };
}

export type GraphRouter = ReturnType<typeof createGraphRouter>;
