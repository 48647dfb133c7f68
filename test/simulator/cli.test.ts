// The simulator CLI: one JSON line with URL and credentials, a working tenant, clean exit on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';

describe('simulator CLI', () => {
  it(
    'prints its URL and demo credentials, serves them, and stops on SIGTERM',
    { timeout: 60_000 },
    async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/simulator/cli.ts', '--users', '40', '--group', '--port', '0'],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      try {
        const lines = createInterface({ input: child.stdout });
        const [line] = (await once(lines, 'line')) as [string];
        const info = JSON.parse(line) as Record<string, string | number>;
        assert.match(String(info.url), /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(info.graphBaseUrl, info.url);
        assert.equal(info.authorityUrl, info.url);
        assert.equal(info.users, 40);
        assert.equal(typeof info.groupId, 'string');
        const tokenRes = await fetch(`${info.url}/${info.tenantId}/oauth2/v2.0/token`, {
          method: 'POST',
          body: new URLSearchParams({
            client_id: String(info.clientId),
            client_secret: String(info.clientSecret),
            scope: 'https://graph.microsoft.com/.default',
            grant_type: 'client_credentials',
          }),
        });
        assert.equal(tokenRes.status, 200);
        const { access_token: token } = (await tokenRes.json()) as { access_token: string };
        const users = await fetch(`${info.url}/v1.0/users?$top=999`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(((await users.json()) as { value: unknown[] }).value.length, 40);
        const members = await fetch(`${info.url}/v1.0/groups/${info.groupId}/members`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(((await members.json()) as { value: unknown[] }).value.length, 20);
        child.kill('SIGTERM');
        const [code] = (await once(child, 'exit')) as [number | null];
        assert.equal(code, 0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
