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
}

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
      </span>
    </li>
  );
}
