/** What the SDK keeps per chat and per device in the ClientStore, encoded as canonical DAG-CBOR. */
import {
  decodeCanonical,
  decodeGroupState,
  encodeCanonical,
  encodeGroupState,
  fromBase64Url,
  groupMembers,
  toBase64Url,
  type GroupMember,
  type GroupState,
  type MlsContext,
} from '@parley/core';
import { ClientError } from '../errors.js';
import type { ClientStore } from '../store/client-store.js';

/**
 * What a chat is: two accounts (`pair`), a group, or a `room` — for now a group its creator
 * named as a room (a broadcast channel in a later version: docs/spec/chats.md §Kinds).
 */
export type ChatKind = 'pair' | 'group' | 'room';

/** A chat as stored on this device. */
export interface ChatRecord {
  readonly id: string;
  readonly topic: Uint8Array;
  readonly kind: ChatKind;
  readonly name: string;
  /** The encoded MLS group state (core `encodeGroupState`). */
  readonly state: Uint8Array;
  /** The last topic seq this device processed. */
  readonly lastSeq: number;
  /** This device's chat-entry counter. */
  readonly counter: number;
  /** The hash of this device's last entry (the next one's `prev`), null before the first. */
  readonly prev: Uint8Array | null;
  /** The DAG heads this device has seen: entry hashes nothing it holds refers to yet. */
  readonly heads: readonly Uint8Array[];
  /**
   * Per chain (`<author>/<device hex>`), the first and last entry number held. `first` is where
   * this device's view of the chain begins (it may have joined after the author's first entry).
   */
  readonly chains: Readonly<Record<string, { readonly first: number; readonly last: number }>>;
  readonly status: 'active' | 'removed' | 'left';
  readonly createdAt: number;
}

/** A member of a chat: an account and the device keys it has in the group. */
export type ChatMember = GroupMember;

const CHAT_PREFIX = 'chat/';

/** The chat id of a topic: its base64url. */
export function chatIdOf(topic: Uint8Array): string {
  return toBase64Url(topic);
}

export async function loadChat(store: ClientStore, id: string): Promise<ChatRecord | undefined> {
  const bytes = await store.get(`${CHAT_PREFIX}${id}`);
  if (bytes === undefined) return undefined;
  // Records written before chats kept entry links lack `prev`, `heads` and `chains`.
  const value = decodeCanonical(bytes, { maxBytes: 64 * 1024 * 1024 }) as Omit<
    ChatRecord,
    'id' | 'topic' | 'prev' | 'heads' | 'chains'
  > &
    Partial<Pick<ChatRecord, 'prev' | 'heads' | 'chains'>>;
  return {
    prev: null,
    heads: [],
    chains: {},
    ...value,
    id,
    topic: fromBase64Url(id),
  };
}

/** A chat that must exist. @throws ClientError CLIENT_CHAT_NOT_FOUND */
export async function requireChat(store: ClientStore, id: string): Promise<ChatRecord> {
  const chat = await loadChat(store, id);
  if (chat === undefined) throw new ClientError('CLIENT_CHAT_NOT_FOUND', `(${id})`);
  return chat;
}

export async function saveChat(store: ClientStore, chat: ChatRecord): Promise<void> {
  const { id, topic: _topic, ...rest } = chat;
  await store.put(`${CHAT_PREFIX}${id}`, encodeCanonical(rest));
}

export async function listChatIds(store: ClientStore): Promise<string[]> {
  return (await store.keys(CHAT_PREFIX)).map((key) => key.slice(CHAT_PREFIX.length));
}

/**
 * Rebuilds the MLS state of a chat with this device's configuration.
 * @throws CoreError CORE_SCHEMA_INVALID if the stored state is unreadable
 */
export function groupStateOf(chat: ChatRecord, mls: MlsContext): GroupState {
  return decodeGroupState(chat.state, mls);
}

/** The bytes of a state, as a ChatRecord keeps them. */
export function encodeState(state: GroupState): Uint8Array {
  return encodeGroupState(state);
}

/**
 * The members of a group, from the credentials in its ratchet tree.
 * @throws CoreError if a leaf carries a foreign credential
 */
export function membersOf(state: GroupState): ChatMember[] {
  return groupMembers(state);
}
