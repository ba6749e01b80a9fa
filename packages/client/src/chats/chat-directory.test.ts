/**
 * The chat directory lists chats newest message first, creates pair and group chats through the
 * client, and hands out a Chat only for a chat that exists (a fake of the chat operations).
 */
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import type { StoredMessage } from '../store/client-store.js';
import { ChatDirectory } from './chat-directory.js';
import type { ChatOperations, ChatSummary } from './chat-operations.js';
import type { ChatRecord } from './records.js';

const summary = (id: string, sentAt: number | undefined): ChatSummary => ({
  id,
  kind: 'group',
  name: id,
  status: 'active',
  members: [],
  lastMessage: sentAt === undefined ? undefined : ({ sentAt } as StoredMessage),
});

function operations(existing: string[], summaries: ChatSummary[] = []) {
  const created: [string, string, readonly string[]][] = [];
  const ops = {
    chatRecord: (id: string) =>
      existing.includes(id)
        ? Promise.resolve({ id } as ChatRecord)
        : Promise.reject(new ClientError('CLIENT_CHAT_NOT_FOUND')),
    listChats: () => Promise.resolve([...summaries]),
    createChat: (kind: 'pair' | 'group', name: string, members: readonly string[]) => {
      created.push([kind, name, members]);
      existing.push(`new-${created.length}`);
      return Promise.resolve(`new-${created.length}`);
    },
  } as Partial<ChatOperations> as ChatOperations;
  return { ops, created };
}

describe('ChatDirectory', () => {
  it('lists chats newest message first, chats without messages last', async () => {
    const { ops } = operations([], [summary('a', 5), summary('b', undefined), summary('c', 9)]);
    expect((await new ChatDirectory(ops).list()).map((s) => s.id)).toEqual(['c', 'a', 'b']);
  });

  it('opens a pair chat with the peer as its name and only member invited', async () => {
    const { ops, created } = operations([]);
    const chat = await new ChatDirectory(ops).openPair('bob');
    expect(chat.id).toBe('new-1');
    expect(created).toEqual([['pair', 'bob', ['bob']]]);
  });

  it('creates a group chat with its name and members', async () => {
    const { ops, created } = operations([]);
    await new ChatDirectory(ops).createGroup({ name: 'team', members: ['bob', 'carol'] });
    expect(created).toEqual([['group', 'team', ['bob', 'carol']]]);
  });

  it('throws CLIENT_CHAT_NOT_FOUND for a chat that does not exist', async () => {
    const { ops } = operations(['known']);
    const directory = new ChatDirectory(ops);
    expect((await directory.get('known')).id).toBe('known');
    await expect(directory.get('unknown')).rejects.toMatchObject({ code: 'CLIENT_CHAT_NOT_FOUND' });
  });
});
