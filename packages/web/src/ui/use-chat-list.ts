/** The chat list's data: every chat with its latest message and unread count, kept current. */
import type { ChatSummary, ClientEvents } from '@parley/client';
import { useState } from 'preact/hooks';
import { countUnread, lastReadId } from '../chats/read-state.js';
import type { Session } from '../session/session.js';
import { useReloadOn } from './use-client-event.js';

/** One row of the chat list. */
export interface ChatListItem {
  readonly summary: ChatSummary;
  readonly unread: number;
}

/** How many recent messages are looked at to count unread ones (the badge shows 99+ beyond). */
const UNREAD_WINDOW = 100;

const EVENTS: readonly (keyof ClientEvents)[] = ['message', 'sent', 'members-changed', 'invited'];

/** The chats, newest activity first; undefined while loading. `reload` refreshes on demand. */
export function useChatList(session: Session): {
  items: readonly ChatListItem[] | undefined;
  reload: () => void;
} {
  const [items, setItems] = useState<readonly ChatListItem[]>();
  const reload = useReloadOn(
    session.client,
    EVENTS,
    async () => {
      const summaries = await session.client.chats.list();
      const loaded: ChatListItem[] = [];
      for (const summary of summaries) {
        const lastRead = await lastReadId(session.store, summary.id);
        const latest = summary.lastMessage;
        const unread =
          latest === undefined || latest.id <= lastRead
            ? 0
            : countUnread(
                await (
                  await session.client.chats.get(summary.id)
                ).history({
                  limit: UNREAD_WINDOW,
                }),
                lastRead,
              );
        loaded.push({ summary, unread });
      }
      setItems(loaded);
    },
    [session],
  );
  return { items, reload };
}
