/**
 * Content types between real clients on a real relay: a reply, reactions taken and taken back,
 * an edit, a delete, a non-author's edit refused (locally, and by receivers when a misbehaving
 * client sends it anyway), an unknown content type from a newer client kept as "unsupported"
 * and still verifying; after a restart of the receiving client everything reads back the same.
 */
import { decodeContent, encodeCanonical, fromHex } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import { isClientError, type StoredMessage } from '../../src/index.js';
import {
  cleanupClients,
  closeClient,
  eventually,
  fullHistory,
  openClient,
  record,
} from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

/** The parts of a message that content actions change, for comparing two devices' views. */
const view = (messages: readonly StoredMessage[]) =>
  messages.map(({ author, hash, content, editedAt, reactions }) => ({
    author,
    hash,
    content,
    editedAt,
    reactions,
  }));

describe('content types', () => {
  it('replies, reacts, edits and deletes; refuses a non-author edit; keeps an unknown type; survives a restart', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const aliceChat = await alice.client.chats.openPair(bob.client.accountId);
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(aliceChat.id);

    const question = await aliceChat.send('lunch today?');
    const typo = await aliceChat.send('at noom');
    const secret = await aliceChat.send('not for the record');
    expect(question.hash).toMatch(/^[0-9a-f]{64}$/);
    await bob.client.sync();
    const answer = await bobChat.reply(question.hash ?? '', 'yes, at one');
    expect(answer.content).toEqual({
      type: 'reply',
      to: fromHex(question.hash ?? ''),
      text: 'yes, at one',
    });
    expect((await bobChat.react(question.id, '👍')).reactions).toEqual({
      '👍': [bob.client.accountId],
    });
    await bobChat.react(question.id, '🎉');
    await bobChat.unreact(question.id, '🎉');

    // Bob may not edit or delete Alice's message: refused before anything is sent.
    await expect(bobChat.edit(typo.id, 'at noon')).rejects.toSatisfy((e) =>
      isClientError(e, 'CLIENT_NOT_MESSAGE_AUTHOR'),
    );
    await expect(bobChat.delete(typo.id)).rejects.toSatisfy((e) =>
      isClientError(e, 'CLIENT_NOT_MESSAGE_AUTHOR'),
    );
    // A misbehaving client sends such an edit anyway: Alice does not apply it.
    await bobChat.unsafeSendContent({
      type: 'edit',
      to: fromHex(typo.hash ?? ''),
      text: 'hijacked',
    });

    const changed = record(bob.client, 'message-changed');
    await alice.client.sync();
    expect((await aliceChat.edit(typo.id, 'at noon')).editedAt).toBeDefined();
    expect((await aliceChat.delete(secret.id)).content).toEqual({ type: 'deleted' });
    // A newer client's content type this version does not read.
    const sticker = decodeContent(encodeCanonical({ type: 'sticker', pack: 'cats', n: 4 }));
    if (sticker.type !== 'unsupported') throw new Error('a sticker should be unknown here');
    await aliceChat.unsafeSendContent(sticker);

    const bobHistory = await eventually(
      async () => {
        await bob.client.sync();
        return fullHistory(bobChat);
      },
      (messages) => messages.length === 5 && changed.length >= 2,
    );
    expect(bobHistory.map((m) => m.content.type)).toEqual([
      'text',
      'text',
      'deleted',
      'reply',
      'unsupported',
    ]);
    const [q, edited, deleted, , unknown] = bobHistory;
    expect(q?.reactions).toEqual({ '👍': [bob.client.accountId] });
    expect(edited).toMatchObject({ content: { type: 'text', text: 'at noon' } });
    expect(edited?.editedAt).toBeDefined();
    expect(deleted).toMatchObject({ content: { type: 'deleted' }, reactions: {} });
    expect(unknown?.content).toMatchObject({ type: 'unsupported', originalType: 'sticker' });
    expect(changed.map((event) => event.message.id).sort()).toEqual([2, 3]);

    const aliceHistory = await eventually(
      async () => {
        await alice.client.sync();
        return fullHistory(aliceChat);
      },
      (messages) => messages.length === 5 && messages[0]?.reactions['👍'] !== undefined,
    );
    expect(aliceHistory[1]?.content).toEqual({ type: 'text', text: 'at noon' });
    expect(view(aliceHistory)).toEqual(view(bobHistory));

    // Every entry, the unknown one included, verifies.
    const report = await bobChat.verify();
    expect(report.ok).toBe(true);
    expect(report.history.problems).toEqual([]);

    // Bob's device restarts: a new Client on the same store reads back the same history.
    await closeClient(bob);
    const again = await openClient({
      relayUrl: relay.url,
      identity: bob.identity,
      path: bob.path,
    });
    const reopened = await again.client.chats.get(aliceChat.id);
    expect(await fullHistory(reopened)).toEqual(bobHistory);
    expect((await reopened.verify()).ok).toBe(true);
  });
});
