// Permission checks come from the token's roles, with higher permissions implying lower ones.
// The customer's grant (User.Read.All + GroupMember.Read.All) cannot subscribe to groups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TENANT, inMinutes, json, startReceiver, startTestSim } from './helpers.js';
import type { Receiver, TestSim } from './helpers.js';

type GraphError = { error: { code: string; message: string; innerError: Record<string, string> } };

describe('permissions', () => {
  let t: TestSim;
  let receiver: Receiver;
  let userId: string;
  let groupId: string;
  const tokens: Record<string, string> = {};

  before(async () => {
    t = await startTestSim();
    receiver = await startReceiver();
    const apps: Record<string, string[]> = {
      none: [],
      basic: ['User.ReadBasic.All'],
      members: ['GroupMember.Read.All'],
      membersBasic: ['GroupMember.ReadBasic.All'],
      directory: ['Directory.Read.All'],
      groupRead: ['Group.Read.All'],
    };
    for (const [clientId, roles] of Object.entries(apps)) {
      t.sim.addApp({ tenantId: TENANT, clientId, clientSecret: 's', roles });
      tokens[clientId] = await t.token(clientId, 's');
    }
    userId = t.sim.createUser(TENANT, { displayName: 'Adele Vance', jobTitle: 'Engineer' }).id;
    groupId = t.sim.createGroup(TENANT, { displayName: 'Pilot' }).id;
    t.sim.addMember(TENANT, groupId, userId);
  });
  after(async () => {
    await t.sim.close();
    await receiver.close();
  });

  async function status(path: string, who: string): Promise<number> {
    const res = await t.get(path, tokens[who]);
    await res.arrayBuffer();
    return res.status;
  }

  it("denies plain reads with 403 Authorization_RequestDenied in Graph's envelope", async () => {
    const res = await t.get('/v1.0/users', tokens.none);
    assert.equal(res.status, 403);
    const body = await json<GraphError>(res);
    assert.equal(body.error.code, 'Authorization_RequestDenied');
    assert.equal(body.error.message, 'Insufficient privileges to complete the operation.');
    assert.deepEqual(Object.keys(body.error.innerError).sort(), ['client-request-id', 'date', 'request-id']);
    assert.equal(body.error.innerError['request-id'], res.headers.get('request-id'));
  });

  it('echoes client-request-id', async () => {
    const res = await t.get('/v1.0/users', tokens.none, { 'client-request-id': 'abc-123' });
    assert.equal(res.headers.get('client-request-id'), 'abc-123');
    assert.equal((await json<GraphError>(res)).error.innerError['client-request-id'], 'abc-123');
  });

  it('lets User.ReadBasic.All list users (basic properties only) but not read one', async () => {
    const res = await t.get('/v1.0/users?$select=displayName,jobTitle', tokens.basic);
    assert.equal(res.status, 200);
    const body = await json<{ value: Array<Record<string, unknown>> }>(res);
    assert.deepEqual(body.value[0], { displayName: 'Adele Vance', id: userId });
    assert.equal(await status(`/v1.0/users/${userId}`, 'basic'), 403);
    assert.equal(await status('/v1.0/users/delta', 'basic'), 403);
  });

  it('lets GroupMember.Read.All read members and groups/delta, but not users', async () => {
    assert.equal(await status(`/v1.0/groups/${groupId}/members`, 'members'), 200);
    assert.equal(await status(`/v1.0/groups/delta?$select=members`, 'members'), 200);
    assert.equal(await status(`/v1.0/groups/${groupId}/transitiveMembers`, 'members'), 200);
    assert.equal(await status('/v1.0/users', 'members'), 403);
  });

  it('lets GroupMember.ReadBasic.All read transitiveMembers only', async () => {
    assert.equal(await status(`/v1.0/groups/${groupId}/transitiveMembers`, 'membersBasic'), 200);
    assert.equal(await status(`/v1.0/groups/${groupId}/members`, 'membersBasic'), 403);
  });

  it('lets Directory.Read.All read everything', async () => {
    for (const path of [
      '/v1.0/users',
      `/v1.0/users/${userId}`,
      '/v1.0/users/delta',
      `/v1.0/groups/${groupId}/members`,
      '/v1.0/groups/delta',
    ]) {
      assert.equal(await status(path, 'directory'), 200, path);
    }
  });

  const subscription = (resource: string) => ({
    changeType: 'updated',
    notificationUrl: receiver.url,
    resource,
    expirationDateTime: inMinutes(60),
  });

  it("refuses a groups subscription to the customer grant with Graph's ExtensionError", async () => {
    const res = await t.send('POST', '/v1.0/subscriptions', subscription('groups'));
    assert.equal(res.status, 403);
    const body = await json<GraphError>(res);
    assert.equal(body.error.code, 'ExtensionError');
    assert.equal(
      body.error.message,
      'Operation: Create; Exception: [Status Code: Forbidden; Reason: Unauthorized]',
    );
    assert.equal(typeof body.error.innerError.date, 'string');
    assert.equal(t.sim.listSubscriptions().length, 0);
  });

  it('allows the users subscription with User.Read.All and groups with Group.Read.All', async () => {
    assert.equal((await t.send('POST', '/v1.0/subscriptions', subscription('users'))).status, 201);
    assert.equal(
      (await t.send('POST', '/v1.0/subscriptions', subscription('groups'), tokens.groupRead)).status,
      201,
    );
    assert.equal(
      (
        await t.send(
          'POST',
          '/v1.0/subscriptions',
          subscription(`/groups/${groupId}/members`),
          tokens.directory,
        )
      ).status,
      201,
    );
    const denied = await t.send('POST', '/v1.0/subscriptions', subscription('users'), tokens.members);
    assert.equal(denied.status, 403);
    assert.equal((await json<GraphError>(denied)).error.code, 'ExtensionError');
  });

  it('applies setAppRoles to tokens issued afterwards, not to tokens already held', async () => {
    const held = tokens.none as string;
    t.sim.setAppRoles(TENANT, 'none', ['User.Read.All']);
    assert.equal((await t.get('/v1.0/users', held)).status, 403);
    const fresh = await t.token('none', 's');
    assert.equal((await t.get('/v1.0/users', fresh)).status, 200);
  });
});
