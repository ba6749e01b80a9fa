/**
 * The rules by which content that is not a visible message (a reaction, an edit, a delete)
 * changes the message it names (docs/adr/0016-content-types.md §5). Pure: no store, no clock.
 *
 * A deleted message is a tombstone `{ type: 'deleted' }`: it keeps its place, hash and author,
 * loses its text and reactions, and takes no further action. Edits and deletes by anyone but
 * the target's author are refused. Among edits the latest `sentAt` wins, whatever the arrival
 * order. Each action is applied at most once (by its entry hash), so replaying it changes nothing.
 */
import type {
  DeleteContent,
  EditContent,
  ReactionContent,
  ReplyContent,
  TextContent,
  UnsupportedContent,
} from '@parley/core';
import { toHex } from '@parley/core';

/** What a stored message shows: a visible content, or the tombstone of a deleted one. */
export type ShownContent = TextContent | ReplyContent | UnsupportedContent | DeletedContent;

/** The local tombstone of a deleted message (never on the wire). */
export interface DeletedContent {
  readonly type: 'deleted';
}

/** The part of a stored message that actions change. */
export interface MessageState {
  /** The message's entry hash, hex. */
  readonly hash: string;
  readonly author: string;
  readonly content: ShownContent;
  /** `sentAt` of the edit now shown, if it was edited. */
  readonly editedAt: number | undefined;
  /** Per emoji, the accounts that reacted with it (sorted, one each). */
  readonly reactions: Readonly<Record<string, readonly string[]>>;
  /** Entry hashes (hex) of the actions applied to it, for idempotence. */
  readonly applied: readonly string[];
}

/** One received action entry. */
export interface ContentAction {
  /** The action's own entry hash, hex. */
  readonly hash: string;
  readonly author: string;
  readonly sentAt: number;
  readonly content: ReactionContent | EditContent | DeleteContent;
}

/** Why an action changed nothing. */
export type ApplyRefusal = 'duplicate' | 'not-author' | 'deleted' | 'older-edit';

/** The target after the action, or why it is unchanged. */
export type ApplyResult =
  | { readonly applied: true; readonly message: MessageState }
  | { readonly applied: false; readonly reason: ApplyRefusal };

/** The hex entry hash an action names. */
export function actionTarget(action: ContentAction): string {
  return toHex(action.content.to);
}

/** Applies one action to the message it names (the caller matched `actionTarget`). */
export function applyAction(target: MessageState, action: ContentAction): ApplyResult {
  if (target.applied.includes(action.hash)) return { applied: false, reason: 'duplicate' };
  if (target.content.type === 'deleted') return { applied: false, reason: 'deleted' };
  const applied = [...target.applied, action.hash];
  const content = action.content;
  switch (content.type) {
    case 'reaction':
      return {
        applied: true,
        message: {
          ...target,
          applied,
          reactions: react(target.reactions, action.author, content.emoji, content.remove),
        },
      };
    case 'edit':
      if (action.author !== target.author) return { applied: false, reason: 'not-author' };
      if (target.editedAt !== undefined && action.sentAt < target.editedAt) {
        return { applied: false, reason: 'older-edit' };
      }
      return {
        applied: true,
        message: {
          ...target,
          applied,
          content: edited(target.content, content.text),
          editedAt: action.sentAt,
        },
      };
    case 'delete':
      if (action.author !== target.author) return { applied: false, reason: 'not-author' };
      return {
        applied: true,
        message: { ...target, applied, content: { type: 'deleted' }, reactions: {} },
      };
  }
}

/**
 * Applies the actions that arrived before their target, in arrival order, once it is stored.
 * Actions naming another message are skipped; refused ones change nothing.
 */
export function applyPending(
  target: MessageState,
  pending: readonly ContentAction[],
): MessageState {
  let message = target;
  for (const action of pending) {
    if (actionTarget(action) !== target.hash) continue;
    const result = applyAction(message, action);
    if (result.applied) message = result.message;
  }
  return message;
}

/** A new message's state before any action. */
export function initialState(hash: string, author: string, content: ShownContent): MessageState {
  return { hash, author, content, editedAt: undefined, reactions: {}, applied: [] };
}

function edited(content: ShownContent, text: string): ShownContent {
  if (content.type === 'reply') return { ...content, text };
  return { type: 'text', text };
}

function react(
  reactions: Readonly<Record<string, readonly string[]>>,
  author: string,
  emoji: string,
  remove: boolean,
): Readonly<Record<string, readonly string[]>> {
  const others = (reactions[emoji] ?? []).filter((account) => account !== author);
  const accounts = remove ? others : [...others, author].sort();
  const next = Object.entries(reactions).filter(([key]) => key !== emoji);
  if (accounts.length > 0) next.push([emoji, accounts]);
  return Object.fromEntries(next);
}
