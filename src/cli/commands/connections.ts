/**
 * `entra-sync connections list|add|update|remove` through the admin API of a running service.
 * Values use the service's ENTRA_* / LEENA_* names (connection-bodies.ts); secrets come only from
 * the environment. Nothing printed ever contains a secret: update names the fields it changed.
 */
import type { ConnectionView } from '../../connections/connection.js';
import { adminClientFrom, type AdminClient, seg } from '../admin-client.js';
import { flag, parse, type Parsed, requiredPositional, stringOption } from '../args.js';
import { UsageError } from '../cli-io.js';
import { addBody, connectionOptions, updateBody } from '../connection-bodies.js';
import type { CliCommand, CliIo } from '../command.js';
import { table, when } from '../format.js';

const usage = [
  'entra-sync connections list [--json] [--url URL]',
  '       entra-sync connections add <name> [--tenant-id ID] [--client-id ID] [--group-id ID] [--secret-expires-at DATE] [--leena-url URL]',
  '         options default to ENTRA_* / LEENA_*; secrets only from ENTRA_CLIENT_SECRET, LEENA_API_KEY, LEENA_SIGNING_SECRET',
  '       entra-sync connections update <name> [--client-secret] [--secret-expires-at DATE] [--group-id ID | --no-group]',
  '         [--tenant-id ID] [--client-id ID] [--leena-url URL] [--leena-api-key] [--leena-signing-secret]',
  '         a secret switch takes the new value from its variable, e.g. ENTRA_CLIENT_SECRET=... connections update acme --client-secret',
  '       entra-sync connections remove <name> --yes',
  '       (each also takes --url URL)',
].join('\n');

const options = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean' },
  ...connectionOptions,
} as const;

export const command: CliCommand = {
  name: 'connections',
  summary: 'list, add, update or remove connections (customer tenants) of a running service',
  usage,
  async run(args, io) {
    const parsed = parse(args, options, usage);
    const action = requiredPositional(parsed, 0, 'what to do: list, add, update or remove', usage);
    const api = adminClientFrom(io.env, stringOption(parsed, 'url'));
    if (action === 'list') return list(api, parsed, io);
    if (action === 'add') return add(api, parsed, io);
    if (action === 'update') return update(api, parsed, io);
    if (action === 'remove') return remove(api, parsed, io);
    throw new UsageError(`unknown action "${action}": use list, add, update or remove\nusage: ${usage}`);
  },
};

async function list(api: AdminClient, parsed: Parsed, io: CliIo): Promise<number> {
  const { connections } = await api.get<{ connections: ConnectionView[] }>('/admin/connections');
  if (flag(parsed, 'json')) {
    io.out(JSON.stringify(connections, null, 2));
    return 0;
  }
  if (connections.length === 0) {
    io.out(`no connections at ${api.url}; add one: entra-sync connections add <name>`);
    return 0;
  }
  const rows = connections.map((c) => [
    c.name,
    c.tenantId,
    c.groupId ?? 'whole tenant',
    c.leena.url,
    c.clientSecretExpiresAt ? when(c.clientSecretExpiresAt).slice(0, 10) : 'unknown',
    c.credentialError ? `✗ ${c.credentialError}` : c.deliveryPaused ? 'delivery paused' : '',
  ]);
  for (const line of table([['NAME', 'TENANT', 'SCOPE', 'LEENA AI URL', 'SECRET EXPIRES', 'NOTE'], ...rows]))
    io.out(line);
  return 0;
}

async function add(api: AdminClient, parsed: Parsed, io: CliIo): Promise<number> {
  const name = requiredPositional(parsed, 1, 'the connection name', usage);
  const created = await api.post<ConnectionView>('/admin/connections', addBody(name, parsed, io.env, usage));
  io.out(`✓ connection "${created.name}" added (id ${created.id}); the initial full sync has been requested`);
  io.out(`  follow it:  entra-sync status ${created.name}`);
  io.out(`  check it:   entra-sync doctor ${created.name}`);
  return 0;
}

async function update(api: AdminClient, parsed: Parsed, io: CliIo): Promise<number> {
  const name = requiredPositional(parsed, 1, 'the connection name', usage);
  const body = updateBody(parsed, io.env, usage);
  await api.patch<ConnectionView>(`/admin/connections/${seg(name)}`, body);
  const fields = Object.entries(body).flatMap(([k, v]) =>
    k === 'leena' ? Object.keys(v as object).map((f) => `leena.${f}`) : [k],
  );
  io.out(`✓ connection "${name}" updated: ${fields.join(', ')}`);
  if (body.clientSecret !== undefined) io.out(`  check the new secret: entra-sync doctor ${name}`);
  return 0;
}

async function remove(api: AdminClient, parsed: Parsed, io: CliIo): Promise<number> {
  const name = requiredPositional(parsed, 1, 'the connection name', usage);
  if (!flag(parsed, 'yes')) {
    throw new UsageError(
      `not removed: add --yes to confirm. Removing "${name}" stops its sync and deletes what this service stores for it (users, undelivered events, dead letters); Leena AI keeps what it already has`,
    );
  }
  await api.delete(`/admin/connections/${seg(name)}`);
  io.out(`✓ connection "${name}" removed`);
  return 0;
}
