/**
 * Limits that hold against a hostile client (issue #11 items 4, 5, 6), on a real relay process:
 * rates per account (not per free session) and per address, KeyPackage claims per claimer and
 * per target, unauthenticated sockets per address, byte-bounded pages, per-sender inbox shares.
 */
import {
  certifyDevice,
  createDirectoryEntry,
  decodeCanonical,
  inboxTopic,
  type Identity,
} from '@parley/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ack,
  bodyOf,
  bytesText,
  call,
  errorCode,
  fetchEnvelopes,
  login,
  makeEnvelope,
  newIdentity,
  newSession,
  postEnvelope,
  randomBytes,
  randomTopic,
  suite,
  WsClient,
  type EnvelopePage,
  type Session,
} from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';

afterAll(cleanupRelays);

/** Publishes `identity`'s directory entry with `count` one-time KeyPackages (random bytes). */
async function publishEntry(
  url: string,
  identity: Identity,
  session: Session,
  count: number,
): Promise<void> {
  const device = await newIdentity();
  const updatedAt = Date.now();
  const certificate = await certifyDevice(suite, identity, {
    deviceKey: device.signingPublicKey,
    hpkeKey: device.hpkePublicKey,
    createdAt: updatedAt,
  });
  const { bytes } = await createDirectoryEntry(suite, identity, {
    devices: [certificate],
    lastResort: randomBytes(200),
    updatedAt,
  });
  const keyPackages = Array.from({ length: count }, () => bytesText(randomBytes(200)));
  bodyOf(
    await call(url, 'PUT', `/v1/directory/${session.accountId}`, {
      token: session.token,
      json: { entry: bytesText(bytes), keyPackages },
    }),
    200,
  );
}

function claim(url: string, token: string, account: string) {
  return call(url, 'POST', `/v1/directory/${account}/key-packages/claim`, { token });
}

describe('rates are per account, not per session', () => {
  it('gives 10 sessions of one account the rate of one, and leaves other accounts their own', async () => {
    const burst = 5;
    const relay = await startRelay({ flags: { 'publish-per-second': 1, 'publish-burst': burst } });
    const identity = await newIdentity();
    const sessions = await Promise.all(
      Array.from({ length: 10 }, () => login(relay.url, identity)),
    );
    const topic = randomTopic();
    const statuses: number[] = [];
    const codes = new Set<string>();
    for (const session of sessions) {
      for (let index = 0; index < burst; index += 1) {
        const answer = await postEnvelope(relay.url, session.token, makeEnvelope(topic).bytes);
        statuses.push(answer.status);
        if (answer.status === 429) codes.add(errorCode(answer));
      }
    }
    const accepted = statuses.filter((status) => status === 201).length;
    // Per session, all 50 would pass; per account, the burst plus what refilled meanwhile.
    expect(accepted).toBeGreaterThanOrEqual(burst);
    expect(accepted).toBeLessThan(2 * burst);
    expect([...codes]).toEqual(['RELAY_RATE_LIMITED']);

    const other = await newSession(relay.url);
    expect((await postEnvelope(relay.url, other.token, makeEnvelope(topic).bytes)).status).toBe(
      201,
    );
  });

  it('bounds login challenges per client address with 429 RELAY_RATE_LIMITED', async () => {
    const relay = await startRelay({ flags: { 'auth-per-minute-per-address': 5 } });
    const statuses: number[] = [];
    let code: string | undefined;
    for (let index = 0; index < 8; index += 1) {
      const answer = await call(relay.url, 'POST', '/v1/auth/challenge', { json: {} });
      statuses.push(answer.status);
      if (answer.status === 429) {
        code = errorCode(answer);
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(code).toBe('RELAY_RATE_LIMITED');
  });
});

describe('KeyPackage claims', () => {
  it('does not let one claimer drain another account’s one-time packages', async () => {
    const relay = await startRelay({ flags: { 'key-packages-per-pair-per-hour': 3 } });
    const bobIdentity = await newIdentity();
    const bob = await login(relay.url, bobIdentity);
    await publishEntry(relay.url, bobIdentity, bob, 20);
    const mallory = await newSession(relay.url);

    const claims: { lastResort: boolean }[] = [];
    for (let index = 0; index < 20; index += 1) {
      claims.push(bodyOf(await claim(relay.url, mallory.token, bob.accountId), 200));
    }
    // Three one-time packages, then the last resort (never a refusal that blocks inviting).
    expect(claims.map((item) => item.lastResort)).toEqual([
      ...Array<boolean>(3).fill(false),
      ...Array<boolean>(17).fill(true),
    ]);
    const entry = bodyOf<{ availableKeyPackages: number }>(
      await call(relay.url, 'GET', `/v1/directory/${bob.accountId}`),
      200,
    );
    expect(entry.availableKeyPackages).toBe(17);

    // Someone else who wants to invite Bob still gets a one-time package.
    const alice = await newSession(relay.url);
    const aliceClaim = bodyOf<{ lastResort: boolean }>(
      await claim(relay.url, alice.token, bob.accountId),
      200,
    );
    expect(aliceClaim.lastResort).toBe(false);
  });

  it('hands out a bounded number of one-time packages per target, whoever claims', async () => {
    const relay = await startRelay({ flags: { 'key-packages-per-target-per-hour': 4 } });
    const bobIdentity = await newIdentity();
    const bob = await login(relay.url, bobIdentity);
    await publishEntry(relay.url, bobIdentity, bob, 20);
    const claimers = await Promise.all(Array.from({ length: 8 }, () => newSession(relay.url)));
    const lastResort: boolean[] = [];
    for (const claimer of claimers) {
      const answer = bodyOf<{ lastResort: boolean }>(
        await claim(relay.url, claimer.token, bob.accountId),
        200,
      );
      lastResort.push(answer.lastResort);
    }
    expect(lastResort.filter((item) => !item)).toHaveLength(4);
    const entry = bodyOf<{ availableKeyPackages: number }>(
      await call(relay.url, 'GET', `/v1/directory/${bob.accountId}`),
      200,
    );
    expect(entry.availableKeyPackages).toBe(16);
  });
});

describe('unauthenticated WebSockets', () => {
  it('caps unauthenticated sockets per address, so they cannot lock an honest client out', async () => {
    const relay = await startRelay({
      flags: { 'max-connections': 40, 'max-unauthenticated-per-address': 8 },
    });
    const honest = await newSession(relay.url);
    const silent: WsClient[] = [];
    const refusals = new Set<string>();
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const result = await WsClient.connect(relay.wsUrl);
      if (result.kind === 'open') silent.push(result.client);
      else {
        expect(result.status).toBe(503);
        refusals.add((JSON.parse(result.text) as { error: { code: string } }).error.code);
      }
    }
    expect(silent).toHaveLength(8);
    expect([...refusals]).toEqual(['RELAY_TOO_MANY_UNAUTHENTICATED']);

    // Another address still gets in, authenticates and is served.
    const client = await WsClient.authenticated(relay.wsUrl, honest.token, {
      localAddress: '127.0.0.2',
    });
    const topic = randomTopic();
    client.send({ type: 'subscribe', topic: bytesText(topic) });
    expect((await client.next((frame) => frame.type === 'subscribed')).type).toBe('subscribed');
    await client.close();
    await Promise.all(silent.map((socket) => socket.close()));
  });
});

describe('a large backlog', () => {
  it('is read in byte-bounded pages while the relay keeps answering other requests', async () => {
    const maxPageBytes = 1024 * 1024;
    const relay = await startRelay({ flags: { 'max-page-bytes': maxPageBytes } });
    const session = await newSession(relay.url);
    const topic = randomTopic();
    const envelopeBytes = 200 * 1024;
    const count = 40; // about 8 MiB
    for (let index = 0; index < count; index += 1) {
      bodyOf(
        await postEnvelope(relay.url, session.token, makeEnvelope(topic, envelopeBytes).bytes),
        201,
      );
    }

    const health: Promise<number>[] = [];
    const pages: EnvelopePage[] = [];
    let after = 0;
    for (;;) {
      health.push(call(relay.url, 'GET', '/healthz').then((answer) => answer.status));
      const page = bodyOf<EnvelopePage>(
        await fetchEnvelopes(relay.url, session.token, topic, { after, limit: 500 }),
        200,
      );
      const last = page.envelopes.at(-1);
      if (last === undefined) break;
      pages.push(page);
      after = last.seq;
    }
    expect(pages.flatMap((page) => page.envelopes.map((item) => item.seq))).toEqual(
      Array.from({ length: count }, (_, index) => index + 1),
    );
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      const bytes = page.envelopes.reduce(
        (total, item) => total + (item.envelope.length * 3) / 4,
        0,
      );
      expect(bytes).toBeLessThanOrEqual(maxPageBytes);
      expect(page.lastSeq).toBe(count);
    }
    expect(await Promise.all(health)).toEqual(health.map(() => 200));

    // The binary form: canonical DAG-CBOR with the raw envelope bytes, bounded the same way.
    const binary = await fetch(`${relay.url}/v1/topics/${bytesText(topic)}/envelopes?limit=500`, {
      headers: { authorization: `Bearer ${session.token}`, accept: 'application/cbor' },
    });
    expect(binary.headers.get('content-type')).toMatch(/^application\/cbor/);
    const decoded = decodeCanonical(new Uint8Array(await binary.arrayBuffer()), {
      maxBytes: 4 * maxPageBytes,
    }) as { envelopes: { seq: number; envelope: Uint8Array }[]; lastSeq: number };
    expect(decoded.lastSeq).toBe(count);
    expect(decoded.envelopes.map((item) => item.seq)).toEqual(
      pages[0]?.envelopes.map((item) => item.seq),
    );
    expect(decoded.envelopes[0]?.envelope).toBeInstanceOf(Uint8Array);
    expect(bytesText(decoded.envelopes[0]?.envelope ?? new Uint8Array())).toBe(
      pages[0]?.envelopes[0]?.envelope,
    );
  });
});

describe('a consumer that never reads', () => {
  it('is cut off with 4408 once its send buffer passes the cap, while an honest one gets everything', async () => {
    const relay = await startRelay({ flags: { 'max-buffered-bytes-per-socket': 1024 * 1024 } });
    const poster = await newSession(relay.url);
    const topic = randomTopic();
    const subscribe = async (client: WsClient) => {
      client.send({ type: 'subscribe', topic: bytesText(topic) });
      await client.next((frame) => frame.type === 'subscribed');
    };
    const slow = await WsClient.authenticated(relay.wsUrl, (await newSession(relay.url)).token);
    const honest = await WsClient.authenticated(relay.wsUrl, (await newSession(relay.url)).token);
    await subscribe(slow);
    await subscribe(honest);
    slow.pauseReading();

    // About 27 MB of frames: more than the kernel's socket buffers hold, so the relay's grows.
    const count = 100;
    for (let index = 0; index < count; index += 1) {
      bodyOf(
        await postEnvelope(relay.url, poster.token, makeEnvelope(topic, 200 * 1024).bytes),
        201,
      );
    }
    for (let seq = 1; seq <= count; seq += 1) {
      const frame = await honest.next(
        (candidate) => candidate.type === 'envelope' && candidate.seq === seq,
        30_000,
      );
      expect(frame.seq).toBe(seq);
    }
    slow.resumeReading();
    expect((await slow.closed).code).toBe(4408);
    await honest.close();
  });
});

describe('inbox shares per sender', () => {
  it('refuses an outsider beyond its share of an inbox, and another sender still gets through', async () => {
    const share = 256 * 1024;
    const relay = await startRelay({
      flags: {
        'retention-max-bytes-per-topic': 1024 * 1024,
        'max-inbox-bytes-per-sender': share,
      },
    });
    const carol = await newSession(relay.url);
    const inbox = inboxTopic(carol.accountId);
    // Carol subscribes once and goes offline: nothing of hers is acknowledged.
    const carolSocket = await WsClient.authenticated(relay.wsUrl, carol.token);
    carolSocket.send({ type: 'subscribe', topic: bytesText(inbox) });
    await carolSocket.next((frame) => frame.type === 'subscribed');
    await carolSocket.close();

    const outsider = await newSession(relay.url);
    const statuses: number[] = [];
    let refusal: string | undefined;
    for (let index = 0; index < 20 && refusal === undefined; index += 1) {
      const answer = await postEnvelope(
        relay.url,
        outsider.token,
        makeEnvelope(inbox, 60 * 1024).bytes,
      );
      statuses.push(answer.status);
      if (answer.status !== 201) refusal = errorCode(answer);
    }
    expect(refusal).toBe('RELAY_INBOX_SENDER_QUOTA');
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((status) => status === 201).length).toBe(4);

    const alice = await newSession(relay.url);
    const invitation = await postEnvelope(relay.url, alice.token, makeEnvelope(inbox, 2048).bytes);
    expect(invitation.status).toBe(201);

    // Once Carol acknowledges, the outsider's share is free again.
    const page = bodyOf<EnvelopePage>(await fetchEnvelopes(relay.url, carol.token, inbox), 200);
    expect((await ack(relay.url, carol.token, inbox, page.lastSeq)).status).toBe(204);
    expect(
      (await postEnvelope(relay.url, outsider.token, makeEnvelope(inbox, 60 * 1024).bytes)).status,
    ).toBe(201);
  });
});
