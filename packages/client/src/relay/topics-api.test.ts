/** Envelopes and topics over an injected fetch: receipts, binary pages followed to the end, acks. */
import {
  createCryptoSuite,
  encodeCanonical,
  generateIdentity,
  toBase64Url,
  type ChallengeAnswer,
  type EnvelopePage,
  type SessionAnswer,
  type WireReceipt,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { RelayHttp } from './relay-http.js';
import { RelaySession } from './relay-session.js';
import { TopicsApi } from './topics-api.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
const topic = new Uint8Array(32).fill(1);

const receipt: WireReceipt = {
  cid: 'bafy-envelope',
  topic: toBase64Url(topic),
  seq: 4,
  receivedAt: 10,
  leafIndex: 7,
  mergeBy: 20,
  signature: 'c2ln',
};

type Route = (url: URL, init: RequestInit | undefined) => Response;

/** A relay that logs anyone in and answers the other routes with `route`. */
async function topicsOver(route: Route) {
  const identity = await generateIdentity(suite, random);
  const requests: URL[] = [];
  const fake: typeof fetch = (input, init) => {
    const url = new URL(input as string);
    requests.push(url);
    if (url.pathname === '/v1/auth/challenge') {
      const challenge: ChallengeAnswer = {
        relayId: 'relay-1',
        nonce: toBase64Url(random(32)),
        expiresAt: 3_600_000,
      };
      return Promise.resolve(Response.json(challenge));
    }
    if (url.pathname === '/v1/auth/session') {
      const session: SessionAnswer = {
        token: 't',
        accountId: identity.accountId,
        expiresAt: 3_600_000,
      };
      return Promise.resolve(Response.json(session));
    }
    return Promise.resolve(route(url, init));
  };
  const http = new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake });
  return { topics: new TopicsApi(http, new RelaySession(http, { identity, suite })), requests };
}

function cbor(value: unknown): Response {
  return new Response(new Uint8Array(encodeCanonical(value)), {
    headers: { 'content-type': 'application/cbor' },
  });
}

describe('TopicsApi', () => {
  it('returns the receipt of a new envelope, and marks a 200 as a duplicate', async () => {
    let status = 201;
    const { topics } = await topicsOver(() => Response.json(receipt, { status }));
    expect(await topics.post(new Uint8Array([1]), 0)).toEqual({ ...receipt, duplicate: false });
    status = 200;
    expect((await topics.post(new Uint8Array([1]), 0)).duplicate).toBe(true);
  });

  it('refuses a receipt without its signature as an invalid answer', async () => {
    const { signature: _dropped, ...unsigned } = receipt;
    const { topics } = await topicsOver(() => Response.json(unsigned, { status: 201 }));
    await expect(topics.post(new Uint8Array([1]), 0)).rejects.toMatchObject({
      code: 'CLIENT_RELAY_ANSWER_INVALID',
    });
  });

  it('follows binary pages until it has the limit or the topic’s last seq', async () => {
    const item = (seq: number) => ({
      seq,
      cid: `cid-${seq}`,
      receivedAt: seq,
      leafIndex: seq,
      envelope: new Uint8Array([seq]),
    });
    const { topics, requests } = await topicsOver((url) => {
      const after = Number(url.searchParams.get('after'));
      return cbor({ envelopes: [item(after + 1)], lastSeq: 3 });
    });
    const fetched = await topics.fetch(topic, 0, 10, 0);
    expect(fetched.lastSeq).toBe(3);
    expect(fetched.envelopes.map((envelope) => [envelope.seq, envelope.bytes[0]])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(requests.filter((url) => url.pathname.endsWith('/envelopes'))).toHaveLength(3);
  });

  it('reads a JSON page with base64url envelopes the same way', async () => {
    const page: EnvelopePage = {
      envelopes: [
        {
          seq: 1,
          cid: 'c',
          receivedAt: 1,
          leafIndex: 0,
          envelope: toBase64Url(new Uint8Array([9])),
        },
      ],
      lastSeq: 1,
    };
    const { topics } = await topicsOver(() => Response.json(page));
    const fetched = await topics.fetch(topic, 0, 10, 0);
    expect(fetched.envelopes[0]?.bytes).toEqual(new Uint8Array([9]));
  });

  it('refuses a page whose envelope is neither bytes nor base64url', async () => {
    const { topics } = await topicsOver(() =>
      cbor({
        envelopes: [{ seq: 1, cid: 'c', receivedAt: 1, leafIndex: 0, envelope: 5 }],
        lastSeq: 1,
      }),
    );
    await expect(topics.fetch(topic, 0, 10, 0)).rejects.toMatchObject({
      code: 'CLIENT_RELAY_ANSWER_INVALID',
    });
  });

  it('acknowledges with the reader’s cursor proof', async () => {
    let sent: unknown;
    const { topics } = await topicsOver((_url, init) => {
      sent = JSON.parse(init?.body as string);
      return new Response(null, { status: 204 });
    });
    const proof = {
      reader: new Uint8Array([1]),
      writer: new Uint8Array([2]),
      sig: new Uint8Array([3]),
    };
    await topics.acknowledge(topic, 5, 0, proof);
    expect(sent).toEqual({ seq: 5, reader: 'AQ', writer: 'Ag', sig: 'Aw' });
  });
});
