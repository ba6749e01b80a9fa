/**
 * What the person has read: per chat, the local id of the last message shown to them, kept in the
 * account's database (`web/read/<chat id>`). Unread counts are the others' messages after it.
 */
import type { ClientStore, StoredMessage } from '@parley/client';
import { fromUtf8, utf8 } from '@parley/core';

function readKey(chatId: string): string {
  return `web/read/${chatId}`;
}

/** The id of the last message read in a chat (0: none). */
export async function lastReadId(store: ClientStore, chatId: string): Promise<number> {
  const stored = await store.get(readKey(chatId));
  if (stored === undefined) return 0;
  const id = Number(fromUtf8(stored));
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

/** Records that messages up to `id` were read; never moves backwards. */
export async function markRead(store: ClientStore, chatId: string, id: number): Promise<void> {
  if (id <= (await lastReadId(store, chatId))) return;
  await store.put(readKey(chatId), utf8(String(id)));
}

/** How many of `messages` (newest last) are others' and newer than `lastRead`. */
export function countUnread(messages: readonly StoredMessage[], lastRead: number): number {
  return messages.filter((message) => !message.own && message.id > lastRead).length;
}
