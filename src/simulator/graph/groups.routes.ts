// Directory reads on groups: the group, its direct and transitive members (optionally cast to
// users or groups), and groups/delta.
import type { FastifyRequest } from 'fastify';
import { resourceNotFound } from './graph-errors.js';
import type { GraphContext, GraphRouter } from './graph-route.js';
import type { MemberCast, MemberKind } from './group-members.js';
import { listMemberIds } from './group-members.js';
import type { GroupsDeltaDeps } from './groups-delta.js';
import { serveGroupsDelta } from './groups-delta.js';
import { decodePageToken, encodePageToken, graphLink, parseTop } from './paging.js';
import { GROUP_TYPE, USER_TYPE, parseSelect, renderGroup, renderUser } from './properties.js';
import type { SnapshotCache } from './snapshot-cache.js';

type Query = Record<string, string | undefined>;
type MembersRequest = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

export interface GroupRouteDeps {
  delta: GroupsDeltaDeps;
  memberLists: SnapshotCache<string[]>;
}

function requireGroup(ctx: GraphContext, id: string) {
  const group = ctx.tenant.directory.groups.get(id);
  if (!group) throw resourceNotFound(id);
  return group;
}

function listMembers(
  ctx: GraphContext,
  req: MembersRequest,
  kind: MemberKind,
  cast: MemberCast,
  deps: GroupRouteDeps,
) {
  const directory = ctx.tenant.directory;
  const group = requireGroup(ctx, req.params.id);
  const query = req.query;
  const top = parseTop(query.$top, 999, 100);
  const select = parseSelect(query.$select, cast ?? 'directoryObject');
  const key = [ctx.tenant.tenantId, group.id, kind, cast, directory.groupLog.length].join('|');
  const ids = deps.memberLists.get(key, () => listMemberIds(directory, group.id, kind, cast));
  const offset = query.$skiptoken ? decodePageToken<{ o: number }>(query.$skiptoken).o : 0;
  const value = ids.slice(offset, offset + top).flatMap((id) => {
    const user = directory.users.get(id);
    if (user) return [{ '@odata.type': USER_TYPE, ...renderUser(user, select) }];
    const member = directory.groups.get(id);
    return member ? [{ '@odata.type': GROUP_TYPE, ...renderGroup(member, select) }] : [];
  });
  const path = req.url.split('?')[0] as string;
  const body: Record<string, unknown> = {
    '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#${cast ? `${cast}s` : 'directoryObjects'}`,
  };
  if (offset + top < ids.length) {
    body['@odata.nextLink'] = graphLink(ctx.baseUrl, path, query, {
      $skiptoken: encodePageToken({ o: offset + top }),
    });
  }
  body.value = value;
  return body;
}

const MEMBER_ROUTES: Array<{ kind: MemberKind; cost: number; permission: string[] }> = [
  { kind: 'members', cost: 3, permission: ['GroupMember.Read.All'] },
  { kind: 'transitiveMembers', cost: 5, permission: ['GroupMember.ReadBasic.All'] },
];

export function registerGroupRoutes(route: GraphRouter, deps: GroupRouteDeps): void {
  route<{ Querystring: Query }>({
    method: 'GET',
    url: '/v1.0/groups/delta',
    permission: ['GroupMember.Read.All'],
    cost: 1,
    handler: async (ctx, req) => serveGroupsDelta(ctx, req.query, deps.delta),
  });

  route<{ Params: { id: string }; Querystring: Query }>({
    method: 'GET',
    url: '/v1.0/groups/:id',
    permission: ['GroupMember.Read.All'],
    cost: 1,
    handler: async (ctx, req) => ({
      '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#groups/$entity`,
      ...renderGroup(requireGroup(ctx, req.params.id), parseSelect(req.query.$select, 'group')),
    }),
  });

  for (const { kind, cost, permission } of MEMBER_ROUTES) {
    for (const cast of [null, 'user', 'group'] as const) {
      route<{ Params: { id: string }; Querystring: Query }>({
        method: 'GET',
        url: `/v1.0/groups/:id/${kind}${cast ? `/microsoft.graph.${cast}` : ''}`,
        permission,
        cost,
        handler: async (ctx, req) => listMembers(ctx, req, kind, cast, deps),
      });
    }
  }
}
