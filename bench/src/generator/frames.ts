/** Publish frames built before timing starts, so client-side encoding is never measured. */
import {
  concatBytes,
  createCryptoSuite,
  createEnvelope,
  fromBase64Url,
  sha256,
  signWrite,
  toBase64Url,
  utf8,
  type TopicWriteKey,
} from '@parley/core';
import { random } from './session.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);

/**
 * The write key every bench publisher uses on `topic` (docs/spec/chats.md §Write keys): derived
 * from the topic, so all publisher processes of a run stand in for the same chat member and the
 * relay does the same proof check and key lookup as for a real chat.
 */
async function benchWriteKey(topic: Uint8Array): Promise<TopicWriteKey> {
  const seed = sha256(concatBytes(utf8('parley bench writer\u0000'), topic));
  return { seed, publicKey: await suite.ed25519.publicKey(seed) };
}

/** Prebuilt publish frames with the CID of each envelope. */
export interface PreparedFrames {
  readonly frames: string[];
  readonly cids: string[];
}

/**
 * Builds `count` envelopes of `payloadBytes` random bytes (so every CID differs) on the topic
 * `topicOf(k)` (base64url), each as a `publish` frame whose `ref` is `k`, with its write proof.
 */
export async function buildPublishFrames(
  count: number,
  payloadBytes: number,
  topicOf: (k: number) => string,
): Promise<PreparedFrames> {
  const frames: string[] = [];
  const cids: string[] = [];
  const topics = new Map<string, Uint8Array>();
  const keys = new Map<string, TopicWriteKey>();
  const createdAt = Date.now();
  for (let k = 0; k < count; k++) {
    const topicText = topicOf(k);
    let topic = topics.get(topicText);
    if (topic === undefined) {
      topic = fromBase64Url(topicText);
      topics.set(topicText, topic);
      keys.set(topicText, await benchWriteKey(topic));
    }
    const key = keys.get(topicText);
    if (key === undefined) throw new Error('no bench write key');
    const built = createEnvelope({ topic, payload: random(payloadBytes), createdAt });
    cids.push(built.cid.toString());
    const proof = await signWrite(suite, key, { topic, cid: built.cid.bytes });
    frames.push(
      JSON.stringify({
        type: 'publish',
        ref: String(k),
        envelope: toBase64Url(built.bytes),
        writer: toBase64Url(proof.writer),
        sig: toBase64Url(proof.sig),
      }),
    );
  }
  return { frames, cids };
}
