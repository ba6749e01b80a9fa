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
const HASH = 'ab'.repeat(32);
const message = { chatId: 'chat-1', id: 1, hash: HASH } as StoredMessage;

function operations() {
  const calls: unknown[][] = [];
  const listeners: ((event: ClientEvents['message']) => void)[] = [];
  const changeListeners: ((event: ClientEvents['message-changed']) => void)[] = [];
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
    sendContent: (id, content, options) => {
      calls.push(['sendContent', id, content, ...(options === undefined ? [] : [options])]);
      return Promise.resolve(message);
    },
    message: (id, ref) =>
      Promise.resolve(id === 'chat-1' && (ref === 1 || ref === HASH) ? message : undefined),
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
    onMessageChanged: (handler) => {
      changeListeners.push(handler);
      return () => changeListeners.splice(changeListeners.indexOf(handler), 1);
    },
  };
  return { ops, calls, listeners, changeListeners };
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

  it('names the target of a reply or an action by its entry hash, from a local id or a hash', async () => {
    const { ops, calls } = operations();
    const chat = new Chat(ops, 'chat-1');
    const to = Uint8Array.from(Buffer.from(HASH, 'hex'));
    await chat.reply(1, 'yes');
    await chat.react(HASH, '👍');
    await chat.unreact(1, '👍');
    await chat.edit(1, 'fixed');
    await chat.delete(HASH);
    await chat.unsafeSendContent({ type: 'text', text: 'raw' });
    expect(calls).toEqual([
      ['sendContent', 'chat-1', { type: 'reply', to, text: 'yes' }],
      ['sendContent', 'chat-1', { type: 'reaction', to, emoji: '👍', remove: false }],
      ['sendContent', 'chat-1', { type: 'reaction', to, emoji: '👍', remove: true }],
      ['sendContent', 'chat-1', { type: 'edit', to, text: 'fixed' }],
      ['sendContent', 'chat-1', { type: 'delete', to }],
      ['sendContent', 'chat-1', { type: 'text', text: 'raw' }, { unchecked: true }],
    ]);
  });

  it('refuses an action on a message it does not hold (CLIENT_MESSAGE_NOT_FOUND)', async () => {
    const { ops, calls } = operations();
    const chat = new Chat(ops, 'chat-1');
    await expect(chat.reply(2, 'no')).rejects.toMatchObject({ code: 'CLIENT_MESSAGE_NOT_FOUND' });
    await expect(chat.delete('cd'.repeat(32))).rejects.toMatchObject({
      code: 'CLIENT_MESSAGE_NOT_FOUND',
    });
    expect(calls).toEqual([]);
  });

  it('hears changes to the messages of its own chat only', () => {
    const { ops, changeListeners } = operations();
    const heard: StoredMessage[] = [];
    const stop = new Chat(ops, 'chat-1').onMessageChanged((m) => heard.push(m));
    for (const listener of [...changeListeners]) {
      listener({ chatId: 'chat-2', message: { chatId: 'chat-2', id: 3 } as StoredMessage });
      listener({ chatId: 'chat-1', message });
    }
    expect(heard).toEqual([message]);
    stop();
    expect(changeListeners).toHaveLength(0);
  });
});
