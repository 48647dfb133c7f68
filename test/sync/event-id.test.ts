import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newEventId } from '../../src/sync/user-event.js';

describe('event ids', () => {
  const millis = (id: string) => Buffer.from(id.slice(4), 'base64url').readUIntBE(0, 6);

  it('are unique, URL-safe, and start with the time they were made', () => {
    const before = Date.now();
    const ids = Array.from({ length: 50_000 }, () => newEventId()); // crosses many entropy refills
    const after = Date.now();
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^evt_[A-Za-z0-9_-]{22}$/);
    for (const id of [ids[0]!, ids.at(-1)!]) assert.ok(millis(id) >= before && millis(id) <= after, id);
    const random = new Set(ids.map((id) => id.slice(12)));
    assert.equal(random.size, ids.length, 'the random part alone is unique');
  });
});
