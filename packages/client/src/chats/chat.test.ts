/**
 * A Chat handle reads its chat from the client and forwards each operation with its own id;
 * its message listener hears only its own chat (a fake of the client's chat operations).
 */
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import type { ClientEvents } from '../events.js';
import type { StoredMessage } from '../store/client-store.js';
import { Chat } from './chat.js';
import type { ChatOperations } from './chat-operations.js';
import type { ChatRecord } from './records.js';

const record = {
  id: 'chat-1',
  name: 'friends',
  kind: 'group',
  status: 'active',
} as ChatRecord;
const message = { chatId: 'chat-1', id: 1 } as StoredMessage;

function operations() {
  const calls: unknown[][] = [];
  const listeners: ((event: ClientEvents['message']) => void)[] = [];
  const recorded =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
      return Promise.resolve(undefined as never);
    };
  const ops: ChatOperations = {
    chatRecord: (id) =>
      id === record.id
        ? Promise.resolve(record)
        : Promise.reject(new ClientError('CLIENT_CHAT_NOT_FOUND')),
    members: () =>
      [
        { account: 'alice', devices: [] },
        { account: 'bob', devices: [] },
      ] as unknown as ReturnType<ChatOperations['members']>,
    history: recorded('history'),
    createChat: recorded('createChat'),
    listChats: recorded('listChats'),
    send: (id, text) => {
      calls.push(['send', id, text]);
      return Promise.resolve(message);
    },
    addMember: recorded('addMember'),
    removeMember: recorded('removeMember'),
    leave: recorded('leave'),
    verify: recorded('verify'),
    exportTranscript: recorded('exportTranscript'),
    messageProof: recorded('messageProof'),
    onMessage: (handler) => {
      listeners.push(handler);
      return () => listeners.splice(listeners.indexOf(handler), 1);
    },
  };
  return { ops, calls, listeners };
}

describe('Chat', () => {
  it('tells its name, kind and status from the chat record', async () => {
    const { ops } = operations();
    expect(await new Chat(ops, 'chat-1').info()).toEqual({
      name: 'friends',
      kind: 'group',
      status: 'active',
    });
  });

  it('lists the accounts of its members', async () => {
    const { ops } = operations();
    expect(await new Chat(ops, 'chat-1').members()).toEqual(['alice', 'bob']);
  });

  it('forwards every operation with its own id', async () => {
    const { ops, calls } = operations();
    const chat = new Chat(ops, 'chat-1');
    expect(await chat.send('hi')).toBe(message);
    await chat.history({ limit: 5 });
    await chat.addMember('carol');
    await chat.removeMember('bob');
    await chat.leave();
    await chat.verify();
    await chat.export();
    await chat.proof('cid');
    expect(calls).toEqual([
      ['send', 'chat-1', 'hi'],
      ['history', 'chat-1', { limit: 5 }],
      ['addMember', 'chat-1', 'carol'],
      ['removeMember', 'chat-1', 'bob'],
      ['leave', 'chat-1'],
      ['verify', 'chat-1'],
      ['exportTranscript', 'chat-1'],
      ['messageProof', 'chat-1', 'cid'],
    ]);
  });

  it('hears the messages of its own chat only, until it stops listening', () => {
    const { ops, listeners } = operations();
    const heard: StoredMessage[] = [];
    const stop = new Chat(ops, 'chat-1').onMessage((m) => heard.push(m));
    const other = { chatId: 'chat-2', id: 9 } as StoredMessage;
    for (const listener of [...listeners]) {
      listener({ chatId: 'chat-2', message: other });
      listener({ chatId: 'chat-1', message });
    }
    expect(heard).toEqual([message]);
    stop();
    expect(listeners).toHaveLength(0);
  });
});
