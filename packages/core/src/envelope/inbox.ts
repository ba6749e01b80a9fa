/**
 * Topic namespaces (docs/spec/envelope.md §Topics). The first byte of a topic says what it is:
 * 0x01 marks an account's inbox, where invitations (MLS Welcomes) arrive; 0x00 marks a shared
 * topic (a chat). A relay can tell an inbox from any other topic without a lookup, and lets only
 * its account read it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, utf8 } from '../bytes.js';
import type { AccountId } from '../identity/account-id.js';
import type { RandomSource } from '../random.js';
import { asTopic, TOPIC_BYTES, type Topic } from './envelope.js';

/** First byte of every inbox topic. */
export const INBOX_TOPIC_TAG = 0x01;
/** First byte of every shared (chat) topic. */
export const SHARED_TOPIC_TAG = 0x00;

const INBOX_LABEL = utf8('parley/inbox/v1\u0000');

/** The inbox topic of an account: 0x01 || SHA-256("parley/inbox/v1" || 0x00 || accountId)[0..31]. */
export function inboxTopic(accountId: AccountId): Topic {
  const digest = sha256(concatBytes(INBOX_LABEL, utf8(accountId)));
  return asTopic(
    concatBytes(new Uint8Array([INBOX_TOPIC_TAG]), digest.subarray(0, TOPIC_BYTES - 1)),
  );
}

/** True if `topic` is in the inbox namespace (someone's inbox, or no one's). */
export function isInboxTopic(topic: Uint8Array): boolean {
  return topic.length === TOPIC_BYTES && topic[0] === INBOX_TOPIC_TAG;
}

/** True if `topic` is the inbox of `accountId`. */
export function isInboxOf(topic: Uint8Array, accountId: AccountId): boolean {
  return equalBytes(topic, inboxTopic(accountId));
}

/** A fresh shared topic: 0x00 then 31 random bytes (248 bits, unguessable). */
export function newSharedTopic(random: RandomSource): Topic {
  return asTopic(concatBytes(new Uint8Array([SHARED_TOPIC_TAG]), random(TOPIC_BYTES - 1)));
}
