/** Naming one message of a chat: by its local id or by its entry hash. */
import type { ClientStore, StoredMessage } from '../store/client-store.js';

/** Names a message of a chat: its local id (`StoredMessage.id`) or its entry hash (hex). */
export type MessageRef = number | string;

/** The message of chat `chatId` that `ref` names, if stored. */
export async function messageOf(
  store: Pick<ClientStore, 'messages' | 'messageByHash'>,
  chatId: string,
  ref: MessageRef,
): Promise<StoredMessage | undefined> {
  if (typeof ref === 'string') return store.messageByHash(chatId, ref.toLowerCase());
  const [message] = await store.messages(chatId, { before: ref + 1, limit: 1 });
  return message?.id === ref ? message : undefined;
}
