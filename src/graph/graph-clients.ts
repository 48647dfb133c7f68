/**
 * One Graph client (and msal token cache) per connection, rebuilt when the connection's
 * credentials change (its updated_at moves).
 */
import type { ConnectionRow } from '../connections/connection.repository.js';
import { decryptSecrets } from '../connections/connection.service.js';
import type { AppContext } from '../context.js';
import { createGraphApi, type GraphApi } from './graph-api.js';
import { createTokenProvider, type TokenProvider } from './token-provider.js';

export interface ConnectionGraph {
  readonly api: GraphApi;
  readonly tokens: TokenProvider;
}

export interface GraphClients {
  forConnection(row: ConnectionRow): ConnectionGraph;
}

export function createGraphClients(ctx: Pick<AppContext, 'config' | 'secretBox' | 'metrics' | 'logger'>): GraphClients {
  const cache = new Map<string, { version: number; graph: ConnectionGraph }>();
  return {
    forConnection(row) {
      const version = row.updated_at.getTime();
      const hit = cache.get(row.id);
      if (hit && hit.version === version) return hit.graph;
      const tokens = createTokenProvider({
        authorityUrl: ctx.config.authorityUrl,
        graphBaseUrl: ctx.config.graphBaseUrl,
        tenantId: row.tenant_id,
        clientId: row.client_id,
        clientSecret: decryptSecrets(ctx, row).clientSecret,
        logger: ctx.logger.child({ connectionId: row.id, connection: row.name }),
      });
      const graph = { tokens, api: createGraphApi({ graphBaseUrl: ctx.config.graphBaseUrl, tokens, metrics: ctx.metrics }) };
      cache.set(row.id, { version, graph });
      return graph;
    },
  };
}
