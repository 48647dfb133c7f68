// Runs the simulator as its own process for demos and out-of-process benchmarks:
//   tsx src/simulator/cli.ts --users 1000 --group
// Prints one JSON line (URL and the demo tenant's credentials) and serves until SIGINT/SIGTERM.
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startGraphSimulator } from './graph-simulator.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.PORT ?? '0' },
    'tenant-id': { type: 'string', default: process.env.SIM_TENANT_ID },
    'tenant-name': { type: 'string', default: 'Contoso' },
    'client-id': { type: 'string', default: process.env.SIM_CLIENT_ID },
    'client-secret': { type: 'string', default: process.env.SIM_CLIENT_SECRET },
    roles: { type: 'string', default: 'User.Read.All,GroupMember.Read.All' },
    users: { type: 'string', default: process.env.SIM_USERS ?? '25' },
    seed: { type: 'string', default: '1' },
    group: { type: 'boolean', default: false },
  },
});

function integer(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer, got '${text}'`);
    process.exit(2);
  }
  return value;
}

const port = integer('port', values.port);
const userCount = integer('users', values.users);
const tenantId = values['tenant-id'] ?? randomUUID();
const clientId = values['client-id'] ?? randomUUID();
const clientSecret = values['client-secret'] ?? randomBytes(24).toString('base64url');

const sim = await startGraphSimulator({ host: values.host, port });
sim.addTenant({ tenantId, displayName: values['tenant-name'] });
sim.addApp({ tenantId, clientId, clientSecret, roles: (values.roles ?? '').split(',').filter(Boolean) });
const users = sim.seedUsers(tenantId, userCount, { seed: integer('seed', values.seed) });

let groupId: string | undefined;
if (values.group) {
  // A pilot group holding every other one of the first 1,000 users: enough to show scoping.
  groupId = sim.createGroup(tenantId, { displayName: 'Leena AI Pilot' }).id;
  for (let i = 0; i < Math.min(users.length, 1000); i += 2)
    sim.addMember(tenantId, groupId, (users[i] as { id: string }).id);
}

console.log(
  JSON.stringify({
    url: sim.url,
    graphBaseUrl: sim.url,
    authorityUrl: sim.url,
    tenantId,
    clientId,
    clientSecret,
    users: users.length,
    ...(groupId ? { groupId } : {}),
  }),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
