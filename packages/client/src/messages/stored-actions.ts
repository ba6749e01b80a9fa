/**
 * Applies reactions, edits and deletes to the stored history (docs/spec/chats.md §Content): an
 * action whose target is stored changes that row (apply-content.ts decides how); one that
 * arrives before its target waits in the key-value space and is applied when the target is
 * stored. Runs inside the caller's store transaction.
 */
import {
  decodeCanonical,
  decodeContent,
  encodeCanonical,
  encodeContent,
  toHex,
  type DeleteContent,
  type EditContent,
  type ReactionContent,
} from '@parley/core';
import type { Emit } from '../events.js';
import type { ClientStore, StoredMessage } from '../store/client-store.js';
import { bodyOf } from '../store/message-body.js';
import {
  actionTarget,
  applyAction,
  applyPending,
  type ApplyResult,
  type ContentAction,
  type MessageState,
} from './apply-content.js';

/** What applying actions needs of the client. */
export interface StoredActionsDeps {
  readonly store: Pick<
    ClientStore,
    'get' | 'put' | 'delete' | 'keys' | 'messageByHash' | 'rewriteMessage'
  >;
  readonly emit: Emit;
}

/** The contents that act on an earlier message. */
export type ActionContent = ReactionContent | EditContent | DeleteContent;

/** True for a content that acts on an earlier message rather than being one. */
export function isAction(content: { readonly type: string }): content is ActionContent {
  return content.type === 'reaction' || content.type === 'edit' || content.type === 'delete';
}

const pendingPrefix = (chatId: string, target: string): string =>
  `pending-action/${chatId}/${target}/`;

/**
 * Applies `action` to the stored message it names and emits `message-changed`; keeps it for
 * later if that message is not stored yet. Returns what applying it did ('pending' if kept).
 */
export async function applyStoredAction(
  deps: StoredActionsDeps,
  chatId: string,
  action: ContentAction,
): Promise<ApplyResult | 'pending'> {
  const { store } = deps;
  const target = actionTarget(action);
  const message = await store.messageByHash(chatId, target);
  if (message === undefined) {
    const prefix = pendingPrefix(chatId, target);
    const count = (await store.keys(prefix)).length;
    await store.put(`${prefix}${String(count).padStart(8, '0')}`, encodeAction(action));
    return 'pending';
  }
  const result = applyAction(stateOf(message), action);
  if (result.applied) await save(deps, message, result.message);
  return result;
}

/**
 * Applies the actions that waited for `message` (just stored) and forgets them; returns the
 * message as it now stands.
 */
export async function applyWaitingActions(
  deps: StoredActionsDeps,
  message: StoredMessage,
): Promise<StoredMessage> {
  const { store } = deps;
  if (message.hash === undefined) return message;
  const keys = await store.keys(pendingPrefix(message.chatId, message.hash));
  if (keys.length === 0) return message;
  const pending: ContentAction[] = [];
  for (const key of keys) {
    const bytes = await store.get(key);
    if (bytes !== undefined) pending.push(decodeAction(bytes));
    await store.delete(key);
  }
  const state = applyPending(stateOf(message), pending);
  const changed = { ...message, ...bodyOf(state) };
  await store.rewriteMessage(message.chatId, message.id, message.author, changed);
  return changed;
}

/** The state apply-content.ts works on, of a stored message. */
function stateOf(message: StoredMessage): MessageState {
  return { ...bodyOf(message), hash: message.hash ?? '', author: message.author };
}

async function save(
  deps: StoredActionsDeps,
  message: StoredMessage,
  state: MessageState,
): Promise<void> {
  const changed: StoredMessage = { ...message, ...bodyOf(state) };
  await deps.store.rewriteMessage(message.chatId, message.id, message.author, changed);
  deps.emit('message-changed', { chatId: message.chatId, message: changed });
}

function encodeAction(action: ContentAction): Uint8Array {
  const { hash, author, sentAt } = action;
  return encodeCanonical({ hash, author, sentAt, content: encodeContent(action.content) });
}

function decodeAction(bytes: Uint8Array): ContentAction {
  const value = decodeCanonical(bytes) as {
    hash: string;
    author: string;
    sentAt: number;
    content: Uint8Array;
  };
  const content = decodeContent(value.content);
  if (!isAction(content)) throw new TypeError(`a waiting ${content.type} is not an action`);
  return { hash: value.hash, author: value.author, sentAt: value.sentAt, content };
}

/** The action of an entry (its hash as hex). */
export function actionOf(
  entry: { readonly author: string; readonly sentAt: number; readonly hash: Uint8Array },
  content: ActionContent,
): ContentAction {
  return { hash: toHex(entry.hash), author: entry.author, sentAt: entry.sentAt, content };
}
