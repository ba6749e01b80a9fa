/**
 * Write keys prove each post with the key of the chat's epoch (a Commit's proof names the next
 * epoch's key) and acknowledge with a pseudonymous cursor: one reader id per device and topic,
 * whatever the epoch (real MLS group states, real signatures).
 */
import {
  commitChanges,
  createAuthenticationService,
  createChatGroup,
  createCryptoSuite,
  createMlsContext,
  equalBytes,
  generateIdentity,
  generateKeyPackage,
  newSharedTopic,
  verifyCursor,
  verifyWrite,
  type GroupState,
  type MlsContext,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { beforeAll, describe, expect, it } from 'vitest';
import { WriteKeys } from './write-keys.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const topic = newSharedTopic(unsafeSeededRandom('write topic'));
const cid = new Uint8Array(36).fill(1);
const deviceSeed = unsafeSeededRandom('writer device')(32);
let mls: MlsContext;
let epoch0: GroupState;
let epoch1: GroupState;

beforeAll(async () => {
  const identity = await generateIdentity(suite, unsafeSeededRandom('writer identity'));
  const deviceKey = await suite.ed25519.publicKey(deviceSeed);
  mls = await createMlsContext(createAuthenticationService(() => Promise.resolve([deviceKey])));
  const own = await generateKeyPackage(mls, { account: identity.accountId, deviceSeed, deviceKey });
  epoch0 = await createChatGroup(mls, topic, own);
  epoch1 = (await commitChanges(mls, epoch0, [])).newState;
});

describe('WriteKeys', () => {
  it('proves a post for its topic and CID only', async () => {
    const keys = new WriteKeys(suite, mls, deviceSeed);
    const proof = await keys.proof(topic, cid, epoch0);
    expect((await verifyWrite(suite, proof, topic, cid)).ok).toBe(true);
    expect((await verifyWrite(suite, proof, topic, new Uint8Array(36).fill(2))).ok).toBe(false);
    expect(proof.next).toBeUndefined();
  });

  it('signs with one key per epoch, and a Commit names the next epoch’s key', async () => {
    const keys = new WriteKeys(suite, mls, deviceSeed);
    const first = await keys.proof(topic, cid, epoch0);
    const again = await keys.proof(topic, new Uint8Array(36).fill(3), epoch0);
    const commit = await keys.proof(topic, cid, epoch0, epoch1);
    const next = await keys.proof(topic, cid, epoch1);
    expect(equalBytes(first.writer, again.writer)).toBe(true);
    expect(equalBytes(first.writer, next.writer)).toBe(false);
    expect(commit.next !== undefined && equalBytes(commit.next, next.writer)).toBe(true);
  });

  it('proves a cursor with the epoch’s key under a reader id that stays across epochs', async () => {
    const keys = new WriteKeys(suite, mls, deviceSeed);
    const cursor = await keys.cursor(topic, 12, epoch0);
    const claim = { topic, reader: cursor.reader, seq: 12 };
    expect((await verifyCursor(suite, cursor.writer, claim, cursor.sig)).ok).toBe(true);
    expect((await verifyCursor(suite, cursor.writer, { ...claim, seq: 13 }, cursor.sig)).ok).toBe(
      false,
    );
    const later = await keys.cursor(topic, 13, epoch1);
    expect(equalBytes(later.reader, cursor.reader)).toBe(true);
  });

  it('gives another device, or another topic, another reader id', async () => {
    const mine = await new WriteKeys(suite, mls, deviceSeed).cursor(topic, 1, epoch0);
    const other = new WriteKeys(suite, mls, unsafeSeededRandom('other device')(32));
    expect(equalBytes((await other.cursor(topic, 1, epoch0)).reader, mine.reader)).toBe(false);
    const elsewhere = newSharedTopic(unsafeSeededRandom('other topic'));
    const there = await new WriteKeys(suite, mls, deviceSeed).cursor(elsewhere, 1, epoch0);
    expect(equalBytes(there.reader, mine.reader)).toBe(false);
  });
});
