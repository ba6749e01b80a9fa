/**
 * The one place a received entry becomes a row of the readable history. Today only text is
 * shown; other contents are kept as signed entries (ADR 0016 gives them their own rows).
 */
import type { ChatEntry } from '@parley/core';
import type { Emit } from '../events.js';
import type { ClientStore, StoredMessage } from '../store/client-store.js';

/** Where a received entry's envelope stands in its topic. */
export interface ReceivedAt {
  readonly cid: string;
  readonly seq: number;
}

/**
 * Stores a received entry shown as a message and emits `message`; returns the row, or
 * undefined if the entry shows no message or its CID is held already.
 */
export async function storeReceivedMessage(
  deps: { readonly store: Pick<ClientStore, 'addMessage'>; readonly emit: Emit; self: string },
  chatId: string,
  entry: ChatEntry,
  at: ReceivedAt,
): Promise<StoredMessage | undefined> {
  if (entry.body.type !== 'text') return undefined;
  const stored = await deps.store.addMessage({
    chatId,
    author: entry.author,
    text: entry.body.text,
    sentAt: entry.sentAt,
    own: entry.author === deps.self,
    status: 'received',
    cid: at.cid,
    seq: at.seq,
  });
  if (stored !== undefined) deps.emit('message', { chatId, message: stored });
  return stored;
}
