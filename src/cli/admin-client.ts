/**
 * The CLI's way to a running service: its admin API (`--url`, else ENTRA_SYNC_URL, else
 * http://127.0.0.1:$PORT) with `Authorization: Bearer $ADMIN_TOKEN`. Going through the API keeps
 * one place for validation, encryption and wake-ups, and works from a laptop through a
 * port-forward. The token comes only from the environment, never from an argument, so it stays
 * out of shell history and `ps`.
 */
import { UsageError } from './cli-io.js';

export interface AdminClient {
  readonly url: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
}

/** A refusal by the service, with its own words (the admin API explains problems in `message`). */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export function adminClientFrom(env: NodeJS.ProcessEnv, urlOption: string | undefined): AdminClient {
  const url = (urlOption ?? env.ENTRA_SYNC_URL ?? `http://127.0.0.1:${env.PORT?.trim() || '3000'}`).replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\//.test(url))
    throw new UsageError(`--url must be an http(s) URL of the service, got "${url}"`);
  const token = env.ADMIN_TOKEN?.trim();
  if (!token) {
    throw new UsageError(
      'ADMIN_TOKEN is not set: export the admin token the service was started with (it is never taken as an argument, so it stays out of shell history)',
    );
  }
  return {
    url,
    get: <T>(path: string) => request<T>(url, token, 'GET', path),
    post: <T>(path: string, body?: unknown) => request<T>(url, token, 'POST', path, body ?? {}),
    patch: <T>(path: string, body: unknown) => request<T>(url, token, 'PATCH', path, body),
    delete: async (path: string) => void (await request<unknown>(url, token, 'DELETE', path)),
  };
}

/** Path segment for a connection id or name. */
export const seg = (value: string) => encodeURIComponent(value);

async function request<T>(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new AdminApiError(0, unreachable(base, error));
  }
  const text = await response.text();
  const parsed = parseJson(text);
  if (response.ok) return parsed as T;
  throw refusal(response.status, parsed, text);
}

function refusal(status: number, parsed: unknown, text: string): AdminApiError {
  const body = (parsed ?? {}) as { message?: string; details?: unknown };
  if (status === 401)
    return new AdminApiError(401, 'the service refused ADMIN_TOKEN (401): use the token it was started with');
  if (status === 429)
    return new AdminApiError(429, 'the service is rate-limiting admin requests (429): wait a minute');
  return new AdminApiError(
    status,
    body.message ?? `the service answered ${status}: ${text.slice(0, 200)}`,
    body.details,
  );
}

function unreachable(base: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return `cannot reach entra-sync at ${base} (${why}): is the service running? Pass --url or set ENTRA_SYNC_URL`;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
