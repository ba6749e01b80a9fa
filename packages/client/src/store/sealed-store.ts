/**
 * A ClientStore that encrypts at rest (docs/spec/client-store.md): every key-value value and
 * every message's author and body (content, edit, reactions) are sealed with XChaCha20-Poly1305
 * under the store key, a fresh random nonce each write, and the row's name as associated data,
 * so a value moved to another row does not open. Key names, chat ids, CIDs, entry hashes, seqs,
 * times and statuses stay in the clear as the index.
 */
import {
  type RandomSource,
  equalBytes,
  fromBase64Url,
  fromUtf8,
  toBase64Url,
  utf8,
  xchachaOpen,
  xchachaSeal,
} from '@parley/core';
import { ClientError } from '../errors.js';
import type { ClientStore, MessageBody, StoredMessage } from './client-store.js';
import { decodeMessageBody, encodeMessageBody, legacyBody, newBody } from './message-body.js';

/** The row that proves the key: a known text sealed under it. Never listed by `keys()`. */
export const STORE_KEY_CHECK = 'store-key-check';
const CHECK_TEXT = utf8('parley client store key check v1');
/** Format version of a sealed value: version byte || nonce (24) || ciphertext || tag (16). */
const VERSION = 1;
const NONCE_BYTES = 24;
const KEY_BYTES = 32;
/** Marks a message text that holds a sealed author and text (written before content types). */
const SEALED_TEXT = 'parley-sealed-v1:';
/** Marks a message text that holds a sealed author and body (message-body.ts), base64url. */
const SEALED_BODY = 'parley-sealed-v2:';
/** The body of a row whose sealed body is not written yet. */
const EMPTY = { type: 'text', text: '' } as const;
/** How many messages migration reads at a time. */
const MIGRATION_PAGE = 256;

/** Options of openSealedStore. */
export interface SealedStoreOptions {
  /** The 32-byte store key (deriveStoreKey). */
  readonly key: Uint8Array;
  readonly random: RandomSource;
  /** Keys whose values stay as they are (the web app's passphrase-encrypted key file). */
  readonly plainKeys?: readonly string[];
}

const aadOf = (name: string): Uint8Array => utf8(`parley/client-store/v1\u0000${name}`);
const kvName = (key: string): string => `kv\u0000${key}`;
const messageName = (chatId: string, id: number): string => `message\u0000${chatId}\u0000${id}`;

/**
 * Wraps `inner` so that its secrets are sealed under `options.key`. On the first open of a store
 * written without sealing, seals every plaintext row in place in one transaction.
 * @throws ClientError CLIENT_STORE_KEY_WRONG if the store was sealed under another key;
 *   RangeError if the key is not 32 bytes
 */
export async function openSealedStore(
  inner: ClientStore,
  options: SealedStoreOptions,
): Promise<ClientStore> {
  if (options.key.length !== KEY_BYTES) throw new RangeError('store key must be 32 bytes');
  const key = Uint8Array.from(options.key);
  const plain = new Set([STORE_KEY_CHECK, ...(options.plainKeys ?? [])]);
  const seal = (name: string, value: Uint8Array): Uint8Array => {
    const nonce = options.random(NONCE_BYTES);
    const sealed = xchachaSeal(key, nonce, value, aadOf(name));
    const out = new Uint8Array(1 + NONCE_BYTES + sealed.length);
    out[0] = VERSION;
    out.set(nonce, 1);
    out.set(sealed, 1 + NONCE_BYTES);
    return out;
  };
  /** @throws ClientError CLIENT_STORE_DAMAGED */
  const open = (name: string, value: Uint8Array): Uint8Array => {
    try {
      if (value[0] !== VERSION) throw new Error('unknown sealed-value version');
      return xchachaOpen(
        key,
        value.subarray(1, 1 + NONCE_BYTES),
        value.subarray(1 + NONCE_BYTES),
        aadOf(name),
      );
    } catch (cause) {
      throw new ClientError('CLIENT_STORE_DAMAGED', `(${name.replaceAll('\u0000', ' ')})`, {
        cause,
      });
    }
  };
  const sealBody = (chatId: string, id: number, author: string, body: MessageBody): MessageBody => {
    const plainText = utf8(JSON.stringify([author, encodeMessageBody(body)]));
    const text = SEALED_BODY + toBase64Url(seal(messageName(chatId, id), plainText));
    return newBody({ type: 'text', text });
  };
  const openMessage = (message: StoredMessage): StoredMessage => {
    const name = messageName(message.chatId, message.id);
    const sealed = message.content.type === 'text' ? message.content.text : '';
    const prefix = [SEALED_BODY, SEALED_TEXT].find((known) => sealed.startsWith(known));
    if (prefix === undefined) {
      throw new ClientError('CLIENT_STORE_DAMAGED', `(message ${message.id} is not sealed)`);
    }
    let fields: unknown;
    try {
      fields = JSON.parse(fromUtf8(open(name, fromBase64Url(sealed.slice(prefix.length)))));
    } catch (cause) {
      if (cause instanceof ClientError) throw cause;
      throw new ClientError('CLIENT_STORE_DAMAGED', `(message ${message.id})`, { cause });
    }
    const [author, text] = fields as [string, string];
    // A body sealed before content types holds the message's text itself.
    const body = prefix === SEALED_TEXT ? legacyBody(text) : decodeMessageBody(text);
    return { ...message, author, ...body };
  };

  const check = await inner.get(STORE_KEY_CHECK);
  if (check === undefined) {
    await migrate(inner, plain, seal, sealBody);
  } else {
    let opened: Uint8Array;
    try {
      opened = open(STORE_KEY_CHECK, check);
    } catch (cause) {
      throw new ClientError('CLIENT_STORE_KEY_WRONG', undefined, { cause });
    }
    if (!equalBytes(opened, CHECK_TEXT)) throw new ClientError('CLIENT_STORE_KEY_WRONG');
  }

  return {
    get: async (name) => {
      const value = await inner.get(name);
      if (value === undefined || plain.has(name)) return value;
      return open(kvName(name), value);
    },
    put: (name, value) =>
      inner.put(name, plain.has(name) ? value : seal(kvName(name), Uint8Array.from(value))),
    delete: (name) => inner.delete(name),
    keys: async (prefix) => (await inner.keys(prefix)).filter((name) => name !== STORE_KEY_CHECK),
    transaction: (work) => inner.transaction(work),
    addMessage: (message) =>
      inner.transaction(async () => {
        // The id (part of the associated data) is known once the row exists: add it with an
        // empty body, then write the sealed body, in one transaction.
        const added = await inner.addMessage({ ...message, author: '', ...newBody(EMPTY) });
        if (added === undefined) return undefined;
        const sealed = sealBody(added.chatId, added.id, message.author, message);
        await inner.rewriteMessage(added.chatId, added.id, '', sealed);
        return { ...message, id: added.id };
      }),
    markSent: (chatId, id, cid, seq) => inner.markSent(chatId, id, cid, seq),
    markFailed: (chatId, id) => inner.markFailed(chatId, id),
    messages: async (chatId, paging) => (await inner.messages(chatId, paging)).map(openMessage),
    messageByHash: async (chatId, hash) => {
      const found = await inner.messageByHash(chatId, hash);
      return found === undefined ? undefined : openMessage(found);
    },
    messageChats: () => inner.messageChats(),
    rewriteMessage: (chatId, id, author, body) =>
      inner.rewriteMessage(chatId, id, '', sealBody(chatId, id, author, body)),
    close: () => inner.close(),
  };
}

/** Seals every plaintext row of `inner` in place, then writes the key check: all or nothing. */
async function migrate(
  inner: ClientStore,
  plain: ReadonlySet<string>,
  seal: (name: string, value: Uint8Array) => Uint8Array,
  sealBody: (chatId: string, id: number, author: string, body: MessageBody) => MessageBody,
): Promise<void> {
  await inner.transaction(async () => {
    for (const name of await inner.keys('')) {
      if (plain.has(name)) continue;
      const value = await inner.get(name);
      if (value !== undefined) await inner.put(name, seal(kvName(name), value));
    }
    for (const chatId of await inner.messageChats()) {
      let before: number | undefined;
      for (;;) {
        const page = await inner.messages(chatId, {
          limit: MIGRATION_PAGE,
          ...(before === undefined ? {} : { before }),
        });
        for (const message of page) {
          const shown = message.content.type === 'text' ? message.content.text : '';
          const sealed = shown.startsWith(SEALED_TEXT) || shown.startsWith(SEALED_BODY);
          if (sealed && message.author === '') continue;
          const body = sealBody(chatId, message.id, message.author, message);
          await inner.rewriteMessage(chatId, message.id, '', body);
        }
        if (page.length < MIGRATION_PAGE) break;
        before = page[0]?.id;
      }
    }
    await inner.put(STORE_KEY_CHECK, seal(STORE_KEY_CHECK, CHECK_TEXT));
  });
}
