import type { StoredMessage } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { deliveryState } from './delivery.js';

function message(status: StoredMessage['status']): StoredMessage {
  return {
    chatId: 'c',
    id: 1,
    author: 'a',
    hash: undefined,
    content: { type: 'text', text: 't' },
    editedAt: undefined,
    reactions: {},
    applied: [],
    sentAt: 0,
    own: status !== 'received',
    status,
    cid: status === 'queued' ? undefined : 'bafy',
    seq: status === 'queued' ? undefined : 1,
  };
}

describe('deliveryState', () => {
  it('shows a queued or refused message as such, whatever the log says', () => {
    expect(deliveryState(message('queued'), undefined)).toBe('queued');
    expect(deliveryState(message('failed'), { state: 'unknown' })).toBe('failed');
  });

  it('moves a sent message to included only once its envelope is proven in the log', () => {
    expect(deliveryState(message('sent'), undefined)).toBe('sent');
    expect(deliveryState(message('sent'), { state: 'pending', leafIndex: 3 })).toBe('sent');
    expect(deliveryState(message('sent'), { state: 'included', leafIndex: 3, size: 4 })).toBe(
      'included',
    );
  });

  it("shows others' messages as received", () => {
    expect(deliveryState(message('received'), { state: 'included', leafIndex: 1, size: 2 })).toBe(
      'received',
    );
  });
});
