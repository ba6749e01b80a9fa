/**
 * Chat entries (docs/spec/chats.md §Entries): the signed plaintext inside every MLS application
 * message. The author's device signs it (context `chat-entry`), so receivers know who wrote it —
 * MLS alone tells them only that some member did — and can refuse entries from non-members.
 */
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { expectBytes, expectFields, expectString, expectUint } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { parseAccountId, type AccountId } from '../identity/account-id.js';
import { signFor, verifyFor } from '../identity/signature.js';
import { fail, ok, type Result } from '../result.js';

/** Largest text of one message, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 64 * 1024;

/** What an entry says. */
export type ChatBody =
  { readonly type: 'text'; readonly text: string } | { readonly type: 'leave' };

/** A chat entry with its author's signature. */
export interface ChatEntry {
  readonly v: 1;
  /** The chat's topic: binds the entry to one chat. */
  readonly chat: Uint8Array;
  readonly author: AccountId;
  /** The author's device key, which signs. */
  readonly device: Uint8Array;
  /** The author's counter in this chat: 1, 2, 3… A repeat is a replay. */
  readonly n: number;
  /** The author's clock, ms since the epoch. */
  readonly sentAt: number;
  readonly body: ChatBody;
  readonly signature: Uint8Array;
}

/** Builds and signs an entry with the device's seed; returns it and its canonical bytes. */
export async function createChatEntry(
  suite: CryptoSuite,
  deviceSeed: Uint8Array,
  fields: Omit<ChatEntry, 'v' | 'signature'>,
): Promise<{ entry: ChatEntry; bytes: Uint8Array }> {
  const unsigned = { v: 1 as const, ...fields };
  const signature = await signFor(suite, 'chat-entry', deviceSeed, encodeCanonical(unsigned));
  const entry: ChatEntry = { ...unsigned, signature };
  return { entry, bytes: encodeCanonical(entry) };
}

/** Why an entry was refused. */
export type ChatEntryFailure = 'malformed' | 'bad-signature' | 'wrong-chat';

/** Decodes an entry and checks its signature and chat. Membership is the caller's check. */
export async function openChatEntry(
  suite: CryptoSuite,
  bytes: Uint8Array,
  chat: Uint8Array,
): Promise<Result<ChatEntry, ChatEntryFailure>> {
  let entry: ChatEntry;
  try {
    entry = parseEntry(decodeCanonical(bytes, { maxBytes: MAX_TEXT_BYTES + 1024, maxDepth: 3 }));
  } catch (error) {
    if (error instanceof CoreError) return fail('malformed', error.message);
    throw error;
  }
  if (entry.chat.length !== chat.length || !entry.chat.every((byte, i) => byte === chat[i])) {
    return fail('wrong-chat');
  }
  const { signature, ...unsigned } = entry;
  const verified = await verifyFor(
    suite,
    'chat-entry',
    entry.device,
    encodeCanonical(unsigned),
    signature,
  );
  return verified.ok ? ok(entry) : fail('bad-signature');
}

function parseEntry(value: unknown): ChatEntry {
  const what = 'chat entry';
  const version = expectFields(value, what, ['v'], Object.keys(value ?? {})).v;
  if (version !== 1)
    throw new CoreError('CORE_UNKNOWN_VERSION', `(chat entry version ${String(version)})`);
  const fields = expectFields(value, what, [
    'v',
    'chat',
    'author',
    'device',
    'n',
    'sentAt',
    'body',
    'signature',
  ]);
  const body = expectFields(fields.body, 'chat entry body', ['type'], ['text']);
  const type = expectString(body, 'type', 'chat entry body');
  let parsedBody: ChatBody;
  if (type === 'text') {
    expectFields(fields.body, 'chat entry body', ['type', 'text']);
    const text = expectString(body, 'text', 'chat entry body');
    if (new TextEncoder().encode(text).length > MAX_TEXT_BYTES) {
      throw new CoreError('CORE_SCHEMA_INVALID', '(text too long)');
    }
    parsedBody = { type, text };
  } else if (type === 'leave') {
    expectFields(fields.body, 'chat entry body', ['type']);
    parsedBody = { type };
  } else {
    throw new CoreError('CORE_SCHEMA_INVALID', `(unknown body type "${type}")`);
  }
  return {
    v: 1,
    chat: expectBytes(fields, 'chat', what, 32),
    author: parseAccountId(expectString(fields, 'author', what)),
    device: expectBytes(fields, 'device', what, 32),
    n: expectUint(fields, 'n', what, 1),
    sentAt: expectUint(fields, 'sentAt', what),
    body: parsedBody,
    signature: expectBytes(fields, 'signature', what, 64),
  };
}
