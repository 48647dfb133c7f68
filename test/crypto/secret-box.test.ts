import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSecretBox, SecretKeyError } from '../../src/crypto/secret-box.js';

describe('secret box (AES-256-GCM at rest)', () => {
  const key = randomBytes(32);
  const box = createSecretBox([key]);

  it('round-trips and never contains the plaintext', () => {
    const blob = box.encrypt('s3cr3t-value-~!', 'ctx');
    assert.equal(box.decrypt(blob, 'ctx'), 's3cr3t-value-~!');
    assert.equal(blob.includes(Buffer.from('s3cr3t')), false);
    assert.notDeepEqual(box.encrypt('s3cr3t-value-~!', 'ctx'), blob, 'random IV per encryption');
  });

  it('refuses a blob moved to another record or tampered with', () => {
    const blob = box.encrypt('value', 'connection:a:client_secret');
    assert.throws(() => box.decrypt(blob, 'connection:b:client_secret'), SecretKeyError);
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    assert.throws(() => box.decrypt(tampered, 'connection:a:client_secret'), SecretKeyError);
  });

  it('decrypts under the previous key during rotation and reports what needs re-encryption', () => {
    const next = randomBytes(32);
    const oldBlob = box.encrypt('value', 'ctx');
    const rotating = createSecretBox([next, key]);
    assert.equal(rotating.decrypt(oldBlob, 'ctx'), 'value');
    assert.equal(rotating.needsReencryption(oldBlob), true);
    assert.equal(rotating.needsReencryption(rotating.encrypt('value', 'ctx')), false);
    assert.throws(() => createSecretBox([next]).decrypt(oldBlob, 'ctx'), /neither SECRET_KEY nor SECRET_KEY_PREVIOUS/);
  });

  it('refuses to encrypt without a key', () => {
    assert.throws(() => createSecretBox([]).encrypt('x', 'ctx'), /SECRET_KEY is not set/);
  });
});
