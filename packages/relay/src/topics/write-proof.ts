/**
 * The write and cursor proofs of docs/spec/chats.md §Write keys as they arrive on the wire
 * (HTTP headers or body fields, WebSocket frame fields), and acknowledging with them.
 */
import { isInboxTopic, verifyCursor, type CryptoSuite, type WriteProof } from '@parley/core';
import type { Session } from '../auth/sessions.js';
import { RelayError } from '../errors.js';
import { decodeBase64Url } from '../http/wire.js';
import type { InboxQuotas } from '../limits/inbox-quota.js';
import type { TokenBuckets } from '../limits/token-bucket.js';
import { OWNER_READER } from '../store/sqlite-write-keys.js';
import type { TopicStore } from '../store/topic-store.js';
import { assertMayRead } from './accept-envelope.js';

/** What acknowledging uses. */
export interface AcknowledgeDependencies {
  readonly clock: () => number;
  readonly suite: CryptoSuite;
  readonly store: TopicStore;
  /** New cursor rows per account (docs/spec/relay-api.md §Acknowledging). */
  readonly cursorLimits: TokenBuckets;
  readonly inboxQuotas: InboxQuotas;
}

/**
 * Reads a write proof from `writer`, `sig` and `next` (base64url text); undefined if none of
 * them is given. @throws RelayError RELAY_WRITE_PROOF_INVALID | RELAY_BAD_ENCODING
 */
export function writeProofFrom(fields: {
  writer?: unknown;
  sig?: unknown;
  next?: unknown;
}): WriteProof | undefined {
  const { writer, sig, next } = fields;
  if (writer === undefined && sig === undefined && next === undefined) return undefined;
  if (
    typeof writer !== 'string' ||
    typeof sig !== 'string' ||
    (next !== undefined && typeof next !== 'string')
  ) {
    throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(writer and sig are base64url text)');
  }
  return {
    writer: decodeBase64Url(writer, 'writer', 32),
    sig: decodeBase64Url(sig, 'sig', 64),
    ...(next === undefined ? {} : { next: decodeBase64Url(next, 'next', 32) }),
  };
}

/**
 * Moves a cursor for `session`. On an inbox topic, only its owner, with no proof; on a shared
 * topic, a reader pseudonym with a cursor proof by the topic's current write key. A cursor the
 * topic does not have yet spends one token of the account's `cursorsPerMinute`.
 * @throws RelayError RELAY_FORBIDDEN | RELAY_WRITE_PROOF_INVALID | RELAY_WRITE_FORBIDDEN |
 *   RELAY_RATE_LIMITED | RELAY_BAD_ENCODING
 */
export async function acknowledgeTopic(
  deps: AcknowledgeDependencies,
  session: Session,
  topic: Uint8Array,
  seq: number,
  fields: { reader?: unknown; writer?: unknown; sig?: unknown },
): Promise<void> {
  assertMayRead(session, topic);
  const given =
    fields.reader !== undefined || fields.writer !== undefined || fields.sig !== undefined;
  if (isInboxTopic(topic)) {
    if (given) throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(an inbox cursor has no proof)');
    await deps.store.acknowledge(topic, OWNER_READER, seq, undefined, deps.clock());
    // The owner has read them: the senders' shares of the inbox are free again.
    deps.inboxQuotas.acknowledged(topic, seq);
    return;
  }
  const { reader, writer, sig } = fields;
  if (typeof reader !== 'string' || typeof writer !== 'string' || typeof sig !== 'string') {
    throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(a chat cursor needs reader, writer, sig)');
  }
  const readerId = decodeBase64Url(reader, 'reader', 32);
  const writerKey = decodeBase64Url(writer, 'writer', 32);
  const signature = decodeBase64Url(sig, 'sig', 64);
  const verified = await verifyCursor(
    deps.suite,
    writerKey,
    { topic, reader: readerId, seq },
    signature,
  );
  if (!verified.ok) throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(bad cursor signature)');
  if ((await deps.store.acknowledgedSeq(topic, readerId)) === undefined) {
    deps.cursorLimits.spend(session.account, deps.clock());
  }
  const outcome = await deps.store.acknowledge(topic, readerId, seq, writerKey, deps.clock());
  if (outcome === 'not-a-writer') throw new RelayError('RELAY_WRITE_FORBIDDEN');
}
