import { fromHex } from '@parley/core';
import { describe, expect, it } from 'vitest';

import { type ContentAction, applyAction, applyPending, initialState } from './apply-content.js';

const HASH = 'aa'.repeat(32);
const target = initialState(HASH, 'alice', { type: 'text', text: 'hello' });

function action(
  hash: string,
  author: string,
  sentAt: number,
  content: ContentAction['content'],
): ContentAction {
  return { hash, author, sentAt, content };
}
const to = fromHex(HASH);

describe('applyAction', () => {
  it('adds one reaction per (author, emoji) and takes it back with remove', () => {
    const a = applyAction(
      target,
      action('01', 'bob', 1, { type: 'reaction', to, emoji: '👍', remove: false }),
    );
    if (!a.applied) throw new Error(a.reason);
    const b = applyAction(
      a.message,
      action('02', 'bob', 2, { type: 'reaction', to, emoji: '👍', remove: false }),
    );
    if (!b.applied) throw new Error(b.reason);
    const c = applyAction(
      b.message,
      action('03', 'carol', 3, { type: 'reaction', to, emoji: '👍', remove: false }),
    );
    if (!c.applied) throw new Error(c.reason);
    expect(c.message.reactions).toEqual({ '👍': ['bob', 'carol'] });
    const d = applyAction(
      c.message,
      action('04', 'bob', 4, { type: 'reaction', to, emoji: '👍', remove: true }),
    );
    if (!d.applied) throw new Error(d.reason);
    expect(d.message.reactions).toEqual({ '👍': ['carol'] });
  });

  it("applies the author's edit and keeps a reply's target", () => {
    const reply = initialState(HASH, 'alice', {
      type: 'reply',
      to: fromHex('bb'.repeat(32)),
      text: 'hi',
    });
    const result = applyAction(reply, action('01', 'alice', 5, { type: 'edit', to, text: 'hey' }));
    if (!result.applied) throw new Error(result.reason);
    expect(result.message.content).toEqual({
      type: 'reply',
      to: fromHex('bb'.repeat(32)),
      text: 'hey',
    });
    expect(result.message.editedAt).toBe(5);
  });

  it('refuses edits and deletes by anyone but the author', () => {
    expect(applyAction(target, action('01', 'bob', 1, { type: 'edit', to, text: 'x' }))).toEqual({
      applied: false,
      reason: 'not-author',
    });
    expect(applyAction(target, action('02', 'bob', 1, { type: 'delete', to }))).toEqual({
      applied: false,
      reason: 'not-author',
    });
  });

  it('keeps the latest edit whatever the arrival order', () => {
    const late = applyAction(
      target,
      action('02', 'alice', 9, { type: 'edit', to, text: 'second' }),
    );
    if (!late.applied) throw new Error(late.reason);
    const early = applyAction(
      late.message,
      action('01', 'alice', 3, { type: 'edit', to, text: 'first' }),
    );
    expect(early).toEqual({ applied: false, reason: 'older-edit' });
    expect(late.message.content).toEqual({ type: 'text', text: 'second' });
  });

  it('turns a delete into a tombstone that takes no further action', () => {
    const reacted = applyPending(target, [
      action('01', 'bob', 1, { type: 'reaction', to, emoji: '🎉', remove: false }),
    ]);
    const deleted = applyAction(reacted, action('02', 'alice', 2, { type: 'delete', to }));
    if (!deleted.applied) throw new Error(deleted.reason);
    expect(deleted.message.content).toEqual({ type: 'deleted' });
    expect(deleted.message.reactions).toEqual({});
    expect(
      applyAction(deleted.message, action('03', 'alice', 3, { type: 'edit', to, text: 'back' })),
    ).toEqual({
      applied: false,
      reason: 'deleted',
    });
  });

  it('changes nothing when the same entry is applied twice', () => {
    const once = applyAction(
      target,
      action('01', 'bob', 1, { type: 'reaction', to, emoji: '👍', remove: false }),
    );
    if (!once.applied) throw new Error(once.reason);
    const toggled = applyAction(
      once.message,
      action('02', 'bob', 2, { type: 'reaction', to, emoji: '👍', remove: true }),
    );
    if (!toggled.applied) throw new Error(toggled.reason);
    const replay = applyAction(
      toggled.message,
      action('01', 'bob', 1, { type: 'reaction', to, emoji: '👍', remove: false }),
    );
    expect(replay).toEqual({ applied: false, reason: 'duplicate' });
  });
});

describe('applyPending', () => {
  it('applies actions that arrived before their target, skipping other targets and refusals', () => {
    const other = fromHex('cc'.repeat(32));
    const message = applyPending(target, [
      action('01', 'bob', 1, { type: 'reaction', to, emoji: '❤️', remove: false }),
      action('02', 'bob', 2, { type: 'edit', to, text: 'not yours' }),
      action('03', 'alice', 3, { type: 'edit', to, text: 'edited' }),
      action('04', 'alice', 4, { type: 'delete', to: other }),
    ]);
    expect(message.content).toEqual({ type: 'text', text: 'edited' });
    expect(message.reactions).toEqual({ '❤️': ['bob'] });
    expect(message.applied).toEqual(['01', '03']);
  });
});
