/** The list of chats: name, latest message, unread count; selecting one opens it. */
import type { ChatSummary } from '@parley/client';
import { shownText } from '../chats/shown-text.js';
import { formatFullTime, formatTime, shortId } from './format.js';
import type { ChatListItem } from './use-chat-list.js';

/** Props of the chat list. */
export interface ChatListProps {
  readonly accountId: string;
  readonly items: readonly ChatListItem[] | undefined;
  readonly selected: string | undefined;
  readonly now: number;
  readonly onSelect: (chatId: string) => void;
}

/** A chat's display name: the peer's short id for a pair chat, the group's name otherwise. */
export function chatTitle(summary: Pick<ChatSummary, 'kind' | 'name'>): string {
  return summary.kind === 'pair' ? shortId(summary.name) : summary.name;
}

/** The chats, or what to do when there are none. */
export function ChatList(props: ChatListProps) {
  if (props.items === undefined) return <p class="hint">Loading chats…</p>;
  if (props.items.length === 0) {
    return (
      <p class="hint empty">
        No chats yet. Start one with someone's account id, or share yours from “Your account”.
      </p>
    );
  }
  return (
    <ul class="chat-list">
      {props.items.map(({ summary, unread }) => {
        const last = summary.lastMessage;
        const preview =
          last === undefined
            ? summary.status === 'active'
              ? 'No messages yet'
              : ''
            : `${last.own ? 'You: ' : summary.kind === 'group' ? `${shortId(last.author)}: ` : ''}${shownText(last)}`;
        const status =
          summary.status === 'left' ? ' (left)' : summary.status === 'removed' ? ' (removed)' : '';
        const title = chatTitle(summary);
        return (
          <li key={summary.id}>
            <button
              type="button"
              class="chat-item"
              aria-current={props.selected === summary.id ? 'true' : undefined}
              onClick={() => {
                props.onSelect(summary.id);
              }}
            >
              <span class="chat-item-top">
                <span class="chat-name" title={summary.kind === 'pair' ? summary.name : undefined}>
                  <span class="visually-hidden">
                    {summary.kind === 'group' ? 'Group ' : 'Chat with '}
                  </span>
                  {title}
                  {status}
                </span>
                {last !== undefined && (
                  <time
                    class="chat-time"
                    dateTime={new Date(last.sentAt).toISOString()}
                    title={formatFullTime(last.sentAt)}
                  >
                    {formatTime(last.sentAt, props.now)}
                  </time>
                )}
              </span>
              <span class="chat-item-bottom">
                <span class="chat-preview">{preview}</span>
                {unread > 0 && (
                  <span class="badge">
                    {unread > 99 ? '99+' : unread}
                    <span class="visually-hidden"> unread</span>
                  </span>
                )}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
