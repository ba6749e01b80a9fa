/** Summaries of the chats on this device, for lists. */
import type { MlsContext } from '@parley/core';
import type { ClientStore } from '../store/client-store.js';
import type { ChatSummary } from './chat-operations.js';
import { groupStateOf, listChatIds, loadChat, membersOf } from './records.js';

/** One summary per chat held, in id order, each with its last message. */
export async function listChats(store: ClientStore, mls: MlsContext): Promise<ChatSummary[]> {
  const summaries: ChatSummary[] = [];
  for (const id of await listChatIds(store)) {
    const chat = await loadChat(store, id);
    if (chat === undefined) continue;
    const [lastMessage] = await store.messages(id, { limit: 1 });
    summaries.push({
      id,
      kind: chat.kind,
      name: chat.name,
      status: chat.status,
      members: membersOf(groupStateOf(chat, mls)).map((member) => member.account),
      lastMessage,
    });
  }
  return summaries;
}
