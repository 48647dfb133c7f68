// Checks a delivery body against contract.md's Event format, naming the first bad field
// (`events[3].user.mail is missing`) so a failing test points straight at the producer's bug.
import { DELETE_REASONS, EVENT_SOURCES, EVENT_TYPES, PROFILE_FIELDS } from './leena-sink-types.js';
import type { LeenaEvent } from './leena-sink-types.js';

export const MAX_EVENTS_PER_BATCH = 100;

type Json = Record<string, unknown>;
type Check = (value: unknown) => string | null;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const CHANGEABLE = new Set<string>(PROFILE_FIELDS);

const nonEmptyString: Check = (v) =>
  typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string';
const stringOrNull: Check = (v) => (v === null || typeof v === 'string' ? null : 'must be a string or null');
const oneOf =
  (allowed: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && allowed.includes(v) ? null : `must be one of ${allowed.join('|')}`;

const EVENT_CHECKS: Record<string, Check> = {
  id: nonEmptyString,
  type: oneOf(EVENT_TYPES),
  connectionId: nonEmptyString,
  tenantId: nonEmptyString,
  userId: nonEmptyString,
  sequence: (v) => (Number.isSafeInteger(v) && (v as number) >= 1 ? null : 'must be a positive integer'),
  occurredAt: (v) =>
    typeof v === 'string' && ISO_8601.test(v) && !Number.isNaN(Date.parse(v))
      ? null
      : 'must be an ISO 8601 date-time',
  source: oneOf(EVENT_SOURCES),
};

const PROFILE_CHECKS: Record<string, Check> = {
  ...Object.fromEntries(PROFILE_FIELDS.map((field) => [field, stringOrNull])),
  id: nonEmptyString,
  businessPhones: (v) =>
    Array.isArray(v) && v.every((p) => typeof p === 'string') ? null : 'must be an array of strings',
  accountEnabled: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
};

export type BatchCheck = { ok: true; events: LeenaEvent[] } | { ok: false; reason: string };

/** Validates a parsed body `{"events": [...]}`: 1..100 events, each matching the contract. */
export function checkBatch(body: unknown): BatchCheck {
  if (!isObject(body) || !Array.isArray(body.events))
    return { ok: false, reason: 'body must be {"events": [...]}' };
  const { events } = body;
  if (events.length === 0) return { ok: false, reason: 'events is empty' };
  if (events.length > MAX_EVENTS_PER_BATCH) {
    return {
      ok: false,
      reason: `events has ${events.length} items; at most ${MAX_EVENTS_PER_BATCH} per batch`,
    };
  }
  for (const [index, event] of events.entries()) {
    const problem = checkEvent(event);
    if (problem) return { ok: false, reason: `events[${index}]${problem}` };
  }
  return { ok: true, events: events as LeenaEvent[] };
}

/** Returns null when valid, else a path-prefixed message such as `.user.mail is missing`. */
export function checkEvent(event: unknown): string | null {
  if (!isObject(event)) return ' must be an object';
  const base = checkFields(event, EVENT_CHECKS, '');
  if (base) return base;
  const type = event.type as LeenaEvent['type'];
  return checkUser(event, type) ?? checkChanges(event, type) ?? checkReason(event, type);
}

function checkUser(event: Json, type: LeenaEvent['type']): string | null {
  if (type === 'user.deleted') return 'user' in event ? '.user must be absent on user.deleted' : null;
  if (!isObject(event.user)) return event.user === undefined ? '.user is missing' : '.user must be an object';
  const problem = checkFields(event.user, PROFILE_CHECKS, '.user');
  if (problem) return problem;
  return event.user.id === event.userId ? null : '.user.id must equal userId';
}

function checkChanges(event: Json, type: LeenaEvent['type']): string | null {
  if (type !== 'user.updated') return 'changes' in event ? `.changes must be absent on ${type}` : null;
  const { changes } = event;
  if (!isObject(changes)) return changes === undefined ? '.changes is missing' : '.changes must be an object';
  const fields = Object.keys(changes);
  if (fields.length === 0) return '.changes is empty (an update must list the fields that changed)';
  for (const field of fields) {
    const change = changes[field];
    if (!CHANGEABLE.has(field)) return `.changes.${field} is not a profile field`;
    if (!isObject(change) || !('old' in change) || !('new' in change)) {
      return `.changes.${field} must be {"old": ..., "new": ...}`;
    }
  }
  return null;
}

function checkReason(event: Json, type: LeenaEvent['type']): string | null {
  if (type !== 'user.deleted') return 'reason' in event ? `.reason must be absent on ${type}` : null;
  if (event.reason === undefined) return '.reason is missing';
  return oneOf(DELETE_REASONS)(event.reason) ? `.reason ${oneOf(DELETE_REASONS)(event.reason)}` : null;
}

function checkFields(target: Json, checks: Record<string, Check>, path: string): string | null {
  for (const [field, check] of Object.entries(checks)) {
    if (!(field in target) || target[field] === undefined) return `${path}.${field} is missing`;
    const problem = check(target[field]);
    if (problem) return `${path}.${field} ${problem}`;
  }
  return null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
