/** Reading whole users by id, 20 to a $batch request (Graph's limit). */
import type { GraphApi } from '../graph/graph-api.js';
import type { UserObservation } from './apply-user-changes.js';
import { GRAPH_USER_SELECT, profileFromGraph, withAllFields } from './user-profile.js';

const BATCH_LIMIT = 20;

interface BatchResponse {
  responses: Array<{ id: string; status: number; body?: Record<string, unknown> }>;
}

export function userUrl(userId: string): string {
  return `/users/${encodeURIComponent(userId)}?$select=${GRAPH_USER_SELECT}&$expand=manager($select=id)`;
}

/** Whole profiles for these users; a user Graph no longer has comes back as hard-deleted. */
export async function readUsersById(graph: GraphApi, userIds: readonly string[]): Promise<UserObservation[]> {
  const out: UserObservation[] = [];
  for (let i = 0; i < userIds.length; i += BATCH_LIMIT) {
    const chunk = userIds.slice(i, i + BATCH_LIMIT);
    const batch = await graph.post<BatchResponse>(
      '/$batch',
      { requests: chunk.map((id, n) => ({ id: String(n), method: 'GET', url: userUrl(id) })) },
      { operation: 'POST /$batch (GET /users/{id})', permission: 'User.Read.All' },
    );
    for (const response of batch.responses) {
      const userId = chunk[Number(response.id)]!;
      if (response.status === 200 && response.body) {
        out.push({ userId, profile: withAllFields(profileFromGraph(response.body)), full: true });
      } else if (response.status === 404) {
        out.push({ userId, state: 'deleted' });
      } else {
        throw new Error(`reading user ${userId} failed inside $batch with status ${response.status}`);
      }
    }
  }
  return out;
}
