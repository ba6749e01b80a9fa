/**
 * Key transparency on reads (issue #11 item 8, docs/spec/log.md §Key transparency), against a
 * real relay process: a proxy that serves Carol Bob's superseded directory entry is refused with
 * both of Bob's signed entries as evidence; an entry of Alice's account that her device did not
 * publish (her key leaked) raises a warning on her device; and an account reinstalled 20 times
 * keeps registering, with every old device dropped: no KeyPackage of it left, no new chat for it.
 */
import {
  certifyDevice,
  createDirectoryEntry,
  decodeCanonical,
  decodeMls,
  fromBase64Url,
  generateIdentity,
  readMemberCredential,
  toHex,
  verifyDirectoryEntry,
} from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bodyOf,
  bytesText,
  call,
  login,
  newIdentity,
  newSession,
} from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import { isClientError } from '../../../src/index.js';
import {
  cleanupClients,
  openClient,
  random,
  record,
  suite,
  type TestClient,
} from '../support/clients.js';
import { closeProxies, proxyFor, startFastRelay, waitFor } from './scenario.js';

afterEach(async () => {
  await cleanupClients();
  await closeProxies();
  await cleanupRelays();
});

interface DirectoryAnswer {
  readonly entry: string;
  readonly cid: string;
  readonly leafIndex: number;
  readonly availableKeyPackages: number;
}

/** The relay's own answer for an account's entry (no proxy). */
async function directoryOf(relayUrl: string, account: string): Promise<DirectoryAnswer> {
  return bodyOf<DirectoryAnswer>(await call(relayUrl, 'GET', `/v1/directory/${account}`), 200);
}

/** The Ed25519 key of a client's device, as its store holds it. */
async function deviceKeyOf(opened: TestClient): Promise<string> {
  const bytes = await opened.store.get('device');
  if (bytes === undefined) throw new Error('the client has no device key');
  const { seed } = decodeCanonical(bytes) as { seed: Uint8Array };
  return toHex(await suite.ed25519.publicKey(seed));
}

describe('a relay that serves an account’s superseded directory entry', () => {
  it('is refused by a client that saw the newer one, with both signed entries as evidence', async () => {
    const relay = await startFastRelay();
    const proxy = await proxyFor(relay);
    const bob = await openClient({ relayUrl: relay.url });
    const carol = await openClient({ relayUrl: proxy.url });
    const bobId = bob.client.accountId;
    await carol.client.chats.createGroup({ name: 'before', members: [bobId] });
    const first = await directoryOf(relay.url, bobId);

    // Bob reinstalls: a new device, a new entry that replaces the device list.
    const reinstalled = await openClient({ relayUrl: relay.url, identity: bob.identity });
    const second = await directoryOf(relay.url, bobId);
    expect(second.cid).not.toBe(first.cid);
    await carol.client.chats.createGroup({ name: 'after', members: [bobId] });

    const warnings = record(carol.client, 'directory-warning');
    proxy.staleDirectory(bobId, first.cid);
    const refused = await carol.client.chats.createGroup({ name: 'stale', members: [bobId] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(proxy.tampered.some((lie) => lie.kind === 'stale-entry')).toBe(true);
    expect(isClientError(refused, 'CLIENT_DIRECTORY_ROLLBACK')).toBe(true);

    const evidence = await carol.client.directoryEvidence();
    expect(evidence).toHaveLength(1);
    const [found] = evidence;
    if (found?.kind !== 'directory-rollback') throw new Error('expected rollback evidence');
    expect(found).toMatchObject({
      account: bobId,
      newer: { cid: second.cid, leafIndex: second.leafIndex },
      older: { cid: first.cid, leafIndex: first.leafIndex },
    });
    expect(warnings.map((warning) => warning.evidence.id)).toEqual([found.id]);
    // Both entries are Bob's own signatures: anyone can check the evidence.
    const newer = await verifyDirectoryEntry(suite, found.newer.entry);
    const older = await verifyDirectoryEntry(suite, found.older.entry);
    if (!newer.ok || !older.ok) throw new Error('evidence entries do not verify');
    expect([newer.value.entry.account, older.value.entry.account]).toEqual([bobId, bobId]);
    expect(newer.value.entry.updatedAt).toBeGreaterThan(older.value.entry.updatedAt);
    expect(newer.value.entry.devices.map((d) => toHex(d.deviceKey))).toEqual([
      await deviceKeyOf(reinstalled),
    ]);

    // Honest again, the newest entry serves.
    proxy.honest();
    const chat = await carol.client.chats.createGroup({ name: 'honest', members: [bobId] });
    expect(chat.id).toBeTruthy();
  });
});

describe('a relay that serves a directory entry at a leaf that holds something else', () => {
  it('is refused by a client whose checkpoint covers that leaf, with not-included evidence', async () => {
    const relay = await startFastRelay();
    const proxy = await proxyFor(relay);
    const carol = await openClient({ relayUrl: proxy.url });
    const bob = await openClient({ relayUrl: relay.url });
    const bobId = bob.client.accountId;
    const real = await directoryOf(relay.url, bobId);
    await waitFor(
      `Carol holds a checkpoint covering leaf ${real.leafIndex}`,
      () => carol.client.checkLog(),
      (held) => (held?.checkpoint.size ?? 0) > real.leafIndex,
    );
    // Leaf 0 is Carol's own entry, not Bob's.
    expect(real.leafIndex).toBeGreaterThan(0);
    proxy.misplaceDirectoryLeaf(bobId, 0);
    const refused = await carol.client.chats.createGroup({ name: 'x', members: [bobId] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(proxy.tampered.some((lie) => lie.kind === 'misplaced-entry')).toBe(true);
    expect(isClientError(refused, 'CLIENT_DIRECTORY_NOT_LOGGED')).toBe(true);
    const evidence = await carol.client.logEvidence();
    expect(evidence).toMatchObject([{ kind: 'not-included', cid: real.cid, leafIndex: 0 }]);
  });
});

describe('an entry of her own account that Alice’s device did not publish', () => {
  it('raises a directory warning on her device, once, with the signed entry', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    await alice.client.sync();
    expect(await alice.client.directoryEvidence()).toEqual([]);
    const published = await directoryOf(relay.url, alice.client.accountId);

    // Someone holding Alice's identity key (a leaked key file) publishes their own device.
    const intruder = await newIdentity();
    const now = Date.now() + 1000;
    const certificate = await certifyDevice(suite, alice.identity, {
      deviceKey: intruder.signingPublicKey,
      hpkeKey: intruder.hpkePublicKey,
      createdAt: now,
    });
    const forged = await createDirectoryEntry(suite, alice.identity, {
      devices: [certificate],
      lastResort: random(64),
      updatedAt: now,
    });
    const session = await login(relay.url, alice.identity);
    const put = await call(relay.url, 'PUT', `/v1/directory/${alice.client.accountId}`, {
      token: session.token,
      json: { entry: bytesText(forged.bytes) },
    });
    expect(put.status).toBe(200);

    const warnings = record(alice.client, 'directory-warning');
    await alice.client.sync();
    await alice.client.sync();
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    const evidence = warning?.evidence;
    if (evidence?.kind !== 'foreign-entry') throw new Error('expected a foreign-entry warning');
    expect(evidence).toMatchObject({
      account: alice.client.accountId,
      served: { cid: forged.cid.toString() },
      published: { cid: published.cid },
      deviceDropped: true,
    });
    const opened = await verifyDirectoryEntry(suite, evidence.served.entry);
    expect(opened.ok && opened.value.entry.account).toBe(alice.client.accountId);
    expect(await alice.client.directoryEvidence()).toHaveLength(1);
    // Her device does not put itself back behind her back: the forged entry stays served.
    expect((await directoryOf(relay.url, alice.client.accountId)).cid).toBe(forged.cid.toString());
  });
});

describe('an account reinstalled 20 times', () => {
  it('still registers; old devices have no KeyPackage left and get no new chat', async () => {
    // One claimer takes 21 one-time packages of one account: above the default per-pair budget.
    const relay = await startRelay({
      flags: {
        'claims-per-minute': 100,
        'key-packages-per-pair-per-hour': 1000,
        'key-packages-per-target-per-hour': 1000,
      },
    });
    const identity = await generateIdentity(suite, random);
    const installs: TestClient[] = [];
    for (let i = 0; i < 20; i++) installs.push(await openClient({ relayUrl: relay.url, identity }));
    const latest = installs.at(-1);
    const oldest = installs[0];
    if (latest === undefined || oldest === undefined) throw new Error('no installs');

    const answer = await directoryOf(relay.url, identity.accountId);
    const entry = await verifyDirectoryEntry(suite, fromBase64Url(answer.entry));
    if (!entry.ok) throw new Error('the entry does not verify');
    const latestDevice = await deviceKeyOf(latest);
    expect(entry.value.entry.devices.map((d) => toHex(d.deviceKey))).toEqual([latestDevice]);
    expect(answer.availableKeyPackages).toBe(20);

    // Every KeyPackage anyone can claim now is the latest device's.
    const claimer = await newSession(relay.url);
    const devices = new Set<string>();
    for (let i = 0; i < 21; i++) {
      const claimed = bodyOf<{ keyPackage: string; lastResort: boolean }>(
        await call(relay.url, 'POST', `/v1/directory/${identity.accountId}/key-packages/claim`, {
          token: claimer.token,
        }),
        200,
      );
      expect(claimed.lastResort).toBe(i === 20);
      const message = decodeMls(fromBase64Url(claimed.keyPackage));
      if (message.wireformat !== 'mls_key_package') throw new Error('not a KeyPackage');
      devices.add(toHex(readMemberCredential(message.keyPackage.leafNode.credential).device));
    }
    expect([...devices]).toEqual([latestDevice]);

    // A new chat reaches the latest device only.
    const carol = await openClient({ relayUrl: relay.url });
    const group = await carol.client.chats.createGroup({
      name: 'after reinstalls',
      members: [identity.accountId],
    });
    await latest.client.sync();
    expect((await latest.client.chats.list()).map((chat) => chat.id)).toEqual([group.id]);
    for (const old of [oldest, installs[10], installs[18]]) {
      if (old === undefined) continue;
      await old.client.sync();
      expect(await old.client.chats.list()).toEqual([]);
    }
  });
});
