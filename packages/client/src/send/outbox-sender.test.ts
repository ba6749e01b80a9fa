/**
 * Posting the outbox against a fake relay API: in write order, each chat envelope with a write
 * proof of the current epoch; refusals for good dropped and reported, transient ones kept.
 */
import { createEnvelope, decodeEnvelope, type WriteProof } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import type { Receipt } from '../relay/relay-api.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import type { ClientStore } from '../store/client-store.js';
import {
  fakeClock,
  mlsFor,
  receiptFor,
  recordingEmit,
  refusal,
  saveTestChat,
  testDevice,
} from '../../test/support/unit-fixtures.js';
import { appendToOutbox } from './outbox.js';
import { OutboxSender } from './outbox-sender.js';

const PROOF: WriteProof = { writer: new Uint8Array(32).fill(1), sig: new Uint8Array(64) };

/** A relay whose answer to each post `answer` decides (by the post's text marker). */
type Answer = (text: string, proof: WriteProof | undefined) => Promise<Receipt>;

async function setUp(answer: Answer) {
  const alice = await testDevice('alice');
  const mls = await mlsFor([alice]);
  const store = openMemoryClientStore();
  const { record } = await saveTestChat(store, mls, alice);
  const posted: string[] = [];
  const reported: { chatId: string | undefined; code: unknown }[] = [];
  const receipts: string[] = [];
  const catchUps: string[] = [];
  const { emit, events } = recordingEmit();
  const sender = new OutboxSender({
    store,
    mls,
    api: {
      postEnvelope: (bytes, _now, proof) => {
        const text = new TextDecoder().decode(decodeEnvelope(bytes).envelope.payload);
        posted.push(text);
        return answer(text, proof);
      },
    },
    writeKeys: { proof: () => Promise.resolve(PROOF) },
    clock: fakeClock(),
    catchUp: (chatId) => {
      catchUps.push(chatId);
      return Promise.resolve();
    },
    trackReceipt: (chatId, receipt) => {
      receipts.push(`${chatId} ${receipt.seq}`);
      return Promise.resolve();
    },
    emit,
    report: (chatId, error) => {
      reported.push({ chatId, code: (error as ClientError).code });
    },
  });
  /** Queues a message `text` (a history row unless `invitation`) with its envelope. */
  const queue = async (text: string, invitation = false) => {
    const envelope = createEnvelope({
      topic: record.topic,
      payload: new TextEncoder().encode(text),
      createdAt: 1,
    });
    const message = invitation
      ? undefined
      : await store.addMessage({
          chatId: record.id,
          author: alice.account,
          hash: undefined,
          content: { type: 'text', text },
          editedAt: undefined,
          reactions: {},
          applied: [],
          sentAt: 1,
          own: true,
          status: 'queued',
          cid: envelope.cid.toString(),
          seq: undefined,
        });
    await appendToOutbox(store, {
      chat: record.id,
      envelope: envelope.bytes,
      message: message?.id ?? 0,
      ...(invitation ? { invitation: true as const } : {}),
    });
    return envelope.cid.toString();
  };
  return { store, sender, queue, posted, reported, receipts, catchUps, events, chatId: record.id };
}

let seq = 0;
const accept: Answer = (text) => Promise.resolve(receiptFor(`cid of ${text}`, ++seq));

async function statuses(store: ClientStore, chatId: string) {
  return (await store.messages(chatId, { limit: 10 })).map((m) => `${m.id}: ${m.status}`);
}

describe('OutboxSender.flush', () => {
  it('posts in write order with a write proof, marks each sent and empties the outbox', async () => {
    const proofs: (WriteProof | undefined)[] = [];
    const t = await setUp((text, proof) => {
      proofs.push(proof);
      return accept(text, proof);
    });
    await t.queue('one');
    await t.queue('two');
    await t.sender.flush();
    expect(t.posted).toEqual(['one', 'two']);
    expect(proofs).toEqual([PROOF, PROOF]);
    expect(await statuses(t.store, t.chatId)).toEqual(['1: sent', '2: sent']);
    expect(await t.store.keys('outbox/')).toEqual([]);
    expect(t.receipts).toHaveLength(2);
    expect(t.events.map((e) => e.event)).toEqual(['sent', 'sent']);
  });

  it('drops and reports what the relay refuses for good, and goes on with the rest', async () => {
    const t = await setUp((text, proof) =>
      text === 'too big'
        ? Promise.reject(refusal('RELAY_PAYLOAD_TOO_LARGE', 413))
        : accept(text, proof),
    );
    await t.queue('too big');
    await t.queue('fine');
    await t.sender.flush();
    expect(await statuses(t.store, t.chatId)).toEqual(['1: failed', '2: sent']);
    expect(t.reported).toEqual([{ chatId: t.chatId, code: 'CLIENT_RELAY_REFUSED' }]);
    expect(await t.store.keys('outbox/')).toEqual([]);
  });

  it('stops at a transient failure and keeps it and everything after it queued', async () => {
    const t = await setUp(() => Promise.reject(new ClientError('CLIENT_RELAY_UNREACHABLE')));
    await t.queue('one');
    await t.queue('two');
    await expect(t.sender.flush()).rejects.toMatchObject({ code: 'CLIENT_RELAY_UNREACHABLE' });
    expect(t.posted).toEqual(['one']);
    expect(await t.store.keys('outbox/')).toHaveLength(2);
    expect(await statuses(t.store, t.chatId)).toEqual(['1: queued', '2: queued']);
  });

  it('lets an inbox that refuses for now hold back only its invitation', async () => {
    const t = await setUp((text, proof) =>
      text === 'invitation'
        ? Promise.reject(refusal('RELAY_INBOX_FULL', 429))
        : accept(text, proof),
    );
    await t.queue('invitation', true);
    await t.queue('after');
    await t.sender.flush();
    expect(t.posted).toEqual(['invitation', 'after']);
    expect(await statuses(t.store, t.chatId)).toEqual(['1: sent']);
    expect(await t.store.keys('outbox/')).toHaveLength(1);
  });

  it('posts an invitation without a write proof and emits no sent event for it', async () => {
    const proofs: (WriteProof | undefined)[] = [];
    const t = await setUp((text, proof) => {
      proofs.push(proof);
      return accept(text, proof);
    });
    await t.queue('invitation', true);
    await t.sender.flush();
    expect(proofs).toEqual([undefined]);
    expect(t.events).toEqual([]);
    expect(t.receipts).toEqual([]);
  });

  it('catches the chat up and posts once more when the relay’s topic moved on', async () => {
    let refused = false;
    const t = await setUp((text, proof) => {
      if (refused) return accept(text, proof);
      refused = true;
      return Promise.reject(refusal('RELAY_WRITE_FORBIDDEN', 403));
    });
    await t.queue('one');
    await t.sender.flush();
    expect(t.catchUps).toEqual([t.chatId]);
    expect(t.posted).toEqual(['one', 'one']);
    expect(await statuses(t.store, t.chatId)).toEqual(['1: sent']);
  });
});
