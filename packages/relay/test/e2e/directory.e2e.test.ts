/**
 * The directory (docs/spec/relay-api.md §Directory) on a real relay: an account publishes its
 * signed entry and one-time KeyPackages; concurrent claims hand each one-time package out exactly
 * once, then the last-resort package. The KeyPackages are random bytes: the relay treats them as
 * opaque.
 */
import { certifyDevice, createDirectoryEntry, type Identity } from '@parley/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bodyOf,
  bytesText,
  call,
  errorCode,
  login,
  newIdentity,
  newSession,
  randomBytes,
  suite,
  type Answer,
  type Session,
} from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay, type RelayProcess } from '@parley/test-support/relay-process';

afterAll(cleanupRelays);

const CLAIMS_PER_MINUTE = 20;
// One session claims every package here: the per-pair and per-target one-time budgets
// (limits.e2e.test.ts) are raised out of the way.
const RELAY_FLAGS = {
  'claims-per-minute': CLAIMS_PER_MINUTE,
  'key-packages-per-pair-per-hour': 1000,
  'key-packages-per-target-per-hour': 1000,
};

interface Claim {
  readonly keyPackage: string;
  readonly lastResort: boolean;
}

/** A signed directory entry for `identity` with one certified device (a new one by default). */
async function signedEntry(
  identity: Identity,
  lastResort: Uint8Array,
  updatedAt: number,
  device?: Identity,
): Promise<{ bytes: Uint8Array; cid: string }> {
  device ??= await newIdentity();
  const certificate = await certifyDevice(suite, identity, {
    deviceKey: device.signingPublicKey,
    hpkeKey: device.hpkePublicKey,
    createdAt: updatedAt,
  });
  const { bytes, cid } = await createDirectoryEntry(suite, identity, {
    devices: [certificate],
    lastResort,
    updatedAt,
  });
  return { bytes, cid: cid.toString() };
}

function putEntry(
  relay: RelayProcess,
  session: Session,
  accountId: string,
  entry: Uint8Array,
  keyPackages?: readonly Uint8Array[],
): Promise<Answer> {
  return call(relay.url, 'PUT', `/v1/directory/${accountId}`, {
    token: session.token,
    json: {
      entry: bytesText(entry),
      ...(keyPackages === undefined ? {} : { keyPackages: keyPackages.map(bytesText) }),
    },
  });
}

function claim(relay: RelayProcess, session: Session, accountId: string): Promise<Answer> {
  return call(relay.url, 'POST', `/v1/directory/${accountId}/key-packages/claim`, {
    token: session.token,
  });
}

function countBy<T>(items: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

describe('a published directory entry and its key packages', () => {
  let relay: RelayProcess;
  let owner: Session & { identity: Identity };
  const lastResort = randomBytes(512);
  const oneTime = Array.from({ length: 20 }, () => randomBytes(300));
  let updatedAt: number;
  let entry: { bytes: Uint8Array; cid: string };

  beforeAll(async () => {
    relay = await startRelay({ flags: RELAY_FLAGS });
    owner = await newSession(relay.url);
    updatedAt = Date.now();
    entry = await signedEntry(owner.identity, lastResort, updatedAt);
  });

  it('stores the entry with 20 one-time packages and serves it without a session', async () => {
    const put = await putEntry(relay, owner, owner.accountId, entry.bytes, oneTime);
    const { leafIndex } = bodyOf<{ leafIndex: number }>(put, 200);
    expect(bodyOf(put, 200)).toEqual({ cid: entry.cid, availableKeyPackages: 20, leafIndex });

    const got = await call(relay.url, 'GET', `/v1/directory/${owner.accountId}`);
    expect(bodyOf(got, 200)).toEqual({
      entry: bytesText(entry.bytes),
      cid: entry.cid,
      availableKeyPackages: 20,
      leafIndex,
    });
    // The leaf is the entry's CID, provable against a signed checkpoint.
    let proof: Answer | undefined;
    for (let attempt = 0; attempt < 100 && proof?.status !== 200; attempt++) {
      const note = (await call(relay.url, 'GET', '/v1/log/checkpoint')).text;
      const size = Number(note.split('\n')[1]);
      if (size > leafIndex) {
        proof = await call(
          relay.url,
          'GET',
          `/v1/log/proof/inclusion?size=${size}&cid=${entry.cid}`,
        );
      } else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(bodyOf<{ index: number }>(proof as Answer, 200).index).toBe(leafIndex);
  });

  it('hands each one-time package out exactly once under 60 concurrent claims, then the last resort', async () => {
    const claimants = await Promise.all(Array.from({ length: 6 }, () => newSession(relay.url)));
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        claim(relay, claimants[index % claimants.length] as Session, owner.accountId),
      ),
    );
    const claims = answers.map((answer) => bodyOf<Claim>(answer, 200));
    const handedOut = claims.filter((item) => !item.lastResort).map((item) => item.keyPackage);
    const fallbacks = claims.filter((item) => item.lastResort);

    expect(handedOut).toHaveLength(20);
    expect([...countBy(handedOut).values()].every((count) => count === 1)).toBe(true);
    expect(new Set(handedOut)).toEqual(new Set(oneTime.map(bytesText)));
    expect(fallbacks).toHaveLength(40);
    for (const item of fallbacks) expect(item.keyPackage).toBe(bytesText(lastResort));

    const got = bodyOf<{ availableKeyPackages: number }>(
      await call(relay.url, 'GET', `/v1/directory/${owner.accountId}`),
      200,
    );
    expect(got.availableKeyPackages).toBe(0);
  });

  it('remembers which packages were handed out across kill -9', async () => {
    expect((await relay.kill9()).signal).toBe('SIGKILL');
    relay = await startRelay({
      dataDir: relay.dataDir,
      flags: RELAY_FLAGS,
    });
    owner = { ...(await login(relay.url, owner.identity)), identity: owner.identity };
    const got = bodyOf<{ availableKeyPackages: number; cid: string }>(
      await call(relay.url, 'GET', `/v1/directory/${owner.accountId}`),
      200,
    );
    expect(got).toMatchObject({ availableKeyPackages: 0, cid: entry.cid });
    const claimant = await newSession(relay.url);
    expect(bodyOf<Claim>(await claim(relay, claimant, owner.accountId), 200)).toEqual({
      keyPackage: bytesText(lastResort),
      lastResort: true,
    });
  });

  it('never adds back a package that was already handed out', async () => {
    const fresh = [randomBytes(300), randomBytes(300)];
    const newerLastResort = randomBytes(400);
    const newer = await signedEntry(owner.identity, newerLastResort, updatedAt + 1);
    const put = await putEntry(relay, owner, owner.accountId, newer.bytes, [
      ...oneTime.slice(0, 3),
      ...fresh,
    ]);
    expect(bodyOf(put, 200)).toMatchObject({ cid: newer.cid, availableKeyPackages: 2 });

    const claimant = await newSession(relay.url);
    const claims: Claim[] = [];
    for (let index = 0; index < 3; index += 1) {
      claims.push(bodyOf<Claim>(await claim(relay, claimant, owner.accountId), 200));
    }
    expect(new Set(claims.slice(0, 2).map((item) => item.keyPackage))).toEqual(
      new Set(fresh.map(bytesText)),
    );
    expect(claims.slice(0, 2).every((item) => !item.lastResort)).toBe(true);
    expect(claims[2]).toEqual({ keyPackage: bytesText(newerLastResort), lastResort: true });
  });

  it('refuses a package beyond 256 unclaimed ones with 409 RELAY_TOO_MANY_KEY_PACKAGES', async () => {
    const account = await newSession(relay.url);
    const now = Date.now();
    const device = await newIdentity();
    const first = await signedEntry(account.identity, randomBytes(64), now, device);
    const full = await putEntry(
      relay,
      account,
      account.accountId,
      first.bytes,
      Array.from({ length: 256 }, () => randomBytes(16)),
    );
    expect(bodyOf(full, 200)).toMatchObject({ cid: first.cid, availableKeyPackages: 256 });

    const second = await signedEntry(account.identity, randomBytes(64), now + 1, device);
    const oneMore = await putEntry(relay, account, account.accountId, second.bytes, [
      randomBytes(16),
    ]);
    expect(oneMore.status, oneMore.text).toBe(409);
    expect(errorCode(oneMore)).toBe('RELAY_TOO_MANY_KEY_PACKAGES');
  });

  it('drops the unclaimed packages of a device a newer entry no longer lists (a reinstall)', async () => {
    const account = await newSession(relay.url);
    const now = Date.now();
    for (let install = 0; install < 20; install++) {
      const entry = await signedEntry(account.identity, randomBytes(64), now + install);
      const packages = Array.from({ length: 21 }, () => randomBytes(16));
      const put = await putEntry(relay, account, account.accountId, entry.bytes, packages);
      expect(bodyOf(put, 200)).toMatchObject({ cid: entry.cid, availableKeyPackages: 21 });
    }
  });

  it('refuses 257 packages in one request with 409 RELAY_TOO_MANY_KEY_PACKAGES', async () => {
    const account = await newSession(relay.url);
    const entry = await signedEntry(account.identity, randomBytes(64), Date.now());
    const tooMany = Array.from({ length: 257 }, () => randomBytes(16));
    const refused = await putEntry(relay, account, account.accountId, entry.bytes, tooMany);
    expect(refused.status, refused.text).toBe(409);
    expect(errorCode(refused)).toBe('RELAY_TOO_MANY_KEY_PACKAGES');
  });

  it.for([
    { name: 'an empty key package', size: 0 },
    { name: 'a key package over 16 KiB', size: 16 * 1024 + 1 },
  ])('refuses $name with 400 RELAY_DIRECTORY_INVALID', async ({ size }) => {
    const account = await newSession(relay.url);
    const entry = await signedEntry(account.identity, randomBytes(64), Date.now());
    const answer = await putEntry(relay, account, account.accountId, entry.bytes, [
      randomBytes(size),
    ]);
    expect(answer.status, answer.text).toBe(400);
    expect(errorCode(answer)).toBe('RELAY_DIRECTORY_INVALID');
  });

  it('rate-limits claims per claiming account with 429 RELAY_RATE_LIMITED and Retry-After', async () => {
    const greedy = await newSession(relay.url);
    const statuses: number[] = [];
    let limited: Answer | undefined;
    for (let index = 0; index < CLAIMS_PER_MINUTE + 5; index += 1) {
      const answer = await claim(relay, greedy, owner.accountId);
      statuses.push(answer.status);
      if (answer.status === 429) limited ??= answer;
    }
    expect(statuses.slice(0, CLAIMS_PER_MINUTE).every((status) => status === 200)).toBe(true);
    expect(limited?.status, statuses.join()).toBe(429);
    if (limited === undefined) return;
    expect(errorCode(limited)).toBe('RELAY_RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);

    // The limit is the session's: another session still claims.
    const patient = await newSession(relay.url);
    expect((await claim(relay, patient, owner.accountId)).status).toBe(200);
  });
});
