/** Publish frames built before timing starts, so client-side encoding is never measured. */
import { createEnvelope, fromBase64Url, toBase64Url } from '@parley/core';
import { random } from './session.js';

/** Prebuilt publish frames with the CID of each envelope. */
export interface PreparedFrames {
  readonly frames: string[];
  readonly cids: string[];
}

/**
 * Builds `count` envelopes of `payloadBytes` random bytes (so every CID differs) on the topic
 * `topicOf(k)` (base64url), each as a `publish` frame whose `ref` is `k`.
 */
export function buildPublishFrames(
  count: number,
  payloadBytes: number,
  topicOf: (k: number) => string,
): PreparedFrames {
  const frames: string[] = [];
  const cids: string[] = [];
  const topics = new Map<string, Uint8Array>();
  const createdAt = Date.now();
  for (let k = 0; k < count; k++) {
    const topicText = topicOf(k);
    let topic = topics.get(topicText);
    if (topic === undefined) {
      topic = fromBase64Url(topicText);
      topics.set(topicText, topic);
    }
    const built = createEnvelope({ topic, payload: random(payloadBytes), createdAt });
    cids.push(built.cid.toString());
    frames.push(
      JSON.stringify({ type: 'publish', ref: String(k), envelope: toBase64Url(built.bytes) }),
    );
  }
  return { frames, cids };
}
