/**
 * Chat entries (docs/spec/chats.md §Entries): signed by the author's device for one chat; every
 * refusal is a tagged result (`malformed`, `bad-signature`, `wrong-chat`), never an exception.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCryptoSuite } from '../crypto/suite.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { newSharedTopic } from '../envelope/inbox.js';
import { signFor } from '../identity/signature.js';
import { applyMutation, mutationArbitrary } from '../../test/support/mutations.js';
import { unsafeTestMember, type TestMember } from '../../test/support/mls-members.js';
import { unsafeSeededRandom } from '../../test/support/seeded-random.js';
import { MAX_TEXT_BYTES, createChatEntry, openChatEntry, type ChatEntry } from './chat-entry.js';

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
    sentAt: SENT_AT,
    body: { type: 'text', text },
  };
}

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
    expect(entry.v).toBe(1);
    expect(entry.signature).toHaveLength(64);
    expect(bytes).toEqual(encodeCanonical(entry));
    const opened = await openChatEntry(suite, bytes, chat);
    expect(opened).toEqual({ ok: true, value: entry });
  });

  it('round-trips a leave entry', async () => {
    const { entry, bytes } = await createChatEntry(suite, alice.deviceSeed, {
      ...aliceSays(''),
      n: 7,
      body: { type: 'leave' },
    });
    expect(await openChatEntry(suite, bytes, chat)).toEqual({ ok: true, value: entry });
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

  it('refuses an entry whose text, author, n, sentAt or device changed after signing as bad-signature', async () => {
    const { entry } = await createChatEntry(suite, alice.deviceSeed, aliceSays('hi'));
    const changed: Partial<ChatEntry>[] = [
      { body: { type: 'text', text: 'ho' } },
      { body: { type: 'leave' } },
      { author: eve.account },
      { n: 2 },
      { sentAt: SENT_AT + 1 },
      { device: eve.device },
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
    const unsigned = { v: 1, ...aliceSays('hi') };
    const signature = await signFor(suite, 'login', alice.deviceSeed, encodeCanonical(unsigned));
    const bytes = encodeCanonical({ ...unsigned, signature });
    expect(await openChatEntry(suite, bytes, chat)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses an unknown body type as malformed, even correctly signed', async () => {
    const bytes = await signedAnyShape(alice.deviceSeed, {
      v: 1,
      ...aliceSays('x'),
      body: { type: 'poll', text: 'lunch?' },
    });
    expect(await openChatEntry(suite, bytes, chat)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses an unknown version (CORE_UNKNOWN_VERSION) as malformed, even correctly signed', async () => {
    for (const v of [0, 2, '1']) {
      const bytes = await signedAnyShape(alice.deviceSeed, { ...aliceSays('x'), v });
      expect(await openChatEntry(suite, bytes, chat), `v = ${String(v)}`).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('refuses a text of MAX_TEXT_BYTES + 1 bytes as malformed, even correctly signed', async () => {
    const { bytes } = await createChatEntry(
      suite,
      alice.deviceSeed,
      aliceSays('é'.repeat(MAX_TEXT_BYTES / 2) + 'a'),
    );
    expect(await openChatEntry(suite, bytes, chat)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses an entry larger than the decoder’s limit as malformed', async () => {
    const { bytes } = await createChatEntry(
      suite,
      alice.deviceSeed,
      aliceSays('a'.repeat(MAX_TEXT_BYTES + 2048)),
    );
    expect(await openChatEntry(suite, bytes, chat)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it.each([
    ['n = 0', { n: 0 }],
    ['a negative sentAt', { sentAt: -1 }],
    ['a chat of 31 bytes', { chat: chat.subarray(1) }],
    ['a device of 31 bytes', { device: new Uint8Array(31) }],
    ['an author that is not an account id', { author: 'alice' }],
    ['a text body without text', { body: { type: 'text' } }],
    ['a leave body with text', { body: { type: 'leave', text: 'bye' } }],
    ['an unknown field', { replyTo: 3 }],
  ])('refuses an entry with %s as malformed, even correctly signed', async (_what, change) => {
    const bytes = await signedAnyShape(alice.deviceSeed, { v: 1, ...aliceSays('x'), ...change });
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
    const { bytes } = await createChatEntry(suite, alice.deviceSeed, aliceSays('hello'));
    await fc.assert(
      fc.asyncProperty(mutationArbitrary, async (mutation) => {
        const opened = await openChatEntry(suite, applyMutation(bytes, mutation), chat);
        expect(opened.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
