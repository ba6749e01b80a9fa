/** Inbox topics: the one topic per account where invitations (MLS Welcomes) are delivered. */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../bytes.js';
import type { AccountId } from '../identity/account-id.js';
import { asTopic, type Topic } from './envelope.js';

const INBOX_LABEL = utf8('parley/inbox/v1\u0000');

/** The inbox topic of an account: SHA-256("parley/inbox/v1" || 0x00 || accountId). */
export function inboxTopic(accountId: AccountId): Topic {
  return asTopic(sha256(concatBytes(INBOX_LABEL, utf8(accountId))));
}
