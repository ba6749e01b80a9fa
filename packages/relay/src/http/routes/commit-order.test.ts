/**
 * Commit ordering (docs/errors.md RELAY_COMMIT_CONFLICT; RFC 9420 §14): as the delivery service,
 * the relay accepts one MLS Commit per epoch per topic, so a group never forks. Real MLS messages
 * from @parley/core's MLS functions, posted in envelopes to an in-process relay.
 */
import { createEnvelope, newSharedTopic } from '@parley/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  claimMemberKeyPackage,
  commitAdding,
  createTestDirectory,
  createTestMlsContext,
  sendApplicationMessage,
  startTestGroup,
  unsafeTestMember,
} from '@parley/test-support/mls-members';
import {
  START_MS,
  errorOf,
  startTestRelay,
  suite,
  unsafeSeededRandom,
  unsafeTestIdentity,
  type TestRelay,
  type WireReceipt,
} from '../../../test/support/in-process-relay.js';

const topic = newSharedTopic(unsafeSeededRandom('commit-order topic'));
const otherTopic = newSharedTopic(unsafeSeededRandom('commit-order other topic'));

/** MLSMessage bytes of one group per topic, named by what the relay must do with them. */
interface Traffic {
  /** Alice's Commit adding bob, sent in epoch 0 of `topic`'s group. */
  readonly commit0: Uint8Array;
  /** Alice's rival Commit adding carol instead, also sent in epoch 0. */
  readonly rivalCommit0: Uint8Array;
  /** Alice's Commit adding dave, sent in epoch 1 (after adding bob). */
  readonly commit1: Uint8Array;
  /** Alice's application message sent in epoch 0. */
  readonly application0: Uint8Array;
  /** A Commit sent in epoch 0 of `otherTopic`'s group. */
  readonly otherCommit0: Uint8Array;
}

let traffic: Traffic;
beforeAll(async () => {
  const directory = createTestDirectory();
  const mls = await createTestMlsContext(directory);
  const [alice, bob, carol, dave] = await Promise.all(
    ['alice', 'bob', 'carol', 'dave'].map((name) => unsafeTestMember(suite, name)),
  );
  if (!alice || !bob || !carol || !dave) throw new Error('four members expected');
  for (const member of [alice, bob, carol, dave]) directory.certify(member);
  const keyPackage = (member: typeof alice) => claimMemberKeyPackage(mls, member);

  const epoch0 = await startTestGroup(mls, alice, topic);
  const application0 = await sendApplicationMessage(mls, epoch0, 'anyone here?');
  const addBob = await commitAdding(mls, epoch0, [await keyPackage(bob)]);
  const addCarol = await commitAdding(mls, epoch0, [await keyPackage(carol)]);
  const addDave = await commitAdding(mls, addBob.newState, [await keyPackage(dave)]);
  const other = await startTestGroup(mls, alice, otherTopic);
  const otherAddBob = await commitAdding(mls, other, [await keyPackage(bob)]);
  traffic = {
    commit0: addBob.commit,
    rivalCommit0: addCarol.commit,
    commit1: addDave.commit,
    application0: application0.message,
    otherCommit0: otherAddBob.commit,
  };
});

let relay: TestRelay;
let token: string;
afterEach(async () => {
  await relay.close();
});

/** Starts a relay and logs alice in. */
async function start(): Promise<void> {
  relay = await startTestRelay();
  token = await relay.login(await unsafeTestIdentity('alice'));
}

/** Posts `payload` in an envelope on `on`. */
function post(payload: Uint8Array, on: Uint8Array = topic): Promise<LightMyRequestResponse> {
  const { bytes } = createEnvelope({ topic: on, payload, createdAt: START_MS });
  return relay.request('POST', '/v1/envelopes', { token, cbor: bytes });
}

describe('one MLS Commit per epoch per topic', () => {
  it('orders a group’s traffic in one run: conflict, retry, next epoch, messages, other topic', async () => {
    await start();
    const first = await post(traffic.commit0);
    expect(first.statusCode).toBe(201);
    expect(await errorOf(post(traffic.rivalCommit0))).toEqual({
      status: 409,
      code: 'RELAY_COMMIT_CONFLICT',
    });
    const again = await post(traffic.commit0);
    expect([again.statusCode, again.body]).toEqual([200, first.body]);
    expect((await post(traffic.commit1)).statusCode).toBe(201);
    expect((await post(traffic.application0)).statusCode).toBe(201);
    expect((await post(traffic.otherCommit0, otherTopic)).statusCode).toBe(201);
    expect([
      await relay.stores.topics.lastSeq(topic),
      await relay.stores.topics.lastSeq(otherTopic),
    ]).toEqual([3, 1]);
  });

  it('accepts the first Commit of epoch 0 on a topic with 201', async () => {
    await start();
    const answer = await post(traffic.commit0);
    expect(answer.statusCode).toBe(201);
    expect(answer.json<WireReceipt>().seq).toBe(1);
  });

  it('refuses a different Commit for the same epoch with 409 RELAY_COMMIT_CONFLICT and stores nothing', async () => {
    await start();
    expect((await post(traffic.commit0)).statusCode).toBe(201);
    expect(await errorOf(post(traffic.rivalCommit0))).toEqual({
      status: 409,
      code: 'RELAY_COMMIT_CONFLICT',
    });
    expect(await relay.stores.topics.lastSeq(topic)).toBe(1);
    const page = await relay.stores.topics.listEnvelopes(topic, 0, 10);
    expect(page.map((stored) => stored.seq)).toEqual([1]);
  });

  it('answers the accepted Commit posted again with 200 and the same receipt, after a conflict too', async () => {
    await start();
    const first = await post(traffic.commit0);
    expect(first.statusCode).toBe(201);
    expect((await post(traffic.rivalCommit0)).statusCode).toBe(409);
    relay.advance(5_000);
    const again = await post(traffic.commit0);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
  });

  it('accepts the Commit of the next epoch with 201', async () => {
    await start();
    expect((await post(traffic.commit0)).statusCode).toBe(201);
    const next = await post(traffic.commit1);
    expect(next.statusCode).toBe(201);
    expect(next.json<WireReceipt>().seq).toBe(2);
  });

  it('refuses a Commit for an epoch below the last accepted one', async () => {
    await start();
    expect((await post(traffic.commit0)).statusCode).toBe(201);
    expect((await post(traffic.commit1)).statusCode).toBe(201);
    expect(await errorOf(post(traffic.rivalCommit0))).toEqual({
      status: 409,
      code: 'RELAY_COMMIT_CONFLICT',
    });
  });

  it('refuses a Commit that skips epochs, so a forged header cannot block the group', async () => {
    await start();
    // mls10, PrivateMessage, empty group id, epoch 2^53 - 1, content type commit, empty rest.
    const forged = Uint8Array.from([
      0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03, 0x00,
      0x00, 0x00,
    ]);
    expect(await errorOf(post(forged))).toEqual({ status: 409, code: 'RELAY_COMMIT_CONFLICT' });
    expect(await errorOf(post(traffic.commit1))).toEqual({
      status: 409,
      code: 'RELAY_COMMIT_CONFLICT',
    });
    expect((await post(traffic.commit0)).statusCode).toBe(201);
    expect((await post(traffic.commit1)).statusCode).toBe(201);
  });

  it('does not order application messages: one of epoch 0 is accepted after the Commits of epochs 0 and 1', async () => {
    await start();
    expect((await post(traffic.commit0)).statusCode).toBe(201);
    expect((await post(traffic.commit1)).statusCode).toBe(201);
    const answer = await post(traffic.application0);
    expect(answer.statusCode).toBe(201);
    expect(answer.json<WireReceipt>().seq).toBe(3);
  });

  it('orders each topic on its own: a Commit for epoch 0 on another topic is accepted with 201', async () => {
    await start();
    expect((await post(traffic.commit0)).statusCode).toBe(201);
    expect((await post(traffic.commit1)).statusCode).toBe(201);
    const answer = await post(traffic.otherCommit0, otherTopic);
    expect(answer.statusCode).toBe(201);
    expect(answer.json<WireReceipt>().seq).toBe(1);
  });

  it('accepts exactly one of two rival Commits that arrive in the same write batch', async () => {
    await start();
    const answers = await Promise.all([post(traffic.commit0), post(traffic.rivalCommit0)]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409]);
    const loser = answers.find((answer) => answer.statusCode === 409);
    expect(loser?.json<{ error: { code: string } }>().error.code).toBe('RELAY_COMMIT_CONFLICT');
    expect(await relay.stores.topics.lastSeq(topic)).toBe(1);
  });

  it('keeps the order through the JSON route too', async () => {
    await start();
    expect((await post(traffic.commit0)).statusCode).toBe(201);
    const { bytes } = createEnvelope({
      topic,
      payload: traffic.rivalCommit0,
      createdAt: START_MS,
    });
    const answer = relay.request('POST', '/v1/envelopes', {
      token,
      json: { envelope: Buffer.from(bytes).toString('base64url') },
    });
    expect(await errorOf(answer)).toEqual({ status: 409, code: 'RELAY_COMMIT_CONFLICT' });
  });
});
