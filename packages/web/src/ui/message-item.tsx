/** One message in the chat view: author, text, time, delivery state and a way to its proof. */
import type { InclusionStatus, StoredMessage } from '@parley/client';
import { DELIVERY_WORDS, deliveryState } from '../chats/delivery.js';
import { formatFullTime, formatTime, shortId } from './format.js';

/** Props of a message. */
export interface MessageItemProps {
  readonly message: StoredMessage;
  readonly inclusion: InclusionStatus | undefined;
  readonly showAuthor: boolean;
  readonly now: number;
  readonly onProof: (message: StoredMessage) => void;
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
      <p class="message-text">{message.text}</p>
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
