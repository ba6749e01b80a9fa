/** Everything a route or socket handler needs, built once by createRelay. */
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
  type RandomSource,
} from '@parley/core';
import type { PeerErrorLog } from './http/error-mapping.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Allowlist } from './auth/allowlist.js';
import type { Challenges } from './auth/challenges.js';
import type { Session, Sessions } from './auth/sessions.js';
import type { Bus } from './bus/bus.js';
import type { RelayConfig } from './config/config.js';
import { RelayError } from './errors.js';
import type { ConnectionAdmission } from './limits/connection-admission.js';
import type { InboxQuotas } from './limits/inbox-quota.js';
import type { TokenBuckets } from './limits/token-bucket.js';
import type { Checkpointer } from './log/checkpointer.js';
import type { WireReceipt } from './log/receipts.js';
import type { RelayMetrics } from './ops/metrics.js';
import type { RelayStores } from './store/relay-stores.js';
import type { StoredReceipt } from './store/topic-store.js';
import type { EnvelopeWriter } from './topics/envelope-writer.js';

/** The relay's wiring, shared by its handlers. */
export interface RelayContext {
  readonly config: RelayConfig;
  readonly stores: RelayStores;
  readonly bus: Bus;
  readonly clock: () => number;
  readonly random: RandomSource;
  readonly suite: CryptoSuite;
  readonly relayId: string;
  readonly publicKey: Uint8Array;
  /** The relay's Ed25519 signing seed: signs receipts, checkpoints and cosignatures. */
  readonly signingSeed: Uint8Array;
  /** The log's origin (checkpoint first line and key name). */
  readonly logOrigin: string;
  readonly checkpointer: Checkpointer;
  readonly signReceipt: (receipt: StoredReceipt) => Promise<WireReceipt>;
  readonly sessions: Sessions;
  readonly challenges: Challenges;
  readonly allowlist: Allowlist;
  readonly writer: EnvelopeWriter;
  readonly metrics: RelayMetrics;
  /** Envelopes per account (every session of an account shares one bucket). */
  readonly publishLimits: TokenBuckets;
  /** KeyPackage claims per claiming account. */
  readonly claimLimits: TokenBuckets;
  /** New cursor rows per account (docs/spec/relay-api.md §Acknowledging). */
  readonly cursorLimits: TokenBuckets;
  /** One-time KeyPackages per (claimer, target) pair; beyond it the last resort is served. */
  readonly oneTimeClaimsPerPair: TokenBuckets;
  /** One-time KeyPackages per target account; beyond it the last resort is served. */
  readonly oneTimeClaimsPerTarget: TokenBuckets;
  /** Unauthenticated work (challenges, logins) per client address. */
  readonly addressLimits: TokenBuckets;
  readonly admission: ConnectionAdmission;
  readonly inboxQuotas: InboxQuotas;
  readonly log: FastifyBaseLogger;
  /** Where errors of a peer's request or frame are logged (client-caused ones within a budget). */
  readonly peerLog: PeerErrorLog;
  readonly state: { draining: boolean; connections: number };
}

/** Reads `Authorization: Bearer <token>` and resolves the session. @throws RELAY_UNAUTHENTICATED */
export function sessionFromHeader(ctx: RelayContext, header: string | undefined): Promise<Session> {
  const match = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(header ?? '');
  return ctx.sessions.authenticate(match?.[1], ctx.clock());
}

/**
 * Spends one token of `key` (an account id or a client address, never a session: sessions are
 * free to open). @throws RelayError RELAY_RATE_LIMITED with Retry-After if the bucket is empty
 */
export function spend(ctx: RelayContext, buckets: TokenBuckets, key: string): void {
  const waitMs = buckets.take(key, ctx.clock());
  if (waitMs > 0) {
    throw new RelayError('RELAY_RATE_LIMITED', undefined, {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }
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
  ctx: RelayContext,
  session: Session,
  bytes: Uint8Array,
  proof?: WriteProof,
): Promise<StoredReceipt> {
  spend(ctx, ctx.publishLimits, session.account);
  let encoded;
  try {
    encoded = decodeEnvelope(bytes, { maxBytes: ctx.config.limits.maxEnvelopeBytes });
  } catch (error) {
    if (isCoreError(error, 'CORE_ENVELOPE_TOO_LARGE')) {
      throw new RelayError(
        'RELAY_PAYLOAD_TOO_LARGE',
        `(envelope over ${ctx.config.limits.maxEnvelopeBytes} bytes)`,
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
    if (!(await verifyWrite(ctx.suite, proof, topic, encoded.cid.bytes)).ok)
      throw new RelayError('RELAY_WRITE_PROOF_INVALID', '(bad signature)');
  }
  // An inbox is written by strangers: each sender gets a share, so one cannot fill it for all.
  const reservation =
    isInboxTopic(topic) && !isInboxOf(topic, session.account as AccountId)
      ? ctx.inboxQuotas.reserve(session.account, topic, encoded.bytes.length)
      : null;
  if (reservation === undefined) {
    throw new RelayError(
      'RELAY_INBOX_SENDER_QUOTA',
      `(${ctx.config.limits.maxInboxBytesPerSender} bytes per sender until the owner acknowledges)`,
    );
  }
  let receipt;
  try {
    receipt = await ctx.writer.append(
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
  ctx.metrics.envelopesIn.inc({ duplicate: String(receipt.duplicate) });
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
