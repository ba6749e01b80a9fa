/** What the SDK keeps per chat and per device in the ClientStore, encoded as canonical DAG-CBOR. */
import {
  decodeCanonical,
  encodeCanonical,
  fromBase64Url,
  readMemberCredential,
  toBase64Url,
  type AccountId,
} from '@parley/core';
import { decodeGroupState, encodeGroupState, type ClientConfig, type ClientState } from 'ts-mls';
import type { ClientStore } from '../store/client-store.js';

/** A chat as stored on this device. */
export interface ChatRecord {
  readonly id: string;
  readonly topic: Uint8Array;
  readonly kind: 'pair' | 'group';
  readonly name: string;
  /** The encoded MLS group state (ts-mls `encodeGroupState`). */
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
export interface ChatMember {
  readonly account: AccountId;
  readonly devices: readonly Uint8Array[];
}

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

export async function saveChat(store: ClientStore, chat: ChatRecord): Promise<void> {
  const { id, topic: _topic, ...rest } = chat;
  await store.put(`${CHAT_PREFIX}${id}`, encodeCanonical(rest));
}

export async function listChatIds(store: ClientStore): Promise<string[]> {
  return (await store.keys(CHAT_PREFIX)).map((key) => key.slice(CHAT_PREFIX.length));
}

/** Rebuilds the ts-mls state of a chat with this device's configuration. */
export function groupStateOf(chat: ChatRecord, config: ClientConfig): ClientState {
  const decoded = decodeGroupState(chat.state, 0);
  if (decoded === undefined) throw new Error(`stored MLS state of chat ${chat.id} is unreadable`);
  return { ...decoded[0], clientConfig: config };
}

export function encodeState(state: ClientState): Uint8Array {
  return encodeGroupState(state);
}

/** The members of a group, from the credentials in its ratchet tree. */
export function membersOf(state: ClientState): ChatMember[] {
  const members = new Map<string, Uint8Array[]>();
  for (const node of state.ratchetTree) {
    if (node?.nodeType !== 'leaf') continue;
    const identity = readMemberCredential(node.leaf.credential);
    const devices = members.get(identity.account) ?? [];
    devices.push(identity.device);
    members.set(identity.account, devices);
  }
  return [...members].map(([account, devices]) => ({ account: account as AccountId, devices }));
}

/** Leaf indexes of an account's devices in the group. */
export function leavesOf(state: ClientState, account: string): number[] {
  const leaves: number[] = [];
  state.ratchetTree.forEach((node, index) => {
    if (
      node?.nodeType === 'leaf' &&
      readMemberCredential(node.leaf.credential).account === account
    ) {
      leaves.push(index / 2);
    }
  });
  return leaves;
}
