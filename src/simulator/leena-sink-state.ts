// The correctness oracle of contract.md: "Applying every event in sequence order per user,
// ignoring ids already seen, yields exactly the in-scope users of the tenant with their current
// fields." Besides the resulting users it reports every way the stream broke the contract:
// out-of-order or missing sequences (in arrival order), and `changes` that do not describe the
// difference between a user's previous and new profile.
import { isDeepStrictEqual } from 'node:util';
import { PROFILE_FIELDS } from './leena-sink-types.js';
import type {
  ChangeMismatch,
  LeenaEvent,
  OrderViolation,
  SinkState,
  UserProfile,
} from './leena-sink-types.js';

export function userKey(connectionId: string, userId: string): string {
  return `${connectionId}:${userId}`;
}

/** Builds the state from accepted events in arrival order (duplicates included). */
export function computeState(events: readonly LeenaEvent[], webhookIdConflicts: string[] = []): SinkState {
  const seen = new Set<string>();
  const perUser = new Map<string, LeenaEvent[]>();
  const lastArrived = new Map<string, number>();
  const orderViolations: OrderViolation[] = [];
  let duplicates = 0;
  for (const event of events) {
    if (seen.has(event.id)) {
      duplicates += 1;
      continue;
    }
    seen.add(event.id);
    const key = userKey(event.connectionId, event.userId);
    const expected = (lastArrived.get(key) ?? 0) + 1;
    if (event.sequence !== expected) {
      const { connectionId, userId, id: eventId, sequence: got } = event;
      orderViolations.push({ connectionId, userId, eventId, expected, got });
    }
    lastArrived.set(key, event.sequence);
    const stream = perUser.get(key);
    if (stream) stream.push(event);
    else perUser.set(key, [event]);
  }
  const users = new Map<string, UserProfile>();
  const lastSequence = new Map<string, number>();
  const changeMismatches: ChangeMismatch[] = [];
  for (const [key, stream] of perUser) {
    // Array.prototype.sort is stable: equal sequences keep their arrival order.
    const ordered = stream.sort((a, b) => a.sequence - b.sequence);
    for (const event of ordered) applyEvent(users, key, event, changeMismatches);
    lastSequence.set(key, ordered.at(-1)?.sequence ?? 0);
  }
  return { users, duplicates, orderViolations, changeMismatches, lastSequence, webhookIdConflicts };
}

function applyEvent(
  users: Map<string, UserProfile>,
  key: string,
  event: LeenaEvent,
  mismatches: ChangeMismatch[],
): void {
  if (event.type === 'user.deleted') {
    users.delete(key);
    return;
  }
  if (event.type === 'user.updated') mismatches.push(...checkChanges(users.get(key), event));
  users.set(key, event.user);
}

/** What is wrong with an update's `changes`, given the user's profile before it (if known). */
export function checkChanges(
  previous: UserProfile | undefined,
  event: Extract<LeenaEvent, { type: 'user.updated' }>,
): ChangeMismatch[] {
  const found: ChangeMismatch[] = [];
  const { id: eventId, connectionId, userId } = event;
  const report = (field: string, problem: ChangeMismatch['problem'], expected: unknown, got: unknown) =>
    found.push({ eventId, connectionId, userId, field, problem, expected, got });
  const changes: Record<string, { old: unknown; new: unknown } | undefined> = event.changes;
  for (const [field, change] of Object.entries(changes)) {
    if (!change) continue;
    const current = event.user[field as keyof UserProfile];
    if (!isDeepStrictEqual(change.new, current)) report(field, 'new_differs_from_user', current, change.new);
    if (!previous) {
      if (isDeepStrictEqual(change.old, change.new))
        report(field, 'listed_but_unchanged', change.old, change.new);
      continue;
    }
    const before = previous[field as keyof UserProfile];
    if (!isDeepStrictEqual(change.old, before))
      report(field, 'old_differs_from_previous', before, change.old);
    if (isDeepStrictEqual(before, current)) report(field, 'listed_but_unchanged', before, current);
  }
  if (!previous) return found;
  for (const field of PROFILE_FIELDS) {
    const changed = !isDeepStrictEqual(previous[field], event.user[field]);
    if (changed && !(field in changes))
      report(field, 'changed_but_not_listed', previous[field], event.user[field]);
  }
  return found;
}
