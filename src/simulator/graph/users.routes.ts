// Directory reads on users: list (paged by position, no copy of the directory), get, manager,
// and delta.
import type { SimUser } from '../types.js';
import type { UserStore } from '../directory/user-store.js';
import { resourceNotFound, unsupportedQuery } from './graph-errors.js';
import type { GraphContext, GraphRouter } from './graph-route.js';
import { decodePageToken, encodePageToken, graphLink, parseTop } from './paging.js';
import { USER_TYPE, parseSelect, renderUser } from './properties.js';
import type { UsersDeltaDeps } from './users-delta.js';
import { serveUsersDelta } from './users-delta.js';

type Query = Record<string, string | undefined>;

const READ_USERS = ['User.Read.All'];
const BASIC_PROPERTIES = ['id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName'];
const DEFAULT_PAGE = 100;

/** `$expand=manager` or `$expand=manager($select=id,displayName)`; null when absent. */
function parseManagerExpand(raw: string | undefined): { select: string[] | null } | null {
  if (raw === undefined) return null;
  const match = raw.trim().match(/^manager(?:\(\s*\$select\s*=\s*([^)]*)\))?$/i);
  if (!match) throw unsupportedQuery(`The simulator supports only $expand=manager, not '${raw}'.`);
  return { select: parseSelect(match[1], 'user') };
}

interface UserView {
  select: string[] | null;
  expand: { select: string[] | null } | null;
}

/** Parsed once per request, applied to every user of the page. */
function userView(ctx: GraphContext, query: Query): UserView {
  let select = parseSelect(query.$select, 'user', ['manager'])?.filter((p) => p !== 'manager') ?? null;
  // With only User.ReadBasic.All Graph returns the basic profile, whatever was selected.
  if (!ctx.permissions.has('User.Read.All'))
    select = (select ?? BASIC_PROPERTIES).filter((p) => BASIC_PROPERTIES.includes(p));
  return { select, expand: parseManagerExpand(query.$expand) };
}

function renderViewed(store: UserStore, user: SimUser, view: UserView): Record<string, unknown> {
  const item = renderUser(user, view.select);
  const manager = view.expand && user.managerId ? store.get(user.managerId) : undefined;
  if (manager)
    item.manager = { '@odata.type': USER_TYPE, ...renderUser(manager, view.expand?.select ?? null) };
  return item;
}

function rejectUnsupported(query: Query): void {
  for (const option of ['$filter', '$search', '$orderby', '$count']) {
    if (query[option] !== undefined)
      throw unsupportedQuery(`The simulator does not support ${option} on users.`);
  }
}

function findUser(store: UserStore, key: string): SimUser {
  const byId = store.get(key);
  if (byId) return byId;
  // By userPrincipalName: a scan, since nobody should do this at scale.
  if (key.includes('@')) {
    const lower = key.toLowerCase();
    for (const user of store.values()) if (user.userPrincipalName.toLowerCase() === lower) return user;
  }
  throw resourceNotFound(key);
}

function listUsers(ctx: GraphContext, query: Query) {
  rejectUnsupported(query);
  const store = ctx.tenant.directory.users;
  const top = parseTop(query.$top, 999, DEFAULT_PAGE);
  const view = userView(ctx, query);
  let position = query.$skiptoken ? decodePageToken<{ p: number }>(query.$skiptoken).p : 0;
  const value: Record<string, unknown>[] = [];
  for (; position < store.orderLength && value.length < top; position++) {
    const user = store.atPosition(position);
    if (user) value.push(renderViewed(store, user, view));
  }
  while (position < store.orderLength && !store.atPosition(position)) position++;
  const body: Record<string, unknown> = { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#users` };
  if (position < store.orderLength) {
    body['@odata.nextLink'] = graphLink(ctx.baseUrl, '/v1.0/users', query, {
      $skiptoken: encodePageToken({ p: position }),
    });
  }
  body.value = value;
  return body;
}

export function registerUserRoutes(route: GraphRouter, deltaDeps: UsersDeltaDeps): void {
  route<{ Querystring: Query }>({
    method: 'GET',
    url: '/v1.0/users',
    permission: ['User.Read.All', 'User.ReadBasic.All'],
    cost: 2,
    handler: async (ctx, req) => listUsers(ctx, req.query),
  });

  route<{ Querystring: Query }>({
    method: 'GET',
    url: '/v1.0/users/delta',
    permission: READ_USERS,
    cost: 1,
    handler: async (ctx, req) => serveUsersDelta(ctx, req.query, deltaDeps),
  });

  route<{ Params: { id: string }; Querystring: Query }>({
    method: 'GET',
    url: '/v1.0/users/:id',
    permission: READ_USERS,
    cost: 1,
    handler: async (ctx, req) => {
      const store = ctx.tenant.directory.users;
      const user = findUser(store, req.params.id);
      const item = renderViewed(store, user, userView(ctx, req.query));
      return { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#users/$entity`, ...item };
    },
  });

  route<{ Params: { id: string }; Querystring: Query }>({
    method: 'GET',
    url: '/v1.0/users/:id/manager',
    permission: READ_USERS,
    cost: 1,
    handler: async (ctx, req) => {
      const store = ctx.tenant.directory.users;
      const user = findUser(store, req.params.id);
      const manager = user.managerId ? store.get(user.managerId) : undefined;
      if (!manager) throw resourceNotFound('manager');
      return {
        '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#directoryObjects/$entity`,
        '@odata.type': USER_TYPE,
        ...renderUser(manager, parseSelect(req.query.$select, 'user')),
      };
    },
  });
}
