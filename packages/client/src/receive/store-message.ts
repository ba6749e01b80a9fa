/**
 * The one place a received entry becomes part of the readable history: a text, a reply or a
 * content this version does not read (kept as `unsupported`, never dropped) becomes a row; a
 * reaction, an edit or a delete changes the row it names (messages/stored-actions.ts).
 */
import { isShownAsMessage, toHex, type ChatEntry } from '@parley/core';
import type { Emit } from '../events.js';
import {
  actionOf,
  applyStoredAction,
  applyWaitingActions,
  isAction,
} from '../messages/stored-actions.js';
import type { ClientStore, StoredMessage } from '../store/client-store.js';
import { newBody } from '../store/message-body.js';

/** Where a received entry's envelope stands in its topic. */
export interface ReceivedAt {
  readonly cid: string;
  readonly seq: number;
}

/** What storing a received entry needs. */
export interface StoreMessageDeps {
  readonly store: Pick<
    ClientStore,
    'addMessage' | 'get' | 'put' | 'delete' | 'keys' | 'messageByHash' | 'rewriteMessage'
  >;
  readonly emit: Emit;
  readonly self: string;
}

/**
 * Stores a received entry shown as a message and emits `message` (its CID held already: no
 * row), or applies a received action to the message it names (`message-changed`). Returns the
 * new row, if one was added.
 */
export async function storeReceivedMessage(
  deps: StoreMessageDeps,
  chatId: string,
  entry: ChatEntry & { readonly hash: Uint8Array },
  at: ReceivedAt,
): Promise<StoredMessage | undefined> {
  const content = entry.body;
  if (isAction(content)) {
    await applyStoredAction(deps, chatId, actionOf(entry, content));
    return undefined;
  }
  if (!isShownAsMessage(content)) return undefined;
  const stored = await deps.store.addMessage({
    chatId,
    author: entry.author,
    hash: toHex(entry.hash),
    ...newBody(content),
    sentAt: entry.sentAt,
    own: entry.author === deps.self,
    status: 'received',
    cid: at.cid,
    seq: at.seq,
  });
  if (stored === undefined) return undefined;
  const shown = await applyWaitingActions(deps, stored);
  deps.emit('message', { chatId, message: shown });
  return shown;
}
