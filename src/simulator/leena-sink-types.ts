// The local Leena AI sink's view of the delivery contract (contract.md, "Delivery to Leena AI").
// These types are written from the contract on purpose, not imported from the service: the sink
// is the outside oracle, so a mistake in the service's own event types cannot hide here.

export const EVENT_TYPES = ['user.created', 'user.updated', 'user.deleted'] as const;
export const EVENT_SOURCES = ['notification', 'reconcile', 'manual'] as const;
export const DELETE_REASONS = ['deleted', 'soft_deleted', 'out_of_scope'] as const;

/** Every profile field of `user`, in contract order; none may be missing (null is allowed where typed). */
export const PROFILE_FIELDS = [
  'id',
  'userPrincipalName',
  'mail',
  'displayName',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'officeLocation',
  'employeeId',
  'mobilePhone',
  'businessPhones',
  'accountEnabled',
  'managerId',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
export type EventSource = (typeof EVENT_SOURCES)[number];
export type DeleteReason = (typeof DELETE_REASONS)[number];
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export interface UserProfile {
  id: string;
  userPrincipalName: string | null;
  mail: string | null;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  employeeId: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  accountEnabled: boolean;
  managerId: string | null;
}

export type FieldChange = { old: unknown; new: unknown };

interface EventBase {
  id: string;
  connectionId: string;
  tenantId: string;
  userId: string;
  sequence: number;
  occurredAt: string;
  source: EventSource;
}

export type LeenaEvent =
  | (EventBase & { type: 'user.created'; user: UserProfile })
  | (EventBase & {
      type: 'user.updated';
      user: UserProfile;
      changes: Partial<Record<ProfileField, FieldChange>>;
    })
  | (EventBase & { type: 'user.deleted'; reason: DeleteReason });

/** An accepted event as the sink recorded it: the event as sent, plus when it arrived (ms epoch). */
export type ReceivedEvent = LeenaEvent & { receivedAt: number };

export interface ReceivedBatch {
  webhookId: string;
  /** The request's webhook-timestamp header (unix seconds). */
  webhookTimestamp: number;
  receivedAt: number;
  events: ReceivedEvent[];
  status: number;
  /** 1 for the first request carrying this webhook-id, 2 for its first retry, ... */
  attempt: number;
}

/** A request refused before anything was recorded: auth, signature, shape, method, size. */
export interface RejectedRequest {
  receivedAt: number;
  status: number;
  reason: string;
}

/** A valid, authenticated request the sink failed on purpose (see `faults`). */
export interface FaultedRequest {
  receivedAt: number;
  status: number;
  webhookId: string;
  eventCount: number;
}

export interface SinkFaults {
  /** Answer the next N valid requests with `rejectStatus ?? failStatus`. */
  failNext: number;
  /** Status for failNext and down (default 503). */
  failStatus: number;
  /** When set, sent as `Retry-After` (seconds) on every faulted answer. */
  retryAfterSeconds?: number;
  /** While true, every valid request is answered `failStatus`. */
  down: boolean;
  /** Delay before every valid request is answered (and recorded). */
  latencyMs: number;
  /** When set (e.g. 400), failNext requests get this non-retryable status instead of failStatus. */
  rejectStatus?: number;
}

export interface OrderViolation {
  connectionId: string;
  userId: string;
  eventId: string;
  expected: number;
  got: number;
}

export type ChangeProblem =
  /** changes[field].new is not user[field] */
  | 'new_differs_from_user'
  /** changes[field].old is not the field's value after the user's previous event */
  | 'old_differs_from_previous'
  /** the field differs from the previous profile but is not listed in changes */
  | 'changed_but_not_listed'
  /** listed in changes but equal to the previous profile's value */
  | 'listed_but_unchanged';

export interface ChangeMismatch {
  eventId: string;
  connectionId: string;
  userId: string;
  field: string;
  problem: ChangeProblem;
  expected: unknown;
  got: unknown;
}

export interface SinkState {
  /** connectionId:userId -> current profile, after applying every distinct event in sequence order per user. */
  users: Map<string, UserProfile>;
  /** Events whose id was already seen (retries or re-sends); they are ignored. */
  duplicates: number;
  /** In arrival order, ignoring duplicate ids: an event whose sequence is not last+1 for its connection+user. */
  orderViolations: OrderViolation[];
  changeMismatches: ChangeMismatch[];
  /** connectionId:userId -> highest sequence received. */
  lastSequence: Map<string, number>;
  /** webhook-ids seen again with a different body (a retry must resend the same request). */
  webhookIdConflicts: string[];
}

export interface LeenaSinkOptions {
  apiKey: string;
  /** 'whsec_<base64>' or plain base64. */
  signingSecret: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default '/events'. */
  path?: string;
  /** Called after each accepted batch has been answered. */
  onEvents?: (events: ReceivedEvent[], batch: ReceivedBatch) => void;
  /** Called after each refused request (auth, signature, shape...). */
  onRejected?: (rejected: RejectedRequest) => void;
}

export interface LeenaSink {
  /** Full URL to POST to, e.g. http://127.0.0.1:PORT/events. */
  url: string;
  close(): Promise<void>;
  /** Accepted batches in arrival order. */
  batches: ReceivedBatch[];
  /** Every accepted event in arrival order, duplicates included. */
  events: ReceivedEvent[];
  /** Requests refused before recording: auth, signature, shape, method, size. */
  rejected: RejectedRequest[];
  /** Valid requests answered with a fault instead of being recorded. */
  faulted: FaultedRequest[];
  /** Mutable; see SinkFaults. */
  faults: SinkFaults;
  /** Answer the next `n` valid requests with `status` (default 503) and optional Retry-After. */
  failNext(n: number, status?: number, retryAfterSeconds?: number): void;
  /** While down, every valid request gets `status` (default: the current failStatus, 503). */
  setDown(down: boolean, status?: number): void;
  /** The correctness oracle over everything accepted so far (cached until the next batch: read-only). */
  state(): SinkState;
  /** userId -> current profile for one connection (from state()), for deepEqual in tests. */
  profiles(connectionId: string): Record<string, UserProfile>;
  /** Polls `predicate` until true; rejects after `timeoutMs` (default 5000) saying what arrived. */
  waitFor(predicate: (sink: LeenaSink) => boolean, timeoutMs?: number, label?: string): Promise<void>;
  /** Forgets everything received and clears all faults. */
  reset(): void;
}
