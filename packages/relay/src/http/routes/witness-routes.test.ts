/**
 * The relay as a C2SP tlog-witness: it cosigns a configured log's checkpoints that extend the last
 * one it cosigned, answers 409 with its size otherwise, and never lets two concurrent requests
 * from the same old size both succeed.
 */
import {
  MerkleTree,
  formatAddCheckpoint,
  formatCheckpoint,
  leafHash,
  signCheckpoint,
  toBase64Url,
  verifyCosignature,
} from '@parley/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  errorOf,
  startTestRelay,
  suite,
  unsafeTestIdentity,
  type TestRelay,
} from '../../../test/support/in-process-relay.js';

const origin = 'log.example/test';
let logSeed: Uint8Array;
let logKey: Uint8Array;
let relay: TestRelay;
const tree = new MerkleTree(
  Array.from({ length: 12 }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`))),
);

beforeAll(async () => {
  const identity = await unsafeTestIdentity('witnessed log');
  logSeed = identity.secrets.signingSeed;
  logKey = identity.signingPublicKey;
});
afterEach(async () => {
  await relay.close();
});

async function witness(): Promise<TestRelay> {
  return startTestRelay({
    seed: 'witness',
    flags: {
      'witness-logs': JSON.stringify([{ origin, publicKey: toBase64Url(logKey) }]),
      'log-origin': 'witness.example/log',
    },
  });
}

/** The log's signed checkpoint of `size` leaves of `tree` (or of another root). */
function checkpoint(size: number, rootHash = tree.root(size)): Promise<string> {
  return signCheckpoint(
    suite,
    logSeed,
    origin,
    formatCheckpoint({ origin, size, rootHash, extensions: [] }),
  );
}

async function add(oldSize: number, size: number, note?: string) {
  const proof = oldSize === 0 ? [] : tree.consistencyProof(oldSize, size);
  return relay.request('POST', '/v1/witness/add-checkpoint', {
    headers: { 'content-type': 'text/plain' },
    payload: formatAddCheckpoint({ oldSize, proof, note: note ?? (await checkpoint(size)) }),
  });
}

describe('POST /v1/witness/add-checkpoint', () => {
  it('cosigns a first checkpoint, then only ones consistent with it', async () => {
    relay = await witness();
    const info = (await relay.request('GET', '/v1/info')).json<{ log: { publicKey: string } }>();
    const witnessKey = Buffer.from(info.log.publicKey, 'base64url');
    const first = await add(0, 3);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/plain; charset=utf-8');
    const note = `${await checkpoint(3)}${first.body}`;
    const verified = await verifyCosignature(suite, note, 'witness.example/log', witnessKey);
    expect(verified).toMatchObject({ ok: true, value: { checkpoint: { size: 3 } } });
    if (verified.ok) expect(verified.value.time).toBe(Math.floor(relay.now() / 1000));

    expect((await add(3, 7)).statusCode).toBe(200);
    // The same checkpoint again is fine (the state does not move back or fork).
    expect((await add(7, 7)).statusCode).toBe(200);
    expect(await relay.stores.log.getCosignedState(origin)).toEqual({
      size: 7,
      rootHash: tree.root(7),
    });
  });

  it('answers 409 with its size as text/x.tlog.size when the old size is not the one it holds', async () => {
    relay = await witness();
    expect((await add(0, 5)).statusCode).toBe(200);
    const stale = await add(3, 8);
    expect(stale.statusCode).toBe(409);
    expect(stale.headers['content-type']).toMatch(/^text\/x\.tlog\.size/);
    expect(stale.body).toBe('5\n');
    // A fork at the size it holds.
    const fork = await add(5, 5, await checkpoint(5, tree.root(6)));
    expect([fork.statusCode, fork.body]).toEqual([409, '5\n']);
    expect((await relay.stores.log.getCosignedState(origin))?.size).toBe(5);
  });

  it('refuses a proof that does not verify (422), a foreign signature (403), an unknown log (404), garbage (400)', async () => {
    relay = await witness();
    expect((await add(0, 4)).statusCode).toBe(200);
    const wrongProof = await relay.request('POST', '/v1/witness/add-checkpoint', {
      headers: { 'content-type': 'text/plain' },
      payload: formatAddCheckpoint({
        oldSize: 4,
        proof: tree.consistencyProof(3, 9),
        note: await checkpoint(9),
      }),
    });
    expect(await errorOf(wrongProof)).toEqual({ status: 422, code: 'RELAY_WITNESS_BAD_PROOF' });
    const foreign = await signCheckpoint(
      suite,
      new Uint8Array(32).fill(9),
      origin,
      formatCheckpoint({ origin, size: 9, rootHash: tree.root(9), extensions: [] }),
    );
    expect(await errorOf(add(4, 9, foreign))).toEqual({
      status: 403,
      code: 'RELAY_WITNESS_BAD_SIGNATURE',
    });
    const otherLog = await signCheckpoint(
      suite,
      logSeed,
      'other.example/log',
      formatCheckpoint({
        origin: 'other.example/log',
        size: 9,
        rootHash: tree.root(9),
        extensions: [],
      }),
    );
    expect(await errorOf(add(4, 9, otherLog))).toEqual({
      status: 404,
      code: 'RELAY_WITNESS_UNKNOWN_LOG',
    });
    const garbage = await relay.request('POST', '/v1/witness/add-checkpoint', {
      headers: { 'content-type': 'text/plain' },
      payload: 'old 4\nnot base64\n\nx\n',
    });
    expect(await errorOf(garbage)).toEqual({ status: 400, code: 'RELAY_WITNESS_MALFORMED' });
    // None of these moved the state.
    expect((await relay.stores.log.getCosignedState(origin))?.size).toBe(4);
  });

  it('lets exactly one of several concurrent requests from the same old size succeed', async () => {
    relay = await witness();
    const answers = await Promise.all([add(0, 3), add(0, 5), add(0, 8), add(0, 12)]);
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(3);
    const winner = [3, 5, 8, 12][statuses.indexOf(200)] ?? -1;
    expect(await relay.stores.log.getCosignedState(origin)).toEqual({
      size: winner,
      rootHash: tree.root(winner),
    });
    for (const answer of answers.filter((candidate) => candidate.statusCode === 409)) {
      expect(answer.body).toBe(`${winner}\n`);
    }
  });
});
