/** One message in the chat view: author, text, time, delivery state and a way to its proof. */
import type { InclusionStatus, StoredMessage } from '@parley/client';
import { DELIVERY_WORDS, deliveryState } from '../chats/delivery.js';
import { shownText } from '../chats/shown-text.js';
import { formatFullTime, formatTime, shortId } from './format.js';

/** Props of a message. */
export interface MessageItemProps {
  readonly message: StoredMessage;
  readonly inclusion: InclusionStatus | undefined;
  readonly showAuthor: boolean;
  readonly now: number;
  readonly onProof: (message: StoredMessage) => void;
  /** The message a reply answers, if it is among those shown. */
  readonly quoted?: StoredMessage | undefined;
  /** What the person can do with the message; absent where the chat is closed. */
  readonly actions?: MessageActions | undefined;
}

/** Reply, react, edit, delete: what the message's buttons ask the chat view to do. */
export interface MessageActions {
  /** This account, to tell its own reactions. */
  readonly self: string;
  readonly onReply: (message: StoredMessage) => void;
  readonly onReact: (message: StoredMessage, emoji: string, remove: boolean) => void;
  readonly onEdit: (message: StoredMessage) => void;
  readonly onDelete: (message: StoredMessage) => void;
}

/** The emoji of the react button. */
const LIKE = '👍';

/** "Replying to …": the start of the message a reply answers, when shown. */
function quoteOf(quoted: StoredMessage | undefined): string {
  if (quoted === undefined) return 'Reply to an earlier message';
  const text = shownText(quoted);
  return `Reply to ${quoted.own ? 'you' : shortId(quoted.author)}: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
}

/** A message as a list item. */
export function MessageItem(props: MessageItemProps) {
  const { message } = props;
  const state = deliveryState(message, props.inclusion);
  const words = DELIVERY_WORDS[state];
  const author = message.own ? 'You' : shortId(message.author);
  return (
    <li class={`message ${message.own ? 'own' : 'theirs'}`} data-state={state} data-id={message.id}>
      {(props.showAuthor || message.own) && (
        <span class={message.own ? 'visually-hidden' : 'message-author'} title={message.author}>
          {author}
          <span class="visually-hidden">: </span>
        </span>
      )}
      {message.content.type === 'reply' && <p class="message-quote">{quoteOf(props.quoted)}</p>}
      <p class="message-text" data-content={message.content.type}>
        {shownText(message)}
        {message.editedAt !== undefined && <span class="message-edited"> (edited)</span>}
      </p>
      {Object.keys(message.reactions).length > 0 && (
        <p class="message-reactions">
          {Object.entries(message.reactions).map(([emoji, accounts]) => (
            <span key={emoji} class="reaction" title={accounts.map(shortId).join(', ')}>
              {emoji} {accounts.length}
            </span>
          ))}
        </p>
      )}
      <span class="message-meta">
        <time
          dateTime={new Date(message.sentAt).toISOString()}
          title={formatFullTime(message.sentAt)}
        >
          {formatTime(message.sentAt, props.now)}
        </time>
        {state !== 'received' && (
          <span class="delivery" data-delivery={state} title={words.sentence}>
            <span aria-hidden="true" class="delivery-icon" />
            {words.label}
            <span class="visually-hidden">: {words.sentence}</span>
          </span>
        )}
        <button
          type="button"
          class="link proof-button"
          onClick={() => {
            props.onProof(message);
          }}
        >
          Details<span class="visually-hidden"> of this message</span>
        </button>
        {props.actions !== undefined && message.content.type !== 'deleted' && (
          <ActionButtons message={message} actions={props.actions} />
        )}
      </span>
    </li>
  );
}

/** The reply, like, edit and delete buttons of a message (edit and delete on own ones only). */
function ActionButtons(props: { message: StoredMessage; actions: MessageActions }) {
  const { message, actions } = props;
  const liked = message.reactions[LIKE]?.includes(actions.self) === true;
  const editable = message.own && message.content.type !== 'unsupported';
  return (
    <>
      <button
        type="button"
        class="link"
        onClick={() => {
          actions.onReply(message);
        }}
      >
        Reply
      </button>
      <button
        type="button"
        class="link"
        aria-pressed={liked}
        onClick={() => {
          actions.onReact(message, LIKE, liked);
        }}
      >
        {LIKE}
        <span class="visually-hidden"> Like</span>
      </button>
      {editable && (
        <button
          type="button"
          class="link"
          onClick={() => {
            actions.onEdit(message);
          }}
        >
          Edit
        </button>
      )}
      {message.own && (
        <button
          type="button"
          class="link"
          onClick={() => {
            actions.onDelete(message);
          }}
        >
          Delete
        </button>
      )}
    </>
  );
}
