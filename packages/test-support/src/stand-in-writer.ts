/**
 * A stand-in member for the relay tests that post made-up envelopes to shared topics: its write
 * key derives from the topic (tests only: anyone can compute it), so each topic is claimed by
 * its first post and every later post, Commit and acknowledgement of the tests carries a valid
 * proof (docs/spec/chats.md §Write keys). Tests of the proofs themselves sign on their own.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  concatBytes,
  createCryptoSuite,
  decodeEnvelope,
  isInboxTopic,
  readMlsHeader,
  signCursor,
  signWrite,
  toBase64Url,
  utf8,
  type TopicWriteKey,
  type WriteProof,
} from '@parley/core';

const suite = createCryptoSuite(globalThis.crypto.subtle);

/** The stand-in member's write key on `topic` (the same in every epoch). */
export async function unsafeStandInKey(topic: Uint8Array): Promise<TopicWriteKey> {
  const seed = sha256(concatBytes(utf8('stand-in writer\u0000'), topic));
  return { seed, publicKey: await suite.ed25519.publicKey(seed) };
}

/**
 * The stand-in's write proof for envelope bytes, or undefined for an inbox topic or bytes that
 * are no envelope (the relay refuses those anyway). A Commit names the same key as next.
 */
export async function unsafeStandInProof(bytes: Uint8Array): Promise<WriteProof | undefined> {
  let decoded;
  try {
    decoded = decodeEnvelope(bytes, { maxBytes: Number.MAX_SAFE_INTEGER });
  } catch {
    return undefined;
  }
  const { topic, payload } = decoded.envelope;
  if (isInboxTopic(topic)) return undefined;
  let isCommit = false;
  try {
    const header = readMlsHeader(payload);
    isCommit = 'contentType' in header && header.contentType === 'commit';
  } catch {
    isCommit = false;
  }
  const key = await unsafeStandInKey(topic);
  return signWrite(suite, key, {
    topic,
    cid: decoded.cid.bytes,
    ...(isCommit ? { next: key.publicKey } : {}),
  });
}

/** The proof as HTTP headers (none for undefined). */
export function proofHeaders(proof: WriteProof | undefined): Record<string, string> {
  if (proof === undefined) return {};
  return {
    'parley-writer': toBase64Url(proof.writer),
    'parley-sig': toBase64Url(proof.sig),
    ...(proof.next === undefined ? {} : { 'parley-next': toBase64Url(proof.next) }),
  };
}

/** The proof as WebSocket publish frame fields (none for undefined). */
export function proofFields(proof: WriteProof | undefined): Record<string, string> {
  if (proof === undefined) return {};
  return {
    writer: toBase64Url(proof.writer),
    sig: toBase64Url(proof.sig),
    ...(proof.next === undefined ? {} : { next: toBase64Url(proof.next) }),
  };
}

/**
 * The stand-in's cursor fields for acknowledging `topic` at `seq` as the reader named by `as`
 * (a session token, say); none for an inbox topic.
 */
export async function unsafeStandInCursor(
  topic: Uint8Array,
  seq: number,
  as: string,
): Promise<Record<string, string>> {
  if (isInboxTopic(topic)) return {};
  const reader = unsafeStandInReader(as);
  const key = await unsafeStandInKey(topic);
  const sig = await signCursor(suite, key, { topic, reader, seq });
  return {
    reader: toBase64Url(reader),
    writer: toBase64Url(key.publicKey),
    sig: toBase64Url(sig),
  };
}

/** The stand-in's reader pseudonym for the reader named by `as`. */
export function unsafeStandInReader(as: string): Uint8Array {
  return sha256(utf8(`stand-in reader ${as}`));
}
