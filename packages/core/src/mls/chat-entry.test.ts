/**
 * Chat entries v2 (docs/spec/history.md §Entries): signed by the author's device for one chat,
 * linked to the author-device's previous entry and to DAG heads; every refusal is a tagged result
 * (`malformed`, `bad-signature`, `wrong-chat`), never an exception.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCryptoSuite } from '../crypto/suite.js';
import { compareBytes, utf8 } from '../bytes.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { newSharedTopic } from '../envelope/inbox.js';
import { signFor } from '../identity/signature.js';
import { applyMutation, mutationArbitrary } from '../../test/support/mutations.js';
import { unsafeTestMember, type TestMember } from '@parley/test-support/mls-members';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import {
  MAX_ENTRY_CHECKPOINT_BYTES,
  MAX_HEADS,
  createChatEntry,
  entryHash,
  openChatEntry,
  type ChatEntry,
} from './chat-entry.js';
import { MAX_TEXT_BYTES } from '../content/content-types.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const chat = newSharedTopic(unsafeSeededRandom('chat-entry chat'));
const otherChat = newSharedTopic(unsafeSeededRandom('chat-entry other chat'));
const SENT_AT = 1_767_225_600_000;

let alice: TestMember;
let eve: TestMember;
beforeAll(async () => {
  alice = await unsafeTestMember(suite, 'alice');
  eve = await unsafeTestMember(suite, 'eve');
});

/** The fields of alice's first text entry in `chat`. */
function aliceSays(text: string): Omit<ChatEntry, 'v' | 'signature'> {
  return {
    chat,
    author: alice.account,
    device: alice.device,
    n: 1,
    prev: null,
    heads: [],
    sentAt: SENT_AT,
    body: { type: 'text', text },
    checkpoint: null,
  };
}

/** `count` distinct 32-byte hashes in strictly ascending order. */
function sortedHashes(count: number, label = 'head'): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => sha256(utf8(`${label} ${i}`))).sort(compareBytes);
}

const PREV = sha256(utf8('entry n-1'));
const CHECKPOINT_NOTE =
  'relay.example.org/log\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n\n— relay.example.org/log AAAA\n';

/**
 * Canonical bytes of any map with a valid `chat-entry` signature by `seed` over the map without
 * its signature: builds entries createChatEntry's types forbid, so that the only thing wrong
 * with them is their shape.
 */
async function signedAnyShape(
  seed: Uint8Array,
  unsigned: Record<string, unknown>,
): Promise<Uint8Array> {
  const signature = await signFor(suite, 'chat-entry', seed, encodeCanonical(unsigned));
  return encodeCanonical({ ...unsigned, signature });
}

describe('createChatEntry and openChatEntry', () => {
  it('round-trips a text entry: the opened entry equals the created one', async () => {
    const { entry, bytes } = await createChatEntry(suite, alice.deviceSeed, aliceSays('hi bob'));
    expect(entry.v).toBe(2);
    expect(entry.signature).toHaveLength(64);
    expect(bytes).toEqual(encodeCanonical(entry));
    const opened = await openChatEntry(suite, bytes, chat);
    expect(opened).toEqual({ ok: true, value: { ...entry, hash: entryHash(bytes) } });
  });

  it('names an entry by the SHA-256 of its signed bytes, returned by create and open alike', async () => {
    const { bytes, hash } = await createChatEntry(suite, alice.deviceSeed, aliceSays('hi'));
    expect(hash).toEqual(sha256(bytes));
    expect(entryHash(bytes)).toEqual(hash);
    const opened = await openChatEntry(suite, bytes, chat);
    expect(opened.ok && opened.value.hash).toEqual(hash);
  });

  it('round-trips a later entry with prev, MAX_HEADS heads and a gossiped checkpoint', async () => {
    const fields = {
      ...aliceSays('third'),
      n: 3,
      prev: PREV,
      heads: sortedHashes(MAX_HEADS),
      checkpoint: CHECKPOINT_NOTE,
    };
    const { entry, bytes, hash } = await createChatEntry(suite, alice.deviceSeed, fields);
    expect(entry).toMatchObject(fields);
    expect(await openChatEntry(suite, bytes, chat)).toEqual({
      ok: true,
      value: { ...entry, hash },
    });
  });

  it('encodes the null prev and checkpoint as CBOR null (0xf6), canonically', async () => {
    const { bytes } = await createChatEntry(suite, alice.deviceSeed, aliceSays('hi'));
    const nulls = [...bytes].filter((byte) => byte === 0xf6).length;
    expect(nulls).toBeGreaterThanOrEqual(2);
    expect(encodeCanonical({ prev: null })).toEqual(
      Uint8Array.from([0xa1, 0x64, ...utf8('prev'), 0xf6]),
    );
  });

  it('accepts a checkpoint of exactly MAX_ENTRY_CHECKPOINT_BYTES UTF-8 bytes', async () => {
    const checkpoint = 'é'.repeat(MAX_ENTRY_CHECKPOINT_BYTES / 2);
    const { bytes } = await createChatEntry(suite, alice.deviceSeed, {
      ...aliceSays('x'),
      checkpoint,
    });
    const opened = await openChatEntry(suite, bytes, chat);
    expect(opened.ok && opened.value.checkpoint).toBe(checkpoint);
  });

  it('signs only the entry fields: a stray property of the caller is not signed or encoded', async () => {
    const fields = { ...aliceSays('hi'), hash: new Uint8Array(32), extra: 1 };
    const { entry, bytes } = await createChatEntry(suite, alice.deviceSeed, fields);
    expect(Object.keys(entry).sort()).toEqual(
      [
        'v',
        'chat',
        'author',
        'device',
        'n',
        'prev',
        'heads',
        'sentAt',
        'body',
        'checkpoint',
        'signature',
      ].sort(),
    );
    expect((await openChatEntry(suite, bytes, chat)).ok).toBe(true);
  });

  it('round-trips any valid link fields (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
          maxLength: 8,
          selector: (bytes) => Buffer.from(bytes).toString('hex'),
        }),
        fc.option(fc.string({ maxLength: 50 }), { nil: null }),
        fc.maxSafeNat(),
        async (n, unsortedHeads, checkpoint, sentAt) => {
          const prev = n === 1 ? null : PREV;
          const heads = unsortedHeads
            .filter((head) => prev === null || compareBytes(head, prev) !== 0)
            .sort(compareBytes);
          const fields = { ...aliceSays('p'), n, prev, heads, checkpoint, sentAt };
          const { entry, bytes, hash } = await createChatEntry(suite, alice.deviceSeed, fields);
          expect(await openChatEntry(suite, bytes, chat)).toEqual({
            ok: true,
            value: { ...entry, hash },
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('round-trips a leave entry', async () => {
    const { entry, bytes, hash } = await createChatEntry(suite, alice.deviceSeed, {
      ...aliceSays(''),
      n: 7,
      prev: PREV,
      body: { type: 'leave' },
    });
    expect(await openChatEntry(suite, bytes, chat)).toEqual({
      ok: true,
      value: { ...entry, hash },
    });
  });

  it('accepts a text of exactly MAX_TEXT_BYTES UTF-8 bytes, counted in bytes not characters', async () => {
    const text = 'é'.repeat(MAX_TEXT_BYTES / 2);
    const { bytes } = await createChatEntry(suite, alice.deviceSeed, aliceSays(text));
    const opened = await openChatEntry(suite, bytes, chat);
    expect(opened.ok && opened.value.body).toEqual({ type: 'text', text });
  });
});

describe('openChatEntry refusals', () => {
  it('refuses an entry for another chat as wrong-chat', async () => {
    const { bytes } = await createChatEntry(suite, alice.deviceSeed, aliceSays('hi'));
    expect(await openChatEntry(suite, bytes, otherChat)).toMatchObject({
      ok: false,
      reason: 'wrong-chat',
    });
  });

  it('refuses an entry with any field changed after signing as bad-signature', async () => {
    const heads = sortedHashes(3);
    const { entry } = await createChatEntry(suite, alice.deviceSeed, {
      ...aliceSays('hi'),
      n: 2,
      prev: PREV,
      heads,
      checkpoint: CHECKPOINT_NOTE,
    });
    const changed: Partial<ChatEntry>[] = [
      { body: { type: 'text', text: 'ho' } },
      { body: { type: 'leave' } },
      { author: eve.account },
      { n: 3 },
      { sentAt: SENT_AT + 1 },
      { device: eve.device },
      { prev: sha256(utf8('another n-1')) },
      { heads: heads.slice(1) },
      { heads: [] },
      { heads: sortedHashes(3, 'other') },
      { checkpoint: null },
      { checkpoint: CHECKPOINT_NOTE.replace('3', '4') },
      { signature: new Uint8Array(64) },
    ];
    for (const change of changed) {
      const bytes = encodeCanonical({ ...entry, ...change });
      expect(await openChatEntry(suite, bytes, chat), JSON.stringify(Object.keys(change))).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
  });

  it('refuses an entry with one byte of its text, author or n changed as bad-signature or malformed', async () => {
    const { bytes } = await createChatEntry(suite, alice.deviceSeed, {
      ...aliceSays('hello there'),
      n: 5,
      prev: PREV,
    });
    const at = (needle: Uint8Array): number => {
      for (let i = 0; i + needle.length <= bytes.length; i++) {
        if (needle.every((byte, j) => bytes[i + j] === byte)) return i;
      }
      throw new Error('needle not found');
    };
    const encoder = new TextEncoder();
    const positions = [
      at(encoder.encode('hello there')) + 1,
      at(encoder.encode(alice.account)) + 10,
      at(encoder.encode(alice.account)) + alice.account.length - 1,
      at(Uint8Array.from([0x61, 0x6e, 0x05])) + 2, // "n": 5
    ];
    for (const position of positions) {
      const tampered = Uint8Array.from(bytes);
      tampered[position] = (tampered[position] ?? 0) ^ 0x01;
      const opened = await openChatEntry(suite, tampered, chat);
      expect(opened.ok, `byte ${position}`).toBe(false);
      expect(['bad-signature', 'malformed']).toContain(!opened.ok && opened.reason);
    }
  });

  it('refuses a signature made by another device key than the one the entry names', async () => {
    // Eve signs with her own device key but names alice's device (and account) as the signer.
    const { bytes } = await createChatEntry(suite, eve.deviceSeed, aliceSays('I am alice'));
    expect(await openChatEntry(suite, bytes, chat)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('leaves the account–device binding to the caller: eve’s device may claim alice as author', async () => {
    // The signature is eve's and names eve's device, so it verifies; only the caller's
    // membership check (this device is a leaf of this account) can refuse it.
    const { bytes } = await createChatEntry(suite, eve.deviceSeed, {
      ...aliceSays('I am alice'),
      device: eve.device,
    });
    const opened = await openChatEntry(suite, bytes, chat);
    expect(opened.ok && [opened.value.author, opened.value.device]).toEqual([
      alice.account,
      eve.device,
    ]);
  });

  it('refuses a signature made for another context with the right key', async () => {
    const unsigned = { v: 2, ...aliceSays('hi') };
    const signature = await signFor(suite, 'login', alice.deviceSeed, encodeCanonical(unsigned));
    const bytes = encodeCanonical({ ...unsigned, signature });
    expect(await openChatEntry(suite, bytes, chat)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('keeps a body of a type it does not read as unsupported, with its signed bytes', async () => {
    const body = { type: 'poll', text: 'lunch?' };
    const bytes = await signedAnyShape(alice.deviceSeed, { v: 2, ...aliceSays('x'), body });
    const opened = await openChatEntry(suite, bytes, chat);
    expect(opened.ok && opened.value.body).toEqual({
      type: 'unsupported',
      originalType: 'poll',
      reserved: true,
      bytes: encodeCanonical(body),
    });
  });

  it('refuses a malformed body of a known type as malformed, even correctly signed', async () => {
    for (const body of [
      { type: 'reply', text: 'no target' },
      { type: 'text', text: 'v1 written out', v: 1 },
      { type: 'Not A Type' },
    ]) {
      const bytes = await signedAnyShape(alice.deviceSeed, { v: 2, ...aliceSays('x'), body });
      expect(await openChatEntry(suite, bytes, chat), body.type).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('round-trips reply, reaction, edit, delete and unsupported bodies through an entry', async () => {
    const to = sha256(utf8('an earlier message'));
    for (const body of [
      { type: 'reply', to, text: 'yes' },
      { type: 'reaction', to, emoji: '👍', remove: false },
      { type: 'edit', to, text: 'fixed' },
      { type: 'delete', to },
      {
        type: 'unsupported',
        originalType: 'sticker',
        reserved: false,
        bytes: encodeCanonical({ type: 'sticker', id: 7 }),
      },
    ] as const) {
      const fields = { ...aliceSays('x'), body };
      const { entry, bytes } = await createChatEntry(suite, alice.deviceSeed, fields);
      const opened = await openChatEntry(suite, bytes, chat);
      expect(opened.ok && opened.value.body, body.type).toEqual(body);
      expect(entry.body).toEqual(body);
    }
  });

  it('refuses an unknown version (CORE_UNKNOWN_VERSION) as malformed, even correctly signed', async () => {
    for (const v of [0, 1, 3, '2']) {
      const bytes = await signedAnyShape(alice.deviceSeed, { ...aliceSays('x'), v });
      expect(await openChatEntry(suite, bytes, chat), `v = ${String(v)}`).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('refuses a text of MAX_TEXT_BYTES + 1 bytes as malformed, even correctly signed', async () => {
    const bytes = await signedAnyShape(alice.deviceSeed, {
      v: 2,
      ...aliceSays('é'.repeat(MAX_TEXT_BYTES / 2) + 'a'),
    });
    expect(await openChatEntry(suite, bytes, chat)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses an entry larger than the decoder’s limit as malformed', async () => {
    // Over the limit by the checkpoint alone: the decoder refuses it before reading any field.
    const bytes = await signedAnyShape(alice.deviceSeed, {
      v: 2,
      ...aliceSays('a'.repeat(MAX_TEXT_BYTES)),
      checkpoint: 'c'.repeat(MAX_ENTRY_CHECKPOINT_BYTES * 2),
    });
    expect(await openChatEntry(suite, bytes, chat)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it.each([
    ['n = 0', { n: 0 }],
    ['n = 1 with a prev', { prev: PREV }],
    ['n = 2 without a prev', { n: 2 }],
    ['a prev of 31 bytes', { n: 2, prev: PREV.subarray(1) }],
    ['a prev of 33 bytes', { n: 2, prev: new Uint8Array(33) }],
    ['a prev that is a string', { n: 2, prev: 'abc' }],
    ['no prev field', { prev: undefined }],
    ['heads that are not a list', { heads: PREV }],
    ['heads out of order', { heads: sortedHashes(2).reverse() }],
    ['a repeated head', { heads: [PREV, PREV] }],
    ['a head of 31 bytes', { heads: [PREV.subarray(1)] }],
    ['a head that is a number', { heads: [7] }],
    ['MAX_HEADS + 1 heads', { heads: sortedHashes(MAX_HEADS + 1) }],
    ['prev among the heads', { n: 2, prev: PREV, heads: [PREV] }],
    ['a checkpoint that is bytes', { checkpoint: utf8('note') }],
    [
      'a checkpoint of MAX_ENTRY_CHECKPOINT_BYTES + 1 bytes',
      { checkpoint: 'x'.repeat(MAX_ENTRY_CHECKPOINT_BYTES + 1) },
    ],
    ['no checkpoint field', { checkpoint: undefined }],
    ['a negative sentAt', { sentAt: -1 }],
    ['a chat of 31 bytes', { chat: chat.subarray(1) }],
    ['a device of 31 bytes', { device: new Uint8Array(31) }],
    ['an author that is not an account id', { author: 'alice' }],
    ['a text body without text', { body: { type: 'text' } }],
    ['a leave body with text', { body: { type: 'leave', text: 'bye' } }],
    ['an unknown field', { replyTo: 3 }],
  ])('refuses an entry with %s as malformed, even correctly signed', async (_what, change) => {
    const unsigned = Object.fromEntries(
      Object.entries({ v: 2, ...aliceSays('x'), ...change }).filter(([, v]) => v !== undefined),
    );
    const bytes = await signedAnyShape(alice.deviceSeed, unsigned);
    expect(await openChatEntry(suite, bytes, chat)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses bytes that are not canonical DAG-CBOR, or not a map, as malformed', async () => {
    for (const bytes of [
      new Uint8Array(0),
      new TextEncoder().encode('hi'),
      encodeCanonical([1, 2]),
      encodeCanonical('entry'),
      encodeCanonical(null),
    ]) {
      expect(await openChatEntry(suite, bytes, chat)).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('never accepts and never throws for a mutated entry', async () => {
    const { bytes } = await createChatEntry(suite, alice.deviceSeed, {
      ...aliceSays('hello'),
      n: 2,
      prev: PREV,
      heads: sortedHashes(2),
      checkpoint: 'cp',
    });
    await fc.assert(
      fc.asyncProperty(mutationArbitrary, async (mutation) => {
        const opened = await openChatEntry(suite, applyMutation(bytes, mutation), chat);
        expect(opened.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('createChatEntry refusals', () => {
  it.each([
    ['n = 1 with a prev', { prev: PREV }],
    ['n = 2 without a prev', { n: 2 }],
    ['n = 0', { n: 0 }],
    ['a fractional n', { n: 1.5, prev: PREV }],
    ['a prev of 31 bytes', { n: 2, prev: PREV.subarray(1) }],
    ['heads out of order', { heads: sortedHashes(2).reverse() }],
    ['a repeated head', { heads: [PREV, PREV] }],
    ['a head of 33 bytes', { heads: [new Uint8Array(33)] }],
    ['MAX_HEADS + 1 heads', { heads: sortedHashes(MAX_HEADS + 1) }],
    ['prev among the heads', { n: 2, prev: PREV, heads: [PREV] }],
    [
      'a checkpoint of MAX_ENTRY_CHECKPOINT_BYTES + 1 bytes',
      { checkpoint: 'é'.repeat(MAX_ENTRY_CHECKPOINT_BYTES / 2) + 'a' },
    ],
    ['a checkpoint with a lone surrogate', { checkpoint: 'a\ud800' }],
    [
      'a text of MAX_TEXT_BYTES + 1 bytes',
      { body: { type: 'text', text: 'a'.repeat(MAX_TEXT_BYTES + 1) } },
    ],
    ['a chat of 31 bytes', { chat: chat.subarray(1) }],
    ['an author that is not an account id', { author: 'alice' }],
    ['a negative sentAt', { sentAt: -1 }],
  ])('throws RangeError for %s', async (_what, change) => {
    const fields = { ...aliceSays('x'), ...change } as Omit<ChatEntry, 'v' | 'signature'>;
    await expect(createChatEntry(suite, alice.deviceSeed, fields)).rejects.toThrow(RangeError);
  });
});
