/** Topic write keys: derived from the epoch's MLS exporter, and proofs bound to what they sign. */
import { describe, expect, it } from 'vitest';
import { createCryptoSuite } from '../crypto/suite.js';
import {
  commitAdding,
  createTestDirectory,
  createTestMlsContext,
  startTestGroup,
  unsafeTestMember,
} from '@parley/test-support/mls-members';
import {
  deriveTopicWriteKey,
  readerId,
  signCursor,
  signWrite,
  verifyCursor,
  verifyWrite,
} from './topic-write-key.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const topic = new Uint8Array(32).fill(3);

async function epochs() {
  const alice = await unsafeTestMember(suite, 'alice');
  const directory = createTestDirectory();
  directory.certify(alice);
  const context = await createTestMlsContext(directory);
  const epoch0 = await startTestGroup(context, alice, topic);
  const epoch1 = (await commitAdding(context, epoch0, [])).newState;
  return { mls: context.cipherSuite, epoch0, epoch1 };
}

describe('deriveTopicWriteKey', () => {
  it('gives one key per epoch, the same for the same state, another after a Commit', async () => {
    const { mls, epoch0, epoch1 } = await epochs();
    const a = await deriveTopicWriteKey(suite, mls, epoch0, topic);
    const again = await deriveTopicWriteKey(suite, mls, epoch0, topic);
    const b = await deriveTopicWriteKey(suite, mls, epoch1, topic);
    expect(a.publicKey).toEqual(again.publicKey);
    expect(a.publicKey).not.toEqual(b.publicKey);
    expect(a.publicKey).toEqual(await suite.ed25519.publicKey(a.seed));
    const otherTopic = await deriveTopicWriteKey(suite, mls, epoch0, new Uint8Array(32));
    expect(otherTopic.publicKey).not.toEqual(a.publicKey);
  });
});

describe('write proofs', () => {
  it('verify for their topic, CID and next key, and for nothing else', async () => {
    const { mls, epoch0, epoch1 } = await epochs();
    const key = await deriveTopicWriteKey(suite, mls, epoch0, topic);
    const next = (await deriveTopicWriteKey(suite, mls, epoch1, topic)).publicKey;
    const cid = new Uint8Array(36).fill(5);
    const proof = await signWrite(suite, key, { topic, cid, next });
    expect((await verifyWrite(suite, proof, topic, cid)).ok).toBe(true);
    expect((await verifyWrite(suite, proof, topic, new Uint8Array(36))).ok).toBe(false);
    expect((await verifyWrite(suite, proof, new Uint8Array(32), cid)).ok).toBe(false);
    expect((await verifyWrite(suite, { ...proof, next: key.publicKey }, topic, cid)).ok).toBe(
      false,
    );
    const { next: _dropped, ...withoutNext } = proof;
    expect((await verifyWrite(suite, withoutNext, topic, cid)).ok).toBe(false);
    // A write signature is no cursor signature (domain separation).
    const reader = new Uint8Array(32);
    expect(
      (await verifyCursor(suite, key.publicKey, { topic, reader, seq: 1 }, proof.sig)).ok,
    ).toBe(false);
  });
});

describe('cursor proofs', () => {
  it('bind the reader and the seq', async () => {
    const { mls, epoch0 } = await epochs();
    const key = await deriveTopicWriteKey(suite, mls, epoch0, topic);
    const reader = await readerId(suite, new Uint8Array(32).fill(1), topic);
    const sig = await signCursor(suite, key, { topic, reader, seq: 7 });
    expect((await verifyCursor(suite, key.publicKey, { topic, reader, seq: 7 }, sig)).ok).toBe(
      true,
    );
    expect((await verifyCursor(suite, key.publicKey, { topic, reader, seq: 8 }, sig)).ok).toBe(
      false,
    );
    const other = await readerId(suite, new Uint8Array(32).fill(2), topic);
    expect(other).not.toEqual(reader);
    expect(
      (await verifyCursor(suite, key.publicKey, { topic, reader: other, seq: 7 }, sig)).ok,
    ).toBe(false);
  });
});
