/**
 * The outbox (docs/spec/chats.md §Local state and the outbox): envelopes encrypted and stored
 * before any byte leaves, posted in the order they were written until the relay takes them.
 * Keys `outbox/<position>` sort in write order.
 */
import { decodeCanonical, encodeCanonical } from '@parley/core';
import type { ClientStore } from '../store/client-store.js';

/** One envelope waiting to be posted. */
export interface OutboxItem {
  /** The chat it belongs to (an invitation: the chat it invites to). */
  readonly chat: string;
  readonly envelope: Uint8Array;
  /** The history row it sends (0: none, as for a leave request or an invitation). */
  readonly message: number;
  /**
   * An invitation to an invitee's inbox: it is retried like any message, but one that the relay
   * refuses for now (a full inbox) does not hold back the envelopes behind it.
   */
  readonly invitation?: true;
}

/** Appends `item` to the outbox. Call it inside the store transaction that made the envelope. */
export async function appendToOutbox(store: ClientStore, item: OutboxItem): Promise<void> {
  const previous = await store.get('outbox-seq');
  const position = (previous === undefined ? 0 : (decodeCanonical(previous) as number)) + 1;
  await store.put('outbox-seq', encodeCanonical(position));
  await store.put(`outbox/${String(position).padStart(16, '0')}`, encodeCanonical(item));
}

/** Reads one outbox item. */
export function decodeOutboxItem(bytes: Uint8Array): OutboxItem {
  return decodeCanonical(bytes) as OutboxItem;
}
