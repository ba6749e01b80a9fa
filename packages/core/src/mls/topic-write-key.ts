/**
 * Topic write keys (docs/spec/chats.md §Write keys): each epoch of a chat has an Ed25519 key that
 * every member derives from the epoch's MLS exporter secret (RFC 9420 §8.5) and nobody else can.
 * Posts to the chat's topic, and the cursors acknowledging it, are signed with it, so the relay
 * admits only members without learning who they are. A Commit names the next epoch's key.
 */
import { mlsExporter, type CiphersuiteImpl, type ClientState } from 'ts-mls';
import { concatBytes, utf8 } from '../bytes.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { signFor, verifyFor } from '../identity/signature.js';
import { fail, type Result } from '../result.js';

/** The MLS exporter label of the write key (RFC 9420 §8.5). */
export const TOPIC_WRITE_LABEL = 'parley topic write';
/** Length of a reader id. */
export const READER_ID_BYTES = 32;

/** One epoch's write key. */
export interface TopicWriteKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** What a post's write proof signs: the topic, the envelope's CID bytes, and a Commit's next key. */
export interface WriteClaim {
  readonly topic: Uint8Array;
  readonly cid: Uint8Array;
  /** The next epoch's write key (only on a Commit). */
  readonly next?: Uint8Array | undefined;
}

/** A signed write claim, as sent beside an envelope. */
export interface WriteProof {
  readonly writer: Uint8Array;
  readonly sig: Uint8Array;
  readonly next?: Uint8Array | undefined;
}

/** What a cursor proof signs: a pseudonymous reader's position in a topic. */
export interface CursorClaim {
  readonly topic: Uint8Array;
  readonly reader: Uint8Array;
  readonly seq: number;
}

/**
 * The write key of the epoch of `state`: seed = MLS-Exporter("parley topic write", topic, 32).
 * @throws whatever ts-mls throws for a state without a key schedule
 */
export async function deriveTopicWriteKey(
  suite: CryptoSuite,
  mls: CiphersuiteImpl,
  state: ClientState,
  topic: Uint8Array,
): Promise<TopicWriteKey> {
  const seed = await mlsExporter(
    state.keySchedule.exporterSecret,
    TOPIC_WRITE_LABEL,
    topic,
    32,
    mls,
  );
  return { seed, publicKey: await suite.ed25519.publicKey(seed) };
}

function writeMessage(claim: WriteClaim): Uint8Array {
  return encodeCanonical({ topic: claim.topic, cid: claim.cid, next: claim.next ?? null });
}

function cursorMessage(claim: CursorClaim): Uint8Array {
  return encodeCanonical({ topic: claim.topic, reader: claim.reader, seq: claim.seq });
}

/** Signs a write claim with an epoch's write key (context `topic-write`). */
export async function signWrite(
  suite: CryptoSuite,
  key: TopicWriteKey,
  claim: WriteClaim,
): Promise<WriteProof> {
  const sig = await signFor(suite, 'topic-write', key.seed, writeMessage(claim));
  return { writer: key.publicKey, sig, ...(claim.next === undefined ? {} : { next: claim.next }) };
}

/** Checks a write proof over `topic` and `cid`; never throws for bad bytes. */
export async function verifyWrite(
  suite: CryptoSuite,
  proof: WriteProof,
  topic: Uint8Array,
  cid: Uint8Array,
): Promise<Result<true, 'bad-signature'>> {
  if (proof.next !== undefined && proof.next.length !== 32) return fail('bad-signature');
  return verifyFor(
    suite,
    'topic-write',
    proof.writer,
    writeMessage({ topic, cid, next: proof.next }),
    proof.sig,
  );
}

/** Signs a cursor claim with an epoch's write key (context `topic-cursor`). */
export function signCursor(
  suite: CryptoSuite,
  key: TopicWriteKey,
  claim: CursorClaim,
): Promise<Uint8Array> {
  return signFor(suite, 'topic-cursor', key.seed, cursorMessage(claim));
}

/** Checks a cursor proof; never throws for bad bytes. */
export function verifyCursor(
  suite: CryptoSuite,
  writer: Uint8Array,
  claim: CursorClaim,
  sig: Uint8Array,
): Promise<Result<true, 'bad-signature'>> {
  if (claim.reader.length !== READER_ID_BYTES || !Number.isSafeInteger(claim.seq) || claim.seq < 0)
    return Promise.resolve(fail('bad-signature'));
  return verifyFor(suite, 'topic-cursor', writer, cursorMessage(claim), sig);
}

/**
 * A device's reader pseudonym for one topic: HMAC-SHA-256(secret, "parley reader" || topic).
 * Stable per device and topic, unlinkable across topics without `secret`.
 */
export function readerId(
  suite: CryptoSuite,
  secret: Uint8Array,
  topic: Uint8Array,
): Promise<Uint8Array> {
  return suite.kdf.hmacSha256(secret, concatBytes(utf8('parley reader\u0000'), topic));
}
