/**
 * An open chat's data, kept live from the SDK's events: its messages (newest last) with their
 * delivery states, its name, kind, status and members. Opening it marks its messages read.
 */
import type { Chat, ChatKind, InclusionStatus, StoredMessage } from '@parley/client';
import { useEffect, useState } from 'preact/hooks';
import { markRead } from '../chats/read-state.js';
import type { Session } from '../session/session.js';
import { useClientEvent, useReloadOn } from './use-client-event.js';

/** How many messages an open chat shows (the latest). */
const HISTORY_LIMIT = 500;

/** What the chat view renders. */
export interface OpenChat {
  readonly chat: Chat;
  readonly info: { name: string; kind: ChatKind; status: 'active' | 'removed' | 'left' };
  readonly members: readonly string[];
  readonly messages: readonly StoredMessage[];
  /** Log inclusion by envelope CID, for messages whose envelope is tracked. */
  readonly inclusions: ReadonlyMap<string, InclusionStatus>;
}

/** Loads and follows one chat; undefined while loading. */
export function useChat(
  session: Session,
  chatId: string,
  onRead: () => void,
): OpenChat | undefined {
  const { client, store } = session;
  const [open, setOpen] = useState<OpenChat>();
  useEffect(() => {
    setOpen(undefined);
  }, [chatId]);

  useReloadOn(
    client,
    ['message', 'message-changed', 'sent', 'members-changed', 'invited'],
    async () => {
      const chat = await client.chats.get(chatId);
      const [info, members, messages] = await Promise.all([
        chat.info(),
        chat.members(),
        chat.history({ limit: HISTORY_LIMIT }),
      ]);
      const inclusions = new Map<string, InclusionStatus>();
      for (const message of messages) {
        if (message.cid !== undefined && message.status === 'sent') {
          inclusions.set(message.cid, await client.inclusion(message.cid));
        }
      }
      setOpen({ chat, info, members, messages, inclusions });
      const last = messages.at(-1);
      if (last !== undefined) {
        await markRead(store, chatId, last.id);
        onRead();
      }
    },
    [chatId],
    (eventChat) => eventChat === undefined || eventChat === chatId,
  );

  // Inclusion arrives on its own (a checkpoint covered the envelope): update in place.
  useClientEvent(client, 'included', (event) => {
    if (event.chatId !== chatId) return;
    setOpen((current) => {
      if (current === undefined) return current;
      const inclusions = new Map(current.inclusions);
      inclusions.set(event.cid, {
        state: 'included',
        leafIndex: event.leafIndex,
        size: event.size,
      });
      return { ...current, inclusions };
    });
  });
  return open;
}
