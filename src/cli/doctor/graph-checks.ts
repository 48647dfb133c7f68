/**
 * Reading Graph with the token: users can be listed, and the group (when one is set) exists and
 * has users, nested groups included, as the sync will see them.
 */
import { createGraphApi, type GraphApi } from '../../graph/graph-api.js';
import { GraphRequestError } from '../../graph/graph-errors.js';
import { rolesOf } from '../../graph/token-provider.js';
import { type Check, fail, pass, skip, warn } from './checklist.js';
import type { DoctorTarget } from './doctor-target.js';
import type { Permissions } from './permission-checks.js';

interface Page {
  value: unknown[];
  '@odata.nextLink'?: string;
}

export function doctorGraph(t: DoctorTarget, accessToken: string): GraphApi {
  const tokens = { getToken: async () => accessToken, grantedRoles: async () => rolesOf(accessToken) };
  return createGraphApi({ graphBaseUrl: t.settings.graphBaseUrl, tokens, timeoutMs: 15_000, maxRetries: 1 });
}

export async function usersReadableCheck(graph: GraphApi, p: Permissions): Promise<Check> {
  if (!p.has('User.Read.All')) return skip('users not read: User.Read.All is missing');
  try {
    await graph.get<Page>('/users?$select=id&$top=1', {
      operation: 'GET /users',
      permission: 'User.Read.All',
    });
    return pass('Graph answers: users can be read');
  } catch (error) {
    return fail(
      messageOf(error),
      'check GRAPH_BASE_URL and that admin consent has been granted (it can take a few minutes to apply)',
    );
  }
}

export async function groupChecks(t: DoctorTarget, graph: GraphApi, p: Permissions): Promise<Check[]> {
  if (!t.groupId) return [];
  if (!p.has('GroupMember.Read.All'))
    return [skip(`group ${t.groupId} not checked: GroupMember.Read.All is missing`)];
  const id = encodeURIComponent(t.groupId);
  let group: { displayName?: string };
  try {
    group = await graph.get(`/groups/${id}?$select=id,displayName`, {
      operation: 'GET /groups/{id}',
      permission: 'GroupMember.Read.All',
    });
  } catch (error) {
    if (error instanceof GraphRequestError && (error.code === 'not_found' || error.code === 'bad_request')) {
      return [
        fail(
          `group ${t.groupId} does not exist in tenant ${t.tenantId} (Graph answered ${error.details.status})`,
          "use the group's Object ID from Entra → Groups → the group → Overview (not its name or email), from this customer's tenant",
        ),
      ];
    }
    return [fail(messageOf(error), 'check the group id and the GroupMember.Read.All permission')];
  }
  try {
    const users = await countTransitiveUsers(graph, id);
    const name = `group "${group.displayName ?? t.groupId}"`;
    if (users === 0)
      return [
        warn(
          `${name} exists but has no users (nested groups included): nothing would be synced`,
          'add the pilot users to the group, or check it is the right group',
        ),
      ];
    return [
      pass(
        `${name} exists: ${users.toLocaleString('en-US')} user${users === 1 ? '' : 's'} (nested groups included)`,
      ),
    ];
  } catch (error) {
    return [fail(messageOf(error), 'check the GroupMember.Read.All permission')];
  }
}

async function countTransitiveUsers(graph: GraphApi, id: string): Promise<number> {
  let url: string | undefined = `/groups/${id}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`;
  let count = 0;
  while (url) {
    const page: Page = await graph.get<Page>(url, {
      operation: 'GET /groups/{id}/transitiveMembers',
      permission: 'GroupMember.Read.All',
    });
    count += page.value.length;
    url = page['@odata.nextLink'];
  }
  return count;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
