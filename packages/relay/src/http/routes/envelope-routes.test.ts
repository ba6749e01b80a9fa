/** Envelope routes (docs/spec/relay-api.md §Envelopes and topics): post, page, acknowledge. */
import {
  createEnvelope,
  encodeCanonical,
  fromBase64Url,
  inboxTopic,
  signCursor,
  signWrite,
  toBase64Url,
  verifyRelayReceipt,
} from '@parley/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  START_MS,
  errorOf,
  startTestRelay,
  suite,
  textEnvelope,
  unsafeTestIdentity,
  type ErrorBody,
  type TestRelay,
  type WireReceipt,
} from '../../../test/support/in-process-relay.js';
import {
  proofHeaders,
  unsafeStandInCursor,
  unsafeStandInReader,
} from '@parley/test-support/stand-in-writer';
import { OWNER_READER } from '../../store/sqlite-write-keys.js';

const topic = new Uint8Array(32).fill(0x42);
const topicKey = toBase64Url(topic);

interface Page {
  envelopes: { seq: number; cid: string; receivedAt: number; envelope: string }[];
  lastSeq: number;
}

let alice: Awaited<ReturnType<typeof unsafeTestIdentity>>;
let bob: Awaited<ReturnType<typeof unsafeTestIdentity>>;
beforeAll(async () => {
  alice = await unsafeTestIdentity('alice');
  bob = await unsafeTestIdentity('bob');
});

let relay: TestRelay;
afterEach(async () => {
  await relay.close();
});

describe('POST /v1/envelopes', () => {
  it('refuses a chat post without a write proof (400) or signed by a key not the topic’s (403)', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    expect(
      (
        await relay.request('POST', '/v1/envelopes', {
          token,
          cbor: textEnvelope(topic, '1').bytes,
        })
      ).statusCode,
    ).toBe(201);
    const next = textEnvelope(topic, '2');
    expect(
      await errorOf(
        relay.request('POST', '/v1/envelopes', { token, cbor: next.bytes, unsigned: true }),
      ),
    ).toEqual({ status: 400, code: 'RELAY_WRITE_PROOF_INVALID' });
    const seed = new Uint8Array(32).fill(9);
    const stranger = { seed, publicKey: await suite.ed25519.publicKey(seed) };
    const proof = await signWrite(suite, stranger, { topic, cid: next.cid.bytes });
    expect(
      await errorOf(
        relay.request('POST', '/v1/envelopes', {
          token,
          cbor: next.bytes,
          headers: proofHeaders(proof),
        }),
      ),
    ).toEqual({ status: 403, code: 'RELAY_WRITE_FORBIDDEN' });
    // A proof over other bytes does not verify.
    const other = await signWrite(suite, stranger, {
      topic,
      cid: textEnvelope(topic, '3').cid.bytes,
    });
    expect(
      await errorOf(
        relay.request('POST', '/v1/envelopes', {
          token,
          cbor: next.bytes,
          headers: proofHeaders(other),
        }),
      ),
    ).toEqual({ status: 400, code: 'RELAY_WRITE_PROOF_INVALID' });
    expect(await relay.stores.topics.lastSeq(topic)).toBe(1);
  });

  it('stores an envelope sent as CBOR with 201 and answers the same bytes again with 200 and the same receipt', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    const encoded = textEnvelope(topic, 'hello');
    const first = await relay.request('POST', '/v1/envelopes', { token, cbor: encoded.bytes });
    expect(first.statusCode).toBe(201);
    const receipt = first.json<WireReceipt>();
    expect(receipt).toEqual({
      cid: encoded.cid.toString(),
      topic: topicKey,
      seq: 1,
      receivedAt: START_MS,
      leafIndex: 0,
      // receivedAt + 2 × batchIntervalMs + witnessTimeoutMs (defaults 1000 and 3000).
      mergeBy: START_MS + 5000,
      signature: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/) as unknown,
    });
    const info = (await relay.request('GET', '/v1/info')).json<{ publicKey: string }>();
    expect(
      await verifyRelayReceipt(
        suite,
        fromBase64Url(info.publicKey),
        { ...receipt, relay: relay.relay.relayId, topic },
        fromBase64Url(receipt.signature),
      ),
    ).toBe(true);
    relay.advance(1000);
    const again = await relay.request('POST', '/v1/envelopes', { token, cbor: encoded.bytes });
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    const asJson = await relay.request('POST', '/v1/envelopes', {
      token,
      json: { envelope: toBase64Url(encoded.bytes) },
    });
    expect(asJson.statusCode).toBe(200);
    expect(asJson.body).toBe(first.body);
    expect(await relay.stores.topics.lastSeq(topic)).toBe(1);
  });

  it('stores an envelope sent as JSON with base64url', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    await relay.request('POST', '/v1/envelopes', { token, cbor: textEnvelope(topic, '1').bytes });
    const encoded = textEnvelope(topic, '2');
    const answer = await relay.request('POST', '/v1/envelopes', {
      token,
      json: { envelope: toBase64Url(encoded.bytes) },
    });
    expect(answer.statusCode).toBe(201);
    expect(answer.json<WireReceipt>()).toMatchObject({ cid: encoded.cid.toString(), seq: 2 });
  });

  it('requires a session', async () => {
    relay = await startTestRelay();
    const bytes = textEnvelope(topic, 'x').bytes;
    expect(await errorOf(relay.request('POST', '/v1/envelopes', { cbor: bytes }))).toEqual({
      status: 401,
      code: 'RELAY_UNAUTHENTICATED',
    });
  });

  it('refuses what is not a valid envelope with 400 RELAY_ENVELOPE_INVALID', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    const fields = { v: 1, topic, payload: new Uint8Array(1), createdAt: 1 };
    const invalid = [
      new TextEncoder().encode('not an envelope'),
      new Uint8Array(0),
      encodeCanonical({ ...fields, v: 2 }),
      encodeCanonical({ ...fields, topic: topic.subarray(1) }),
      encodeCanonical({ ...fields, extra: 1 }),
    ];
    for (const cbor of invalid) {
      expect(await errorOf(relay.request('POST', '/v1/envelopes', { token, cbor }))).toEqual({
        status: 400,
        code: 'RELAY_ENVELOPE_INVALID',
      });
    }
    expect(await relay.stores.topics.lastSeq(topic)).toBe(0);
  });

  it('refuses a JSON body without a base64url envelope', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    for (const json of [{}, { envelope: 5 }, { envelope: null }, [], 'envelope']) {
      expect(await errorOf(relay.request('POST', '/v1/envelopes', { token, json }))).toEqual({
        status: 400,
        code: 'RELAY_INVALID_REQUEST',
      });
    }
    expect(
      await errorOf(relay.request('POST', '/v1/envelopes', { token, json: { envelope: 'a+b=' } })),
    ).toEqual({ status: 400, code: 'RELAY_BAD_ENCODING' });
  });

  it('refuses malformed JSON and unsupported content types', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    expect(
      await errorOf(
        relay.request('POST', '/v1/envelopes', {
          token,
          payload: '{"envelope":',
          headers: { 'content-type': 'application/json' },
        }),
      ),
    ).toEqual({ status: 400, code: 'RELAY_MALFORMED_BODY' });
    expect(
      await errorOf(
        relay.request('POST', '/v1/envelopes', {
          token,
          payload: 'hello',
          headers: { 'content-type': 'text/plain' },
        }),
      ),
    ).toEqual({ status: 415, code: 'RELAY_UNSUPPORTED_MEDIA_TYPE' });
  });

  it('refuses an envelope over maxEnvelopeBytes and a body over maxBodyBytes with 413', async () => {
    relay = await startTestRelay({
      flags: { 'max-envelope-bytes': '1024', 'max-body-bytes': '2048' },
    });
    const token = await relay.login(alice);
    const large = createEnvelope(
      { topic, payload: new Uint8Array(1100), createdAt: 1 },
      { maxBytes: 4096 },
    );
    expect(
      await errorOf(relay.request('POST', '/v1/envelopes', { token, cbor: large.bytes })),
    ).toEqual({
      status: 413,
      code: 'RELAY_PAYLOAD_TOO_LARGE',
    });
    // The same envelope in base64url is over the body limit: refused before it is parsed.
    expect(
      await errorOf(
        relay.request('POST', '/v1/envelopes', {
          token,
          json: { envelope: toBase64Url(large.bytes) },
        }),
      ),
    ).toEqual({ status: 413, code: 'RELAY_PAYLOAD_TOO_LARGE' });
    expect(
      await errorOf(relay.request('POST', '/v1/envelopes', { token, cbor: new Uint8Array(3000) })),
    ).toEqual({ status: 413, code: 'RELAY_PAYLOAD_TOO_LARGE' });
    const fits = createEnvelope({ topic, payload: new Uint8Array(900), createdAt: 1 });
    const accepted = await relay.request('POST', '/v1/envelopes', { token, cbor: fits.bytes });
    expect(accepted.statusCode).toBe(201);
  });

  it('rate-limits each session with 429 RELAY_RATE_LIMITED and Retry-After', async () => {
    relay = await startTestRelay({ flags: { 'publish-per-second': '1', 'publish-burst': '2' } });
    const token = await relay.login(alice);
    const other = await relay.login(bob);
    const post = (text: string, as = token) =>
      relay.request('POST', '/v1/envelopes', { token: as, cbor: textEnvelope(topic, text).bytes });
    expect((await post('1')).statusCode).toBe(201);
    expect((await post('2')).statusCode).toBe(201);
    const limited = await post('3');
    expect(limited.statusCode).toBe(429);
    expect(limited.json<ErrorBody>().error.code).toBe('RELAY_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('1');
    // Another session has its own bucket.
    expect((await post('3', other)).statusCode).toBe(201);
    relay.advance(1000);
    expect((await post('4')).statusCode).toBe(201);
  });

  it('refuses with 507 RELAY_TOPIC_FULL when nothing acknowledged can be evicted', async () => {
    relay = await startTestRelay({
      flags: { 'retention-max-bytes-per-topic': '1024', 'max-envelope-bytes': '1024' },
    });
    const token = await relay.login(alice);
    const sized = (fill: number) =>
      createEnvelope({ topic, payload: new Uint8Array(600).fill(fill), createdAt: 1 }).bytes;
    await relay.request('POST', `/v1/topics/${topicKey}/ack`, { token, json: { seq: 0 } });
    expect(
      (await relay.request('POST', '/v1/envelopes', { token, cbor: sized(1) })).statusCode,
    ).toBe(201);
    expect(
      await errorOf(relay.request('POST', '/v1/envelopes', { token, cbor: sized(2) })),
    ).toEqual({
      status: 507,
      code: 'RELAY_TOPIC_FULL',
    });
    // Once the only subscriber acknowledged seq 1, it makes room.
    await relay.request('POST', `/v1/topics/${topicKey}/ack`, { token, json: { seq: 1 } });
    const retry = await relay.request('POST', '/v1/envelopes', { token, cbor: sized(2) });
    expect(retry.statusCode).toBe(201);
    expect(retry.json<WireReceipt>().seq).toBe(2);
  });
});

describe('GET /v1/topics/{topic}/envelopes', () => {
  it('pages through a topic after a seq, with the topic’s last seq', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    const sent = ['1', '2', '3', '4', '5'].map((text) => textEnvelope(topic, text));
    for (const encoded of sent) {
      relay.advance(10);
      await relay.request('POST', '/v1/envelopes', { token, cbor: encoded.bytes });
    }
    const page = async (query: string) => {
      const answer = await relay.request('GET', `/v1/topics/${topicKey}/envelopes${query}`, {
        token,
      });
      expect(answer.statusCode).toBe(200);
      return answer.json<Page>();
    };
    const first = await page('?limit=2');
    expect(first.lastSeq).toBe(5);
    expect(first.envelopes).toEqual([
      {
        seq: 1,
        cid: sent[0]?.cid.toString(),
        receivedAt: START_MS + 10,
        leafIndex: 0,
        envelope: toBase64Url(sent[0]?.bytes ?? new Uint8Array()),
      },
      {
        seq: 2,
        cid: sent[1]?.cid.toString(),
        receivedAt: START_MS + 20,
        leafIndex: 1,
        envelope: toBase64Url(sent[1]?.bytes ?? new Uint8Array()),
      },
    ]);
    expect((await page('?after=2&limit=2')).envelopes.map((stored) => stored.seq)).toEqual([3, 4]);
    expect((await page('?after=4')).envelopes.map((stored) => stored.seq)).toEqual([5]);
    expect(await page('?after=5')).toEqual({ envelopes: [], lastSeq: 5 });
    // Default: from the start, up to 100.
    const all = await page('');
    expect(all.envelopes.map((stored) => fromBase64Url(stored.envelope))).toEqual(
      sent.map((encoded) => encoded.bytes),
    );
  });

  it('answers an empty page for a topic nobody posted to', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    const answer = await relay.request('GET', `/v1/topics/${topicKey}/envelopes`, { token });
    expect(answer.json<Page>()).toEqual({ envelopes: [], lastSeq: 0 });
  });

  it('refuses a limit above maxPageSize and malformed queries with RELAY_INVALID_REQUEST', async () => {
    relay = await startTestRelay({ flags: { 'max-page-size': '10' } });
    const token = await relay.login(alice);
    const base = `/v1/topics/${topicKey}/envelopes`;
    expect((await relay.request('GET', `${base}?limit=10`, { token })).statusCode).toBe(200);
    for (const query of [
      '?limit=11',
      '?limit=0',
      '?after=-1',
      '?after=01',
      '?limit=x',
      '?page=2',
    ]) {
      expect(await errorOf(relay.request('GET', `${base}${query}`, { token })), query).toEqual({
        status: 400,
        code: 'RELAY_INVALID_REQUEST',
      });
    }
  });

  it('refuses a topic that is not 32 bytes of base64url with RELAY_BAD_ENCODING', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    for (const bad of [toBase64Url(new Uint8Array(31)), `${topicKey.slice(0, -1)}+`]) {
      expect(
        await errorOf(
          relay.request('GET', `/v1/topics/${encodeURIComponent(bad)}/envelopes`, { token }),
        ),
      ).toEqual({ status: 400, code: 'RELAY_BAD_ENCODING' });
    }
  });

  it('requires a session', async () => {
    relay = await startTestRelay();
    expect(await errorOf(relay.request('GET', `/v1/topics/${topicKey}/envelopes`))).toEqual({
      status: 401,
      code: 'RELAY_UNAUTHENTICATED',
    });
  });
});

describe('inbox topics', () => {
  it('lets anyone post to an inbox and only its account read or acknowledge it', async () => {
    relay = await startTestRelay();
    const aliceToken = await relay.login(alice);
    const bobToken = await relay.login(bob);
    const inbox = toBase64Url(inboxTopic(alice.accountId));
    const invitation = textEnvelope(inboxTopic(alice.accountId), 'welcome');
    const posted = await relay.request('POST', '/v1/envelopes', {
      token: bobToken,
      cbor: invitation.bytes,
    });
    expect(posted.statusCode).toBe(201);
    expect(
      await errorOf(relay.request('GET', `/v1/topics/${inbox}/envelopes`, { token: bobToken })),
    ).toEqual({ status: 403, code: 'RELAY_FORBIDDEN' });
    expect(
      await errorOf(
        relay.request('POST', `/v1/topics/${inbox}/ack`, { token: bobToken, json: { seq: 1 } }),
      ),
    ).toEqual({ status: 403, code: 'RELAY_FORBIDDEN' });
    expect(
      await relay.stores.topics.acknowledgedSeq(inboxTopic(alice.accountId), OWNER_READER),
    ).toBeUndefined();
    const read = await relay.request('GET', `/v1/topics/${inbox}/envelopes`, { token: aliceToken });
    expect(read.statusCode).toBe(200);
    expect(read.json<Page>().envelopes.map((stored) => stored.cid)).toEqual([
      invitation.cid.toString(),
    ]);
  });
});

describe('POST /v1/topics/{topic}/ack', () => {
  it('records the reader’s acknowledged seq, never moving it back', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    const ack = (seq: number) =>
      relay.request('POST', `/v1/topics/${topicKey}/ack`, { token, json: { seq } });
    for (const text of ['1', '2', '3', '4']) {
      await relay.request('POST', '/v1/envelopes', {
        token,
        cbor: textEnvelope(topic, text).bytes,
      });
    }
    const first = await ack(3);
    expect(first.statusCode).toBe(204);
    expect(first.body).toBe('');
    const reader = unsafeStandInReader(token);
    expect(await relay.stores.topics.acknowledgedSeq(topic, reader)).toBe(3);
    expect((await ack(1)).statusCode).toBe(204);
    expect(await relay.stores.topics.acknowledgedSeq(topic, reader)).toBe(3);
    expect(
      await relay.stores.topics.acknowledgedSeq(topic, unsafeStandInReader('bob')),
    ).toBeUndefined();
    // Never past the last seq: acknowledging the future would let unread envelopes go.
    expect((await ack(1000)).statusCode).toBe(204);
    expect(await relay.stores.topics.acknowledgedSeq(topic, reader)).toBe(4);
  });

  it('refuses a chat cursor without a proof (400) or proven by a key that is not the topic’s (403)', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    await relay.request('POST', '/v1/envelopes', { token, cbor: textEnvelope(topic, '1').bytes });
    const url = `/v1/topics/${topicKey}/ack`;
    expect(
      await errorOf(relay.request('POST', url, { token, json: { seq: 1 }, unsigned: true })),
    ).toEqual({ status: 400, code: 'RELAY_WRITE_PROOF_INVALID' });
    const seed = new Uint8Array(32).fill(7);
    const stranger = { seed, publicKey: await suite.ed25519.publicKey(seed) };
    const reader = new Uint8Array(32).fill(1);
    const sig = await signCursor(suite, stranger, { topic, reader, seq: 1 });
    const forged = {
      seq: 1,
      reader: toBase64Url(reader),
      writer: toBase64Url(stranger.publicKey),
      sig: toBase64Url(sig),
    };
    expect(await errorOf(relay.request('POST', url, { token, json: forged }))).toEqual({
      status: 403,
      code: 'RELAY_WRITE_FORBIDDEN',
    });
    expect(await relay.stores.topics.acknowledgedSeq(topic, reader)).toBeUndefined();
  });

  it('limits new cursors per account with 429, while existing ones still move', async () => {
    relay = await startTestRelay({ flags: { 'cursors-per-minute': '2' } });
    const token = await relay.login(alice);
    await relay.request('POST', '/v1/envelopes', { token, cbor: textEnvelope(topic, '1').bytes });
    const url = `/v1/topics/${topicKey}/ack`;
    const cursorAs = async (as: string) =>
      relay.request('POST', url, {
        token,
        json: { seq: 1, ...(await unsafeStandInCursor(topic, 1, as)) },
      });
    expect((await cursorAs('one')).statusCode).toBe(204);
    expect((await cursorAs('two')).statusCode).toBe(204);
    expect(await errorOf(cursorAs('three'))).toEqual({ status: 429, code: 'RELAY_RATE_LIMITED' });
    expect((await cursorAs('one')).statusCode).toBe(204);
    expect(
      await relay.stores.topics.acknowledgedSeq(topic, unsafeStandInReader('three')),
    ).toBeUndefined();
  });

  it('refuses a seq that is not a non-negative integer', async () => {
    relay = await startTestRelay();
    const token = await relay.login(alice);
    for (const json of [{}, { seq: -1 }, { seq: 1.5 }, { seq: '1' }, { seq: 1, extra: true }]) {
      expect(
        await errorOf(relay.request('POST', `/v1/topics/${topicKey}/ack`, { token, json })),
        JSON.stringify(json),
      ).toEqual({ status: 400, code: 'RELAY_INVALID_REQUEST' });
    }
  });

  it('keeps an inbox closed to others even before its account ever logged in', async () => {
    relay = await startTestRelay();
    const bobToken = await relay.login(bob);
    const inbox = inboxTopic(alice.accountId);
    const posted = await relay.request('POST', '/v1/envelopes', {
      token: bobToken,
      cbor: textEnvelope(inbox, 'early').bytes,
    });
    expect(posted.statusCode).toBe(201);
    expect(
      await errorOf(
        relay.request('GET', `/v1/topics/${toBase64Url(inbox)}/envelopes`, { token: bobToken }),
      ),
    ).toEqual({ status: 403, code: 'RELAY_FORBIDDEN' });
    // Any topic in the inbox namespace is closed, whether or not it is anyone's inbox.
    const unowned = new Uint8Array(32).fill(7);
    unowned[0] = 0x01;
    expect(
      await errorOf(
        relay.request('GET', `/v1/topics/${toBase64Url(unowned)}/envelopes`, { token: bobToken }),
      ),
    ).toEqual({ status: 403, code: 'RELAY_FORBIDDEN' });
  });
});
