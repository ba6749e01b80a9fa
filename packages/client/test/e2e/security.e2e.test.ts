/**
 * Attacks from outside the SDK, built with @parley/core, MLS test members and the relay's HTTP API:
 * KeyPackages whose credential lies, replayed ciphertexts, and messages from a removed member.
 * The SDK must refuse each one and leave the group and the histories as they were.
 */
import {
  certifyDevice,
  createChatEntry,
  createDirectoryEntry,
  createEnvelope,
  decodeCanonical,
  decodeEnvelope,
  decodeGroupState,
  encryptApplicationMessage,
  fromBase64Url,
  generateIdentity,
  inboxTopic,
  toBase64Url,
  type AccountId,
  type Identity,
} from '@parley/core';
import { unsafeForgedKeyPackage } from '@parley/test-support/mls-members';
import { afterEach, describe, expect, it } from 'vitest';
import { call, fetchAll, login } from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import { ClientError } from '../../src/index.js';
import {
  chatRecord,
  cleanupClients,
  epochView,
  fullHistory,
  openClient,
  random,
  record,
  suite,
  texts,
  type TestClient,
  groupOfThree,
  publishAsMember,
  scenarioMls,
  usableState,
} from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

/** A device key pair: an Ed25519 seed and its public key. */
async function newDeviceKey(): Promise<{ seed: Uint8Array; publicKey: Uint8Array }> {
  const seed = random(32);
  return { seed, publicKey: await suite.ed25519.publicKey(seed) };
}

/**
 * An encoded MLS KeyPackage whose credential claims `claimed`, signed by `signer`; `tamper`
 * edits its signature first.
 */
async function keyPackage(
  claimed: { account: AccountId; device: Uint8Array },
  signer: { seed: Uint8Array; publicKey: Uint8Array },
  tamper?: (signature: Uint8Array) => void,
): Promise<Uint8Array> {
  return unsafeForgedKeyPackage(await scenarioMls(), claimed, signer, tamper);
}

/** How mallory's one-time KeyPackage lies. */
type Forgery =
  | 'claims-another-account'
  | 'claims-an-uncertified-device'
  | 'signed-by-another-key'
  | 'bad-signature';

/**
 * Mallory publishes an honest directory entry (one certified device, an honest last-resort
 * KeyPackage) and one forged one-time KeyPackage, which is what the relay hands out first.
 */
async function publishMallory(relayUrl: string, forgery: Forgery, victim: AccountId) {
  const mallory: Identity = await generateIdentity(suite, random);
  const device = await newDeviceKey();
  const other = await newDeviceKey();
  const hpkeKey = await suite.x25519.publicKey(random(32));
  const certificate = await certifyDevice(suite, mallory, {
    deviceKey: device.publicKey,
    hpkeKey,
    createdAt: Date.now(),
  });
  const own = { account: mallory.accountId, device: device.publicKey };
  const forged = {
    'claims-another-account': () =>
      keyPackage({ account: victim, device: device.publicKey }, device),
    'claims-an-uncertified-device': () =>
      keyPackage({ account: mallory.accountId, device: other.publicKey }, other),
    'signed-by-another-key': () => keyPackage(own, other),
    'bad-signature': () =>
      keyPackage(own, device, (signature) => {
        signature[0] = (signature[0] ?? 0) ^ 0x01;
      }),
  }[forgery];
  const { bytes: entry } = await createDirectoryEntry(suite, mallory, {
    devices: [certificate],
    lastResort: await keyPackage(own, device),
    updatedAt: Date.now(),
  });
  const session = await login(relayUrl, mallory);
  const answer = await call(relayUrl, 'PUT', `/v1/directory/${mallory.accountId}`, {
    token: session.token,
    json: { entry: toBase64Url(entry), keyPackages: [toBase64Url(await forged())] },
  });
  expect(answer.status).toBe(200);
  return { mallory, token: session.token };
}

describe('a KeyPackage whose credential lies', () => {
  it.each<Forgery>([
    'claims-another-account',
    'claims-an-uncertified-device',
    'signed-by-another-key',
    'bad-signature',
  ])('is refused when it %s, and the group stays as it was', async (forgery) => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const group = await alice.client.chats.createGroup({
      name: 'team',
      members: [bob.client.accountId],
    });
    await bob.client.sync();
    const bobGroup = await bob.client.chats.get(group.id);
    const { mallory, token } = await publishMallory(relay.url, forgery, alice.client.accountId);
    const viewBefore = await epochView(bob.store, group.id);
    const bobSession = await login(relay.url, bob.identity);
    const topicBefore = await fetchAll(relay.url, bobSession.token, group.id);

    const refused = await bobGroup.addMember(mallory.accountId).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect.soft(refused).toBeInstanceOf(ClientError);
    expect.soft(refused).toMatchObject({ code: 'CLIENT_KEY_PACKAGE_INVALID' });
    expect(refused).toBeDefined();

    expect(await epochView(bob.store, group.id)).toEqual(viewBefore);
    expect((await bobGroup.members()).sort()).toEqual(
      [alice.client.accountId, bob.client.accountId].sort(),
    );
    expect((await fetchAll(relay.url, bobSession.token, group.id)).lastSeq).toBe(
      topicBefore.lastSeq,
    );
    expect((await fetchAll(relay.url, token, inboxTopic(mallory.accountId))).envelopes).toEqual([]);
  });
});

describe('a replayed message', () => {
  it('is absorbed by the relay when verbatim, and shown once when re-wrapped in a new envelope', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    const bobChat = await bob.client.chats.get(group.id);
    const sent = await group.send('only once');
    await bob.client.sync();
    expect(texts(await fullHistory(bobChat))).toEqual(['only once']);

    // The envelope as the relay stores it.
    const session = await login(relay.url, alice.identity);
    const [original] = (await fetchAll(relay.url, session.token, group.id)).envelopes.filter(
      (item) => item.cid === sent.cid,
    );
    if (original === undefined) throw new Error('alice’s envelope is not on the relay');
    const bytes = fromBase64Url(original.envelope);

    // Verbatim: the relay recognises the CID and stores nothing new.
    const aliceState = await usableState(alice.store, group.id);
    const again = await publishAsMember(relay.url, session.token, bytes, aliceState);
    expect(again.seq).toBe(original.seq);

    // The same MLS ciphertext in a new envelope: a new CID, so the relay takes it.
    const { envelope } = decodeEnvelope(bytes);
    const copy = createEnvelope({
      topic: envelope.topic,
      payload: envelope.payload,
      createdAt: envelope.createdAt + 1,
    });
    const receipt = await publishAsMember(relay.url, session.token, copy.bytes, aliceState);
    expect(receipt.seq).toBeGreaterThan(original.seq);

    const sides: [TestClient, ReturnType<typeof record<'rejected'>>][] = [alice, bob, carol].map(
      (side) => [side, record(side.client, 'rejected')],
    );
    for (const [side] of sides) await side.client.sync();
    for (const [side, rejected] of sides) {
      const chat = await side.client.chats.get(group.id);
      expect(texts(await fullHistory(chat))).toEqual(['only once']);
      expect(rejected.map((event) => event.seq)).toEqual([receipt.seq]);
    }
    // Bob had read it, carol reads both copies in one sync, alice wrote it: all three say why.
    const reasons = sides.map(([, rejected]) => rejected[0]?.reason ?? '');
    // 'replay' is the SDK's own tag; ts-mls, which sees it first, says the generation is used up.
    for (const reason of reasons) expect(reason).toMatch(/replay|gen in the past/i);
  });
});

describe('a message from a removed member', () => {
  it('is not shown by anyone when bob writes it with his state from before the removal', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    const bobGroup = await bob.client.chats.get(group.id);
    await bobGroup.send('bob, still a member');
    await alice.client.sync();
    await carol.client.sync();

    // What bob keeps from before the removal: his chat record and his device key.
    const before = await chatRecord(bob.store, group.id);
    const deviceBytes = await bob.store.get('device');
    if (deviceBytes === undefined) throw new Error('bob has no device key');
    const { seed } = decodeCanonical(deviceBytes) as { seed: Uint8Array };

    await group.removeMember(bob.client.accountId);
    await bob.client.sync();
    await carol.client.sync();
    expect((await bobGroup.info()).status).toBe('removed');

    const oldState = decodeGroupState(before.state, await scenarioMls());
    const { bytes: entry } = await createChatEntry(suite, seed, {
      chat: before.topic,
      author: bob.client.accountId,
      device: await suite.ed25519.publicKey(seed),
      n: before.counter + 1,
      prev: before.counter === 0 ? null : before.prev,
      heads: [],
      sentAt: Date.now(),
      body: { type: 'text', text: 'a ghost speaks' },
      checkpoint: null,
    });
    const ghost = await encryptApplicationMessage(await scenarioMls(), oldState, entry);
    const envelope = createEnvelope({
      topic: before.topic,
      payload: ghost.message,
      createdAt: Date.now(),
    });
    // Signed with the write key of the epoch bob knew: the relay's grace for the previous
    // epoch lets it in, and every member refuses it.
    const receipt = await publishAsMember(
      relay.url,
      (await login(relay.url, bob.identity)).token,
      envelope.bytes,
      oldState,
    );

    const carolGroup = await carol.client.chats.get(group.id);
    for (const [side, chat] of [
      [alice, group],
      [carol, carolGroup],
    ] as const) {
      const rejected = record(side.client, 'rejected');
      await side.client.sync();
      expect(texts(await fullHistory(chat))).toEqual(['bob, still a member']);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.seq).toBe(receipt.seq);
      expect(rejected[0]?.reason).toMatch(/^not-a-member$|decrypt|epoch too old/i);
    }

    // The ghost broke nothing: the group goes on without bob.
    await group.send('bob is gone');
    await carol.client.sync();
    expect(texts(await fullHistory(carolGroup))).toEqual(['bob, still a member', 'bob is gone']);
  });
});
