/** Everything a route or socket handler needs, built once by createRelay. */
import {
  decodeEnvelope,
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
import type { TokenBuckets } from './limits/token-bucket.js';
import type { Checkpointer } from './log/checkpointer.js';
import type { WireReceipt } from './log/receipts.js';
import type { RelayMetrics } from './ops/metrics.js';
import type { RelayStore, StoredReceipt } from './store/store.js';
import type { EnvelopeWriter } from './topics/envelope-writer.js';

/** The relay's wiring, shared by its handlers. */
export interface RelayContext {
  readonly config: RelayConfig;
  readonly store: RelayStore;
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
  readonly publishLimits: TokenBuckets;
  readonly claimLimits: TokenBuckets;
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

/** Throws RELAY_RATE_LIMITED with Retry-After if the bucket of `session` is empty. */
export function spend(ctx: RelayContext, buckets: TokenBuckets, session: Session): void {
  const waitMs = buckets.take(session.key, ctx.clock());
  if (waitMs > 0) {
    throw new RelayError('RELAY_RATE_LIMITED', undefined, {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }
}

/**
 * Validates, rate-limits and durably stores one envelope for `session`.
 * @throws RelayError RELAY_RATE_LIMITED | RELAY_PAYLOAD_TOO_LARGE | RELAY_ENVELOPE_INVALID |
 *   RELAY_TOPIC_FULL | RELAY_COMMIT_CONFLICT
 */
export async function acceptEnvelope(
  ctx: RelayContext,
  session: Session,
  bytes: Uint8Array,
): Promise<StoredReceipt> {
  spend(ctx, ctx.publishLimits, session);
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
  const receipt = await ctx.writer.append(encoded, commitEpochOf(encoded.envelope.payload));
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
