import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../bytes.js';
import { accountIdFromPublicKey } from '../identity/account-id.js';
import {
  INBOX_TOPIC_TAG,
  SHARED_TOPIC_TAG,
  inboxTopic,
  isInboxOf,
  isInboxTopic,
  newSharedTopic,
} from './inbox.js';

const alice = accountIdFromPublicKey(new Uint8Array(32).fill(1));
const bob = accountIdFromPublicKey(new Uint8Array(32).fill(2));

describe('topic namespaces', () => {
  it('derives an inbox topic as 0x01 then 31 bytes of SHA-256 over the label and account id', () => {
    const expected = concatBytes(
      new Uint8Array([0x01]),
      sha256(concatBytes(utf8('parley/inbox/v1\u0000'), utf8(alice))).subarray(0, 31),
    );
    expect(inboxTopic(alice)).toEqual(expected);
    expect(inboxTopic(alice)[0]).toBe(INBOX_TOPIC_TAG);
  });

  it('tells an account’s inbox from another’s and from shared topics', () => {
    expect(isInboxOf(inboxTopic(alice), alice)).toBe(true);
    expect(isInboxOf(inboxTopic(alice), bob)).toBe(false);
    expect(isInboxTopic(inboxTopic(bob))).toBe(true);
    const shared = newSharedTopic((n) => new Uint8Array(n).fill(0xff));
    expect(shared[0]).toBe(SHARED_TOPIC_TAG);
    expect(shared.length).toBe(32);
    expect(isInboxTopic(shared)).toBe(false);
    expect(isInboxTopic(new Uint8Array(31).fill(1))).toBe(false);
  });
});
