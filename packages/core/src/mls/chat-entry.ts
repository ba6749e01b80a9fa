/**
 * Chat entries v2 (docs/spec/history.md §Entries): the signed plaintext inside every MLS
 * application message. The author's device signs it (context `chat-entry`), so receivers know who
 * wrote it — MLS alone tells them only that some member did — and each entry links to the
 * author-device's previous one and to the heads the author had seen, so a history is a causal DAG.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { compareBytes, equalBytes, utf8 } from '../bytes.js';
import { contentFromWire, contentToWire } from '../content/content.js';
import {
  MAX_CONTENT_BYTES,
  MAX_CONTENT_DEPTH,
  type MessageContent,
} from '../content/content-types.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { expectBytes, expectFields, expectString, expectUint } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { parseAccountId, type AccountId } from '../identity/account-id.js';
import { signFor, verifyFor } from '../identity/signature.js';
import { fail, ok, type Result } from '../result.js';

/** Most DAG heads one entry may name. */
export const MAX_HEADS = 64;
/** Largest gossiped checkpoint (signed note text) one entry may carry, in UTF-8 bytes. */
export const MAX_ENTRY_CHECKPOINT_BYTES = 8192;

const HASH_BYTES = 32;
// Fixed fields, a full content, a full checkpoint and MAX_HEADS hashes fit well below this.
const MAX_ENTRY_BYTES = MAX_CONTENT_BYTES + MAX_ENTRY_CHECKPOINT_BYTES + MAX_HEADS * 40 + 1024;
// The entry map is level 1; its body is a content, whose own map is the content's level 1.
const MAX_ENTRY_DEPTH = 1 + MAX_CONTENT_DEPTH;

/**
 * What an entry says: a content from the registry (docs/spec/chats.md §Content). The round-1
 * bodies `{type:'text',text}` and `{type:'leave'}` are version 1 of their types, unchanged.
 */
export type ChatBody = MessageContent;

/** A chat entry (version 2) with its author's signature. */
export interface ChatEntry {
  readonly v: 2;
  /** The chat's topic: binds the entry to one chat. */
  readonly chat: Uint8Array;
  readonly author: AccountId;
  /** The author's device key (32-byte Ed25519), which signs. */
  readonly device: Uint8Array;
  /** The (author, device) pair's counter in this chat: 1, 2, 3… */
  readonly n: number;
  /** `entryHash` of this author-device's entry n − 1; null exactly when n = 1. */
  readonly prev: Uint8Array | null;
  /**
   * Entry hashes of the DAG heads the author had seen when writing: strictly ascending bytewise
   * (so without repeats), at most MAX_HEADS, never `prev`.
   */
  readonly heads: readonly Uint8Array[];
  /** The author's clock, ms since the epoch. */
  readonly sentAt: number;
  readonly body: ChatBody;
  /**
   * The latest relay checkpoint (signed note text) the author held, at most
   * MAX_ENTRY_CHECKPOINT_BYTES: gossip for split-view detection, not parsed here.
   */
  readonly checkpoint: string | null;
  readonly signature: Uint8Array;
}

/** The hash that names an entry: SHA-256 of its canonical signed bytes. */
export function entryHash(bytes: Uint8Array): Uint8Array {
  return sha256(bytes);
}

/**
 * Builds and signs an entry with the device's seed; returns it, its canonical bytes and its hash.
 * Throws RangeError if the fields break the entry rules: `prev` null iff n = 1, heads not strictly
 * ascending, more than MAX_HEADS or containing `prev`, a hash not 32 bytes, a checkpoint or text
 * too long, or any field of the wrong type or size.
 */
export async function createChatEntry(
  suite: CryptoSuite,
  deviceSeed: Uint8Array,
  fields: Omit<ChatEntry, 'v' | 'signature'>,
): Promise<{ entry: ChatEntry; bytes: Uint8Array; hash: Uint8Array }> {
  // Copy field by field: no stray property of the caller's object reaches the signed bytes.
  let body: Readonly<Record<string, unknown>>;
  try {
    body = contentToWire(fields.body);
  } catch (error) {
    if (error instanceof CoreError) throw new RangeError(`createChatEntry: ${error.message}`);
    throw error;
  }
  const unsigned = {
    v: 2 as const,
    chat: fields.chat,
    author: fields.author,
    device: fields.device,
    n: fields.n,
    prev: fields.prev,
    heads: [...fields.heads],
    sentAt: fields.sentAt,
    body,
    checkpoint: fields.checkpoint,
  };
  try {
    parseEntry({ ...unsigned, signature: new Uint8Array(64) });
  } catch (error) {
    if (error instanceof CoreError) throw new RangeError(`createChatEntry: ${error.message}`);
    throw error;
  }
  const signature = await signFor(suite, 'chat-entry', deviceSeed, encodeCanonical(unsigned));
  const bytes = encodeCanonical({ ...unsigned, signature });
  const entry: ChatEntry = { ...unsigned, body: contentFromWire(body), signature };
  return { entry, bytes, hash: entryHash(bytes) };
}

/** Why an entry was refused. */
export type ChatEntryFailure = 'malformed' | 'bad-signature' | 'wrong-chat';

/**
 * Decodes an entry and checks its rules, its signature and its chat; returns it with its hash.
 * Never throws for bad bytes. Membership of the author's device is the caller's check.
 */
export async function openChatEntry(
  suite: CryptoSuite,
  bytes: Uint8Array,
  chat: Uint8Array,
): Promise<Result<ChatEntry & { readonly hash: Uint8Array }, ChatEntryFailure>> {
  let entry: ChatEntry;
  let decoded: unknown;
  try {
    decoded = decodeCanonical(bytes, { maxBytes: MAX_ENTRY_BYTES, maxDepth: MAX_ENTRY_DEPTH });
    entry = parseEntry(decoded);
  } catch (error) {
    if (error instanceof CoreError) return fail('malformed', error.message);
    throw error;
  }
  if (!equalBytes(entry.chat, chat)) return fail('wrong-chat');
  // The signature covers the body as it came (an unsupported content is not re-encoded).
  const unsigned: Record<string, unknown> = { ...(decoded as Record<string, unknown>) };
  delete unsigned.signature;
  const verified = await verifyFor(
    suite,
    'chat-entry',
    entry.device,
    encodeCanonical(unsigned),
    entry.signature,
  );
  // The bytes decoded canonically, so they are the entry's one encoding and name it.
  return verified.ok ? ok({ ...entry, hash: entryHash(bytes) }) : fail('bad-signature');
}

function invalid(detail: string): CoreError {
  return new CoreError('CORE_SCHEMA_INVALID', `(chat entry ${detail})`);
}

/** The body as a content; a malformed known content makes the whole entry malformed. */
function parseContentBody(value: unknown): ChatBody {
  try {
    return contentFromWire(value);
  } catch (error) {
    if (error instanceof CoreError) throw invalid(`body: ${error.message}`);
    throw error;
  }
}

function parseHeads(value: unknown, prev: Uint8Array | null): Uint8Array[] {
  if (!Array.isArray(value)) throw invalid('"heads" is not a list');
  if (value.length > MAX_HEADS) throw invalid(`has more than ${MAX_HEADS} heads`);
  const heads = value.map((head: unknown, i) => expectBytes({ head }, 'head', `head ${i}`, 32));
  for (let i = 1; i < heads.length; i++) {
    const [before, after] = [heads[i - 1], heads[i]];
    if (before !== undefined && after !== undefined && compareBytes(before, after) >= 0) {
      throw invalid('heads are not strictly ascending');
    }
  }
  if (prev !== null && heads.some((head) => equalBytes(head, prev))) {
    throw invalid('heads contain prev');
  }
  return heads;
}

function parseEntry(value: unknown): ChatEntry {
  const what = 'chat entry';
  const version = expectFields(value, what, ['v'], Object.keys(value ?? {})).v;
  if (version !== 2)
    throw new CoreError('CORE_UNKNOWN_VERSION', `(chat entry version ${String(version)})`);
  const fields = expectFields(value, what, [
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
  ]);
  const n = expectUint(fields, 'n', what, 1);
  const prev = fields.prev === null ? null : expectBytes(fields, 'prev', what, HASH_BYTES);
  if ((prev === null) !== (n === 1)) throw invalid('"prev" must be null exactly when n is 1');
  let checkpoint: string | null = null;
  if (fields.checkpoint !== null) {
    checkpoint = expectString(fields, 'checkpoint', what);
    // A lone surrogate has no UTF-8 form: the signed bytes would not be this text.
    if (/\p{Cs}/u.test(checkpoint) || utf8(checkpoint).length > MAX_ENTRY_CHECKPOINT_BYTES) {
      throw invalid(`checkpoint over ${MAX_ENTRY_CHECKPOINT_BYTES} bytes or not UTF-8`);
    }
  }
  return {
    v: 2,
    chat: expectBytes(fields, 'chat', what, 32),
    author: parseAccountId(expectString(fields, 'author', what)),
    device: expectBytes(fields, 'device', what, 32),
    n,
    prev,
    heads: parseHeads(fields.heads, prev),
    sentAt: expectUint(fields, 'sentAt', what),
    body: parseContentBody(fields.body),
    checkpoint,
    signature: expectBytes(fields, 'signature', what, 64),
  };
}
