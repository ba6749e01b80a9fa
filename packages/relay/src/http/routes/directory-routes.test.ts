/** Directory routes (docs/spec/relay-api.md §Directory): publish, read, claim KeyPackages. */
import {
  MAX_KEY_PACKAGE_BYTES,
  certifyDevice,
  createDirectoryEntry,
  fromBase64Url,
  toBase64Url,
  type Identity,
} from '@parley/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  START_MS,
  errorOf,
  startTestRelay,
  suite,
  unsafeTestIdentity,
  type ErrorBody,
  type TestRelay,
} from '../../../test/support/in-process-relay.js';

const text = (value: string) => new TextEncoder().encode(value);
const decode = (value: string) => new TextDecoder().decode(fromBase64Url(value));

/** The canonical bytes of `identity`'s entry, in base64url. */
async function entryOf(identity: Identity, updatedAt: number, lastResort = 'last resort') {
  // One certified device (any valid key serves: the relay only lists it).
  const device = await certifyDevice(suite, identity, {
    deviceKey: identity.signingPublicKey,
    hpkeKey: identity.hpkePublicKey,
    createdAt: updatedAt,
  });
  const { bytes, cid } = await createDirectoryEntry(suite, identity, {
    devices: [device],
    lastResort: text(lastResort),
    updatedAt,
  });
  return { entry: toBase64Url(bytes), cid: cid.toString() };
}

function keyPackages(...labels: string[]): string[] {
  return labels.map((label) => toBase64Url(text(`key package ${label}`)));
}

let alice: Identity;
let bob: Identity;
beforeAll(async () => {
  alice = await unsafeTestIdentity('alice');
  bob = await unsafeTestIdentity('bob');
});

let relay: TestRelay;
let aliceToken: string;
let bobToken: string;
beforeEach(async () => {
  relay = await startTestRelay({ flags: { 'claims-per-minute': '6' } });
  aliceToken = await relay.login(alice);
  bobToken = await relay.login(bob);
});
afterEach(async () => {
  await relay.close();
});

const path = (identity: Identity) => `/v1/directory/${identity.accountId}`;

/** PUT with `body`, leaving out the `cid` that `entryOf` returns beside the entry. */
function put(identity: Identity, token: string, body: object) {
  const { cid: _cid, ...json } = body as { cid?: string };
  return relay.request('PUT', path(identity), { token, json });
}

function claim(identity: Identity, token?: string) {
  return relay.request('POST', `${path(identity)}/key-packages/claim`, {
    ...(token === undefined ? {} : { token }),
  });
}

describe('PUT and GET /v1/directory/{accountId}', () => {
  it('publishes an entry with one-time KeyPackages that anyone can read', async () => {
    const published = await entryOf(alice, START_MS);
    const answer = await put(alice, aliceToken, {
      ...published,
      keyPackages: keyPackages('1', '2'),
    });
    expect(answer.statusCode).toBe(200);
    const leafIndex = answer.json<{ leafIndex: number }>().leafIndex;
    expect(answer.json()).toEqual({ cid: published.cid, availableKeyPackages: 2, leafIndex });
    // The entry is the log's first leaf.
    expect(leafIndex).toBe(0);
    const read = await relay.request('GET', path(alice));
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ ...published, availableKeyPackages: 2, leafIndex: 0 });
  });

  it('needs the device of the KeyPackages named when the entry lists several, and listed', async () => {
    const other = await unsafeTestIdentity('alice phone');
    const devices = await Promise.all(
      [alice, other].map((key) =>
        certifyDevice(suite, alice, {
          deviceKey: key.signingPublicKey,
          hpkeKey: key.hpkePublicKey,
          createdAt: START_MS,
        }),
      ),
    );
    const { bytes } = await createDirectoryEntry(suite, alice, {
      devices,
      lastResort: text('last resort'),
      updatedAt: START_MS,
    });
    const entry = toBase64Url(bytes);
    expect(await errorOf(put(alice, aliceToken, { entry, keyPackages: keyPackages('1') }))).toEqual(
      { status: 400, code: 'RELAY_DIRECTORY_INVALID' },
    );
    expect(
      await errorOf(
        put(alice, aliceToken, {
          entry,
          keyPackages: keyPackages('1'),
          device: toBase64Url(bob.signingPublicKey),
        }),
      ),
    ).toEqual({ status: 400, code: 'RELAY_DIRECTORY_INVALID' });
    const named = await put(alice, aliceToken, {
      entry,
      keyPackages: keyPackages('1'),
      device: toBase64Url(other.signingPublicKey),
    });
    expect(named.statusCode).toBe(200);
    expect(named.json()).toMatchObject({ availableKeyPackages: 1 });
  });

  it('answers 404 RELAY_NOT_FOUND for an account without an entry', async () => {
    expect(await errorOf(relay.request('GET', path(bob)))).toEqual({
      status: 404,
      code: 'RELAY_NOT_FOUND',
    });
  });

  it('requires a session, of the account itself', async () => {
    const published = await entryOf(alice, START_MS);
    const json = { entry: published.entry };
    expect(await errorOf(relay.request('PUT', path(alice), { json }))).toEqual({
      status: 401,
      code: 'RELAY_UNAUTHENTICATED',
    });
    expect(await errorOf(put(alice, bobToken, published))).toEqual({
      status: 403,
      code: 'RELAY_FORBIDDEN',
    });
    expect((await relay.request('GET', path(alice))).statusCode).toBe(404);
  });

  it('refuses an entry that is not newer than the stored one with 409 RELAY_DIRECTORY_STALE', async () => {
    expect((await put(alice, aliceToken, await entryOf(alice, START_MS))).statusCode).toBe(200);
    for (const updatedAt of [START_MS, START_MS - 1]) {
      expect(
        await errorOf(
          put(alice, aliceToken, {
            ...(await entryOf(alice, updatedAt, 'other')),
            keyPackages: keyPackages('1'),
          }),
        ),
      ).toEqual({ status: 409, code: 'RELAY_DIRECTORY_STALE' });
    }
    const read = await relay.request('GET', path(alice));
    expect(read.json()).toMatchObject({ availableKeyPackages: 0 });
    const newer = await entryOf(alice, START_MS + 1, 'newer');
    expect((await put(alice, aliceToken, newer)).json()).toMatchObject({ cid: newer.cid });
  });

  it('refuses an entry that does not verify with 400 RELAY_DIRECTORY_INVALID', async () => {
    const published = await entryOf(alice, START_MS);
    const tampered = fromBase64Url(published.entry);
    // Flip a bit of the last byte: inside the signature.
    const last = tampered.length - 1;
    tampered[last] = (tampered[last] ?? 0) ^ 0x01;
    const bobs = await entryOf(bob, START_MS);
    for (const json of [
      { entry: toBase64Url(tampered) },
      { entry: toBase64Url(text('not a directory entry')) },
      // Bob's valid entry, published under alice's id with alice's session.
      bobs,
    ]) {
      expect(await errorOf(put(alice, aliceToken, json))).toEqual({
        status: 400,
        code: 'RELAY_DIRECTORY_INVALID',
      });
    }
  });

  it('refuses a KeyPackage that is empty or over 16 KiB', async () => {
    const published = await entryOf(alice, START_MS);
    for (const bad of [new Uint8Array(0), new Uint8Array(MAX_KEY_PACKAGE_BYTES + 1)]) {
      expect(
        await errorOf(put(alice, aliceToken, { ...published, keyPackages: [toBase64Url(bad)] })),
      ).toEqual({ status: 400, code: 'RELAY_DIRECTORY_INVALID' });
    }
    const largest = toBase64Url(new Uint8Array(MAX_KEY_PACKAGE_BYTES).fill(1));
    expect(
      (await put(alice, aliceToken, { ...published, keyPackages: [largest] })).statusCode,
    ).toBe(200);
  });

  it('refuses more than 256 unclaimed KeyPackages with 409 RELAY_TOO_MANY_KEY_PACKAGES', async () => {
    const labels = (from: number, count: number) =>
      keyPackages(...Array.from({ length: count }, (_, index) => String(from + index)));
    const first = await put(alice, aliceToken, {
      ...(await entryOf(alice, START_MS)),
      keyPackages: labels(0, 200),
    });
    expect(first.json()).toMatchObject({ availableKeyPackages: 200 });
    expect(
      await errorOf(
        put(alice, aliceToken, {
          ...(await entryOf(alice, START_MS + 1)),
          keyPackages: labels(200, 57),
        }),
      ),
    ).toEqual({ status: 409, code: 'RELAY_TOO_MANY_KEY_PACKAGES' });
    const upTo256 = await put(alice, aliceToken, {
      ...(await entryOf(alice, START_MS + 2)),
      keyPackages: labels(200, 56),
    });
    expect(upTo256.json()).toMatchObject({ availableKeyPackages: 256 });
  });

  it('refuses a body that does not match the schema with RELAY_INVALID_REQUEST', async () => {
    const published = await entryOf(alice, START_MS);
    for (const json of [
      {},
      { ...published, extra: 1 },
      { ...published, keyPackages: 'not a list' },
      { ...published, keyPackages: keyPackages(...Array.from({ length: 1025 }, String)) },
    ]) {
      expect(await errorOf(put(alice, aliceToken, json))).toEqual({
        status: 400,
        code: 'RELAY_INVALID_REQUEST',
      });
    }
  });
});

describe('POST /v1/directory/{accountId}/key-packages/claim', () => {
  it('hands out each one-time KeyPackage once, then the last-resort one', async () => {
    await put(alice, aliceToken, {
      ...(await entryOf(alice, START_MS, 'alice last resort')),
      keyPackages: keyPackages('1', '2'),
    });
    const claims = [];
    for (let i = 0; i < 3; i++) {
      const answer = await claim(alice, bobToken);
      expect(answer.statusCode).toBe(200);
      const body = answer.json<{ keyPackage: string; lastResort: boolean }>();
      claims.push({ keyPackage: decode(body.keyPackage), lastResort: body.lastResort });
    }
    expect(claims.slice(0, 2).sort((a, b) => a.keyPackage.localeCompare(b.keyPackage))).toEqual([
      { keyPackage: 'key package 1', lastResort: false },
      { keyPackage: 'key package 2', lastResort: false },
    ]);
    expect(claims[2]).toEqual({ keyPackage: 'alice last resort', lastResort: true });
    expect((await relay.request('GET', path(alice))).json()).toMatchObject({
      availableKeyPackages: 0,
    });
  });

  it('never hands out again a claimed KeyPackage that is published again', async () => {
    await put(alice, aliceToken, {
      ...(await entryOf(alice, START_MS)),
      keyPackages: keyPackages('1'),
    });
    expect((await claim(alice, bobToken)).json()).toMatchObject({ lastResort: false });
    const again = await put(alice, aliceToken, {
      ...(await entryOf(alice, START_MS + 1)),
      keyPackages: keyPackages('1'),
    });
    expect(again.json()).toMatchObject({ availableKeyPackages: 0 });
    expect((await claim(alice, bobToken)).json()).toMatchObject({ lastResort: true });
  });

  it('requires a session and an existing entry', async () => {
    expect(await errorOf(claim(alice))).toEqual({ status: 401, code: 'RELAY_UNAUTHENTICATED' });
    expect(await errorOf(claim(alice, bobToken))).toEqual({
      status: 404,
      code: 'RELAY_NOT_FOUND',
    });
  });

  it('rate-limits claims per session with 429 RELAY_RATE_LIMITED and Retry-After', async () => {
    await put(alice, aliceToken, await entryOf(alice, START_MS));
    // 6 per minute: a burst of 6, then one every 10 s.
    for (let i = 0; i < 6; i++) expect((await claim(alice, bobToken)).statusCode).toBe(200);
    const limited = await claim(alice, bobToken);
    expect(limited.statusCode).toBe(429);
    expect(limited.json<ErrorBody>().error.code).toBe('RELAY_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('10');
    expect((await claim(alice, aliceToken)).statusCode).toBe(200);
    relay.advance(10_000);
    expect((await claim(alice, bobToken)).statusCode).toBe(200);
  });
});
