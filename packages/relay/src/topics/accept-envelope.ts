/**
 * Accepting one envelope (docs/spec/relay-api.md §Publishing): size and shape, the write proof of
 * a shared topic, the inbox sender's share, then the group-committed append.
 */
import {
  checkEd25519PublicKey,
  decodeEnvelope,
  verifyWrite,
  type WriteProof,
  isCoreError,
  isInboxOf,
  isInboxTopic,
  readMlsHeader,
  type AccountId,
  type CryptoSuite,
} from '@parley/core';
import type { Session } from '../auth/sessions.js';
import type { RelayConfig } from '../config/config.js';
import { RelayError } from '../errors.js';
import type { InboxQuotas } from '../limits/inbox-quota.js';
import type { TokenBuckets } from '../limits/token-bucket.js';
import type { RelayMetrics } from '../ops/metrics.js';
import type { StoredReceipt } from '../store/topic-store.js';
import type { EnvelopeWriter } from './envelope-writer.js';

/** What accepting an envelope uses. */
export interface AcceptDependencies {
  readonly clock: () => number;
  readonly suite: CryptoSuite;
  readonly limits: RelayConfig['limits'];
  /** Envelopes per account (every session of an account shares one bucket). */
  readonly publishLimits: TokenBuckets;
  readonly inboxQuotas: InboxQuotas;
  readonly writer: EnvelopeWriter;
  readonly metrics: RelayMetrics;
}

/**
 * Validates, rate-limits and durably stores one envelope for `session`. A post to a shared topic
 * carries a write proof (docs/spec/chats.md §Write keys), checked here, outside the store's
 * transaction; the store then decides whether its key may write.
 * @throws RelayError RELAY_RATE_LIMITED | RELAY_PAYLOAD_TOO_LARGE | RELAY_ENVELOPE_INVALID |
 *   RELAY_WRITE_PROOF_INVALID | RELAY_WRITE_FORBIDDEN | RELAY_TOPIC_FULL | RELAY_COMMIT_CONFLICT |
 *   RELAY_INBOX_SENDER_QUOTA
 */
export async function acceptEnvelope(
  deps: AcceptDependencies,
  session: Session,
  bytes: Uint8Array,
  proof?: WriteProof,
): Promise<StoredReceipt> {
  deps.publishLimits.spend(session.account, deps.clock());
  let encoded;
  try {
    encoded = decodeEnvelope(bytes, { maxBytes: deps.limits.maxEnvelopeBytes });
  } catch (error) {
    if (isCoreError(error, 'CORE_ENVELOPE_TOO_LARGE')) {
      throw new RelayError(
        'RELAY_PAYLOAD_TOO_LARGE',
        `(envelope over ${deps.limits.maxEnvelopeBytes} bytes)`,
      );
    }
    if (isCoreError(error))
      throw new RelayError('RELAY_ENVELOPE_INVALID', `(${error.code})`, { cause: error });
    throw error;
  }
  const topic = encoded.envelope.topic;
  const commitEpoch = commitEpochOf(encoded.envelope.payload);
  if (isInboxTopic(topic)) {
    if (proof !== undefined)
      throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(inbox posts carry no write proof)');
  } else {
    if (proof === undefined)
      throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(a chat topic needs a write proof)');
    if ((commitEpoch !== undefined) !== (proof.next !== undefined)) {
      throw new RelayError(
        'RELAY_WRITE_PROOF_INVALID',
        '(a Commit, and only a Commit, names the next write key)',
      );
    }
    try {
      if (proof.next !== undefined) checkEd25519PublicKey(proof.next);
    } catch (cause) {
      throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(next is not a valid key)', { cause });
    }
    if (!(await verifyWrite(deps.suite, proof, topic, encoded.cid.bytes)).ok)
      throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(bad signature)');
  }
  // An inbox is written by strangers: each sender gets a share, so one cannot fill it for all.
  const reservation =
    isInboxTopic(topic) && !isInboxOf(topic, session.account as AccountId)
      ? deps.inboxQuotas.reserve(session.account, topic, encoded.bytes.length)
      : null;
  if (reservation === undefined) {
    throw new RelayError(
      'RELAY_INBOX_SENDER_QUOTA',
      `(${deps.limits.maxInboxBytesPerSender} bytes per sender until the owner acknowledges)`,
    );
  }
  let receipt;
  try {
    receipt = await deps.writer.append(
      encoded,
      commitEpoch,
      proof === undefined ? undefined : { writer: proof.writer, next: proof.next },
    );
  } catch (error) {
    reservation?.cancel();
    throw error;
  }
  if (receipt.duplicate) reservation?.cancel();
  else reservation?.stored(receipt.seq);
  deps.metrics.envelopesIn.inc({ duplicate: String(receipt.duplicate) });
  return receipt;
}

/**
 * The epoch of an MLS Commit carried in a payload, or undefined for anything else (application
 * messages, invitations, non-MLS payloads): only Commits are ordered per epoch.
 */
function commitEpochOf(payload: Uint8Array): number | undefined {
  let header;
  try {
    header = readMlsHeader(payload);
  } catch {
    return undefined;
  }
  if (!('contentType' in header) || header.contentType !== 'commit') return undefined;
  if (header.epoch > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RelayError('RELAY_ENVELOPE_INVALID', '(MLS epoch out of range)');
  }
  return Number(header.epoch);
}

/** Throws RELAY_FORBIDDEN if `topic` is in the inbox namespace but not the session's own inbox. */
export function assertMayRead(session: Session, topic: Uint8Array): void {
  if (isInboxTopic(topic) && !isInboxOf(topic, session.account as AccountId)) {
    throw new RelayError('RELAY_FORBIDDEN', '(only its account may read an inbox topic)');
  }
}
