/**
 * The SDK's side of topic write keys (docs/spec/chats.md §Write keys): the write proof of each
 * post to a chat topic, signed at post time with the key of the chat's current epoch (so an
 * outbox message queued epochs ago posts the very same bytes), the next key of a Commit, and
 * the pseudonymous, membership-proven cursor of each acknowledgement.
 */
import {
  deriveTopicWriteKey,
  readerId,
  signCursor,
  signWrite,
  utf8,
  type CryptoSuite,
  type GroupState,
  type MlsContext,
  type WriteProof,
} from '@parley/core';

/** Signs posts and cursors for one device. */
export class WriteKeys {
  readonly #suite: CryptoSuite;
  readonly #mls: MlsContext['cipherSuite'];
  readonly #deviceSeed: Uint8Array;
  #readerSecret: Promise<Uint8Array> | undefined;

  constructor(suite: CryptoSuite, mls: MlsContext, deviceSeed: Uint8Array) {
    this.#suite = suite;
    this.#mls = mls.cipherSuite;
    this.#deviceSeed = deviceSeed;
  }

  /**
   * The write proof of the envelope whose CID is `cid` (its binary form) posted to `topic` by a member in `state`; for a
   * Commit, `nextState` is the state it leads to, whose key the proof names as `next`.
   */
  async proof(
    topic: Uint8Array,
    cid: Uint8Array,
    state: GroupState,
    nextState?: GroupState,
  ): Promise<WriteProof> {
    const key = await deriveTopicWriteKey(this.#suite, this.#mls, state, topic);
    const next =
      nextState === undefined
        ? undefined
        : (await deriveTopicWriteKey(this.#suite, this.#mls, nextState, topic)).publicKey;
    return signWrite(this.#suite, key, { topic, cid, next });
  }

  /** The cursor of this device on `topic` at `seq`, proven with the key of `state`'s epoch. */
  async cursor(
    topic: Uint8Array,
    seq: number,
    state: GroupState,
  ): Promise<{ reader: Uint8Array; writer: Uint8Array; sig: Uint8Array }> {
    this.#readerSecret ??= this.#suite.kdf.hkdfSha256(
      this.#deviceSeed,
      new Uint8Array(),
      utf8('parley reader secret'),
      32,
    );
    const reader = await readerId(this.#suite, await this.#readerSecret, topic);
    const key = await deriveTopicWriteKey(this.#suite, this.#mls, state, topic);
    const sig = await signCursor(this.#suite, key, { topic, reader, seq });
    return { reader, writer: key.publicKey, sig };
  }
}
