/** Envelopes and topics of a relay under test, bodies typed and checked by core's wire module. */
import {
  createEnvelope,
  envelopePageSchema,
  fromBase64Url,
  receiptSchema,
  toBase64Url,
  type EncodedEnvelope,
  type EnvelopePage,
  type PageEnvelope,
  type WireReceipt,
} from '@parley/core';
import {
  proofFields,
  proofHeaders,
  unsafeStandInCursor,
  unsafeStandInProof,
} from '../stand-in-writer.js';
import { call, randomBytes, wireBodyOf, type Answer } from './http.js';

export type { EnvelopePage };

/** A receipt for an accepted envelope, signed by the relay (docs/spec/log.md §Receipts). */
export type Receipt = WireReceipt;

/** An envelope as `GET /v1/topics/{topic}/envelopes` lists it. */
export type StoredEnvelope = PageEnvelope;

/** A new envelope on `topic` with `payloadBytes` random payload bytes. */
export function makeEnvelope(topic: Uint8Array, payloadBytes = 32): EncodedEnvelope {
  return createEnvelope(
    { topic, payload: randomBytes(payloadBytes), createdAt: Date.now() },
    { maxBytes: Number.MAX_SAFE_INTEGER },
  );
}

/** How an envelope is posted: its canonical bytes as application/cbor, or JSON with base64url. */
export type PostForm = 'cbor' | 'json';

/**
 * `POST /v1/envelopes`, with the topic's stand-in member's write proof on a chat topic
 * (stand-in-writer.ts) unless `unsigned`.
 */
export async function postEnvelope(
  baseUrl: string,
  token: string,
  bytes: Uint8Array,
  form: PostForm = 'cbor',
  unsigned = false,
): Promise<Answer> {
  const headers = unsigned ? {} : proofHeaders(await unsafeStandInProof(bytes));
  return form === 'cbor'
    ? call(baseUrl, 'POST', '/v1/envelopes', {
        token,
        body: bytes,
        contentType: 'application/cbor',
        headers,
      })
    : call(baseUrl, 'POST', '/v1/envelopes', {
        token,
        json: { envelope: toBase64Url(bytes) },
        headers,
      });
}

/** A WebSocket publish frame for `bytes`, with the stand-in's write proof on a chat topic. */
export async function publishFrame(ref: string, bytes: Uint8Array): Promise<object> {
  return {
    type: 'publish',
    ref,
    envelope: toBase64Url(bytes),
    ...proofFields(await unsafeStandInProof(bytes)),
  };
}

/** Posts an envelope that must be accepted (201 or 200) and returns its checked receipt. */
export async function publish(
  baseUrl: string,
  token: string,
  bytes: Uint8Array,
  form: PostForm = 'cbor',
): Promise<Receipt> {
  return wireBodyOf(await postEnvelope(baseUrl, token, bytes, form), [200, 201], receiptSchema);
}

/** The path segment of a topic. */
export function topicPath(topic: Uint8Array | string): string {
  return typeof topic === 'string' ? topic : toBase64Url(topic);
}

/** `GET /v1/topics/{topic}/envelopes?after=&limit=`. */
export function fetchEnvelopes(
  baseUrl: string,
  token: string,
  topic: Uint8Array | string,
  query: { after?: number | string; limit?: number | string } = {},
): Promise<Answer> {
  const params = new URLSearchParams();
  if (query.after !== undefined) params.set('after', String(query.after));
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  const search = params.size > 0 ? `?${params.toString()}` : '';
  return call(baseUrl, 'GET', `/v1/topics/${topicPath(topic)}/envelopes${search}`, { token });
}

/** Reads a whole topic page by page (each checked); returns every envelope and the pages' sizes. */
export async function fetchAll(
  baseUrl: string,
  token: string,
  topic: Uint8Array | string,
  limit = 100,
  after = 0,
): Promise<{ envelopes: StoredEnvelope[]; pageSizes: number[]; lastSeq: number }> {
  const envelopes: StoredEnvelope[] = [];
  const pageSizes: number[] = [];
  let cursor = after;
  let lastSeq = 0;
  for (;;) {
    const page = wireBodyOf(
      await fetchEnvelopes(baseUrl, token, topic, { after: cursor, limit }),
      200,
      envelopePageSchema,
    );
    lastSeq = page.lastSeq;
    if (page.envelopes.length === 0) break;
    pageSizes.push(page.envelopes.length);
    envelopes.push(...page.envelopes);
    const last = page.envelopes.at(-1);
    if (last === undefined || last.seq <= cursor) throw new Error('paging did not advance');
    cursor = last.seq;
    if (pageSizes.length > 10_000) throw new Error('paging does not end');
  }
  return { envelopes, pageSizes, lastSeq };
}

/**
 * `POST /v1/topics/{topic}/ack`; on a chat topic as the stand-in's reader named by the token,
 * with its cursor proof.
 */
export async function ack(
  baseUrl: string,
  token: string,
  topic: Uint8Array | string,
  seq: number,
): Promise<Answer> {
  const bytes = typeof topic === 'string' ? fromBase64Url(topic) : topic;
  const cursor = bytes.length === 32 ? await unsafeStandInCursor(bytes, seq, token) : {};
  return call(baseUrl, 'POST', `/v1/topics/${topicPath(topic)}/ack`, {
    token,
    json: { seq, ...cursor },
  });
}
