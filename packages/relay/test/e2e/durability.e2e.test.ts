/**
 * Durability (docs/spec/relay-api.md §Envelopes and topics): a receipt is sent only after the
 * envelope is committed, so whatever a client holds a receipt for survives `kill -9`, and seqs
 * stay gap-free and unique across the crash.
 */
import type { EncodedEnvelope } from '@parley/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WsClient,
  bodyOf,
  bytesText,
  call,
  fetchAll,
  login,
  makeEnvelope,
  newSession,
  postEnvelope,
  randomTopic,
  topicText,
  type Answer,
  type Receipt,
  type StoredEnvelope,
} from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay, type RelayFlags } from '@parley/test-support/relay-process';

afterAll(cleanupRelays);

/** No rate limit in the way: these tests are about storage, not fairness. */
const FLAGS: RelayFlags = {
  'publish-per-second': 100_000,
  'publish-burst': 100_000,
  'max-page-size': 100,
};

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

function firstReceipt(answer: Answer): Receipt {
  return bodyOf<Receipt>(answer, 201);
}

/** Checks that `stored` is exactly seqs 1..n, each with the bytes that were posted for its CID. */
function expectGapFreeAndIntact(
  stored: readonly StoredEnvelope[],
  posted: ReadonlyMap<string, EncodedEnvelope>,
): void {
  expect(stored.map((item) => item.seq)).toEqual(range(1, stored.length));
  expect(new Set(stored.map((item) => item.cid)).size).toBe(stored.length);
  for (const item of stored) {
    const original = posted.get(item.cid);
    expect(original, `seq ${item.seq} holds an envelope nobody posted`).toBeDefined();
    expect(item.envelope).toBe(bytesText(original?.bytes ?? new Uint8Array()));
  }
}

describe('kill -9 right after the last receipt', () => {
  it('keeps all 200 acknowledged envelopes, in seq order 1..200, once each, with their receipts', async () => {
    const relay = await startRelay({ flags: FLAGS });
    const session = await newSession(relay.url);
    const topic = randomTopic();
    const envelopes = Array.from({ length: 200 }, () => makeEnvelope(topic, 64));
    const posted = new Map(envelopes.map((item) => [item.cid.toString(), item]));
    const receipts = new Map<string, Receipt>();

    // The first 100 one after another, alternating the CBOR and JSON forms of the request.
    for (const [index, item] of envelopes.slice(0, 100).entries()) {
      const form = index % 2 === 0 ? 'cbor' : 'json';
      const receipt = firstReceipt(await postEnvelope(relay.url, session.token, item.bytes, form));
      expect(receipt.seq).toBe(index + 1);
      receipts.set(item.cid.toString(), receipt);
    }
    // The other 100 all at once.
    const concurrent = await Promise.all(
      envelopes
        .slice(100)
        .map(async (item, index) =>
          firstReceipt(
            await postEnvelope(relay.url, session.token, item.bytes, index % 2 ? 'json' : 'cbor'),
          ),
        ),
    );
    expect((await relay.kill9()).signal).toBe('SIGKILL');

    for (const [index, receipt] of concurrent.entries()) {
      receipts.set(envelopes[100 + index]?.cid.toString() ?? '', receipt);
    }
    for (const [cid, receipt] of receipts) {
      expect(receipt.cid).toBe(cid);
      expect(receipt.topic).toBe(topicText(topic));
    }
    const receiptSeqs = [...receipts.values()].map((receipt) => receipt.seq);
    expect(receiptSeqs.sort((a, b) => a - b)).toEqual(range(1, 200));

    const restarted = await startRelay({ dataDir: relay.dataDir, flags: FLAGS });
    expect(restarted.relayId).toBe(relay.relayId);
    const again = await login(restarted.url, session.identity);
    const {
      envelopes: stored,
      pageSizes,
      lastSeq,
    } = await fetchAll(restarted.url, again.token, topic, 100);
    expect(lastSeq).toBe(200);
    expect(pageSizes).toEqual([100, 100]);
    expectGapFreeAndIntact(stored, posted);
    for (const item of stored) {
      const receipt = receipts.get(item.cid);
      expect(receipt?.seq).toBe(item.seq);
      expect(item.receivedAt).toBe(receipt?.receivedAt);
    }

    // Posting one again, after the crash, gives its original receipt and stores nothing new.
    const repeated = envelopes[57] as EncodedEnvelope;
    const answer = await postEnvelope(restarted.url, again.token, repeated.bytes, 'json');
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual(receipts.get(repeated.cid.toString()));
    expect((await fetchAll(restarted.url, again.token, topic, 100)).lastSeq).toBe(200);
  });
});

describe('kill -9 with posts in flight', () => {
  it('keeps every envelope whose receipt arrived; seqs stay gap-free with no duplicate CIDs', async () => {
    const relay = await startRelay({ flags: FLAGS });
    const session = await newSession(relay.url);
    const topic = randomTopic();
    const posted = new Map<string, EncodedEnvelope>();
    const receipts: Receipt[] = [];
    const unexpected: string[] = [];
    const killAfterReceipts = 150;
    let killing: ReturnType<typeof relay.kill9> | undefined;

    const worker = async (): Promise<void> => {
      for (;;) {
        const item = makeEnvelope(topic, 64);
        posted.set(item.cid.toString(), item);
        let answer: Answer;
        try {
          answer = await postEnvelope(relay.url, session.token, item.bytes);
        } catch (error) {
          // The relay is gone (connection reset or refused); keep why, in case it was not killed.
          if (killing === undefined) unexpected.push(`before the kill: ${String(error)}`);
          return;
        }
        if (answer.status !== 201) {
          unexpected.push(`${answer.status} ${answer.text}`);
          return;
        }
        receipts.push(answer.json as Receipt);
        if (receipts.length >= killAfterReceipts) killing ??= relay.kill9();
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    expect(unexpected).toEqual([]);
    expect(killing).toBeDefined();
    expect((await killing)?.signal).toBe('SIGKILL');
    expect(receipts.length).toBeGreaterThanOrEqual(killAfterReceipts);

    const restarted = await startRelay({ dataDir: relay.dataDir, flags: FLAGS });
    const again = await login(restarted.url, session.identity);
    const { envelopes: stored, lastSeq } = await fetchAll(restarted.url, again.token, topic, 100);
    expectGapFreeAndIntact(stored, posted);
    expect(lastSeq).toBe(stored.length);
    for (const receipt of receipts) {
      expect(stored[receipt.seq - 1]?.cid, `receipt for seq ${receipt.seq}`).toBe(receipt.cid);
    }

    // The topic goes on from the last seq after the crash.
    const next = makeEnvelope(topic, 64);
    const receipt = firstReceipt(await postEnvelope(restarted.url, again.token, next.bytes));
    expect(receipt.seq).toBe(lastSeq + 1);
  });
});

describe('the same envelope posted concurrently', () => {
  it('is stored once: one 201, the rest 200 with the identical receipt', async () => {
    const relay = await startRelay({ flags: FLAGS });
    const session = await newSession(relay.url);
    const topic = randomTopic();
    const item = makeEnvelope(topic);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        postEnvelope(relay.url, session.token, item.bytes, index % 2 ? 'json' : 'cbor'),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
    ]);
    const receipts = answers.map((answer) => answer.json);
    for (const receipt of receipts) expect(receipt).toEqual(receipts[0]);
    expect(receipts[0]).toMatchObject({ cid: item.cid.toString(), seq: 1 });
    const { envelopes: stored, lastSeq } = await fetchAll(relay.url, session.token, topic);
    expect(stored).toHaveLength(1);
    expect(lastSeq).toBe(1);
  });
});

describe('orderly stop', () => {
  it('closes sockets with 1001 and exits 0 on SIGTERM and SIGINT, keeping its relay id and data', async () => {
    const relay = await startRelay({ flags: FLAGS });
    const session = await newSession(relay.url);
    const topic = randomTopic();
    const item = makeEnvelope(topic);
    const receipt = firstReceipt(await postEnvelope(relay.url, session.token, item.bytes));
    const socket = await WsClient.authenticated(relay.wsUrl, session.token);
    expect(await relay.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect((await socket.closed).code).toBe(1001);

    const second = await startRelay({ dataDir: relay.dataDir, flags: FLAGS });
    expect(second.relayId).toBe(relay.relayId);
    expect(bodyOf(await call(second.url, 'GET', '/healthz'), 200)).toEqual({ status: 'ok' });
    expect(bodyOf(await call(second.url, 'GET', '/readyz'), 200)).toEqual({ status: 'ready' });
    const again = await login(second.url, session.identity);
    const { envelopes: stored } = await fetchAll(second.url, again.token, topic);
    expect(stored.map((stored) => [stored.seq, stored.cid])).toEqual([[receipt.seq, receipt.cid]]);
    expect(await second.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });
});
