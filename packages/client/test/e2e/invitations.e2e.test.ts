/**
 * Invitations through a real relay (docs/spec/chats.md §Invitations): a stranger who seals Carol
 * an invitation claiming to come from Alice gets nothing shown and reads nothing, and an
 * invitation whose post fails is sent again from the outbox until the invitee joins.
 */
import {
  checkKeyPackage,
  commitChanges,
  createAuthenticationService,
  createChatGroup,
  createEnvelope,
  decodeCanonical,
  decodeEnvelope,
  decodeGroupMessage,
  encodeCanonical,
  fromBase64Url,
  generateKeyPackage,
  inboxTopic,
  loadMlsCipherSuite,
  mlsClientConfig,
  newSharedTopic,
  processGroupMessage,
  sealInvitation,
  sha256,
  utf8,
  verifyDirectoryEntry,
  type AccountId,
  type MlsContext,
} from '@parley/core';
import { hpkeSeal } from '../../../core/src/crypto/hpke.js';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, call, fetchAll, login, publish } from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay, type RelayProcess } from '@parley/test-support/relay-process';
import {
  cleanupClients,
  closeClient,
  fullHistory,
  openClient,
  random,
  record,
  suite,
  texts,
  type TestClient,
} from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

/**
 * Mallory, a registered account, builds with core’s MLS operations a group of herself and Carol (a KeyPackage
 * of Carol's claimed from the relay), posts its Commit, and returns what an invitation needs.
 */
async function strangersGroup(relay: RelayProcess, mallory: TestClient, carol: AccountId) {
  const stored = await mallory.store.get('device');
  if (stored === undefined) throw new Error('mallory has no device');
  const { seed } = decodeCanonical(stored) as { seed: Uint8Array };
  const device = await suite.ed25519.publicKey(seed);
  const directory = bodyOf<{ entry: string }>(
    await call(relay.url, 'GET', `/v1/directory/${carol}`),
    200,
  );
  const verified = await verifyDirectoryEntry(suite, fromBase64Url(directory.entry));
  if (!verified.ok) throw new Error('carol’s directory entry does not verify');
  const carolDevice = verified.value.entry.devices[0];
  if (carolDevice === undefined) throw new Error('carol has no device');
  const hpkeKey = carolDevice.hpkeKey;
  const mls: MlsContext = {
    cipherSuite: await loadMlsCipherSuite(),
    config: mlsClientConfig(
      createAuthenticationService((account) =>
        Promise.resolve(account === carol ? [carolDevice.deviceKey] : [device]),
      ),
    ),
  };
  const own = await generateKeyPackage(mls, {
    account: mallory.client.accountId,
    deviceSeed: seed,
    deviceKey: device,
  });
  const topic = newSharedTopic(random);
  const state = await createChatGroup(mls, topic, own);
  const session = await login(relay.url, mallory.identity);
  const claimed = bodyOf<{ keyPackage: string }>(
    await call(relay.url, 'POST', `/v1/directory/${carol}/key-packages/claim`, {
      token: session.token,
    }),
    200,
  );
  const keyPackageBytes = fromBase64Url(claimed.keyPackage);
  const checked = await checkKeyPackage(mls, keyPackageBytes, carol);
  if (!checked.ok) throw new Error(`carol’s KeyPackage is refused: ${checked.reason}`);
  const commit = await commitChanges(mls, state, [
    { kind: 'add', keyPackage: checked.value.keyPackage },
  ]);
  if (commit.welcome === undefined) throw new Error('no Welcome');
  const receipt = await publish(
    relay.url,
    session.token,
    createEnvelope({ topic, payload: commit.commit, createdAt: Date.now() }).bytes,
  );
  return {
    topic,
    seed,
    device,
    token: session.token,
    mls,
    state: commit.newState,
    since: receipt.seq,
    hpkeKey,
    keyPackageHash: sha256(keyPackageBytes),
    welcome: commit.welcome,
  };
}

type Forged = Awaited<ReturnType<typeof strangersGroup>>;

/** The invitation format before authentication: HPKE base mode, a self-asserted inviter. */
async function sealV1(forged: Forged, inbox: Uint8Array, inviter: AccountId): Promise<Uint8Array> {
  const sealed = await hpkeSeal({
    recipientPublicKey: forged.hpkeKey,
    info: utf8('parley/invitation/v1'),
    aad: inbox,
    plaintext: encodeCanonical({
      v: 1,
      chat: forged.topic,
      kind: 'pair',
      name: inviter,
      inviter,
      keyPackageHash: forged.keyPackageHash,
      welcome: forged.welcome,
      since: forged.since,
    }),
    random,
  });
  return encodeCanonical({ v: 1, enc: sealed.enc, ct: sealed.ciphertext });
}

/** The current format, signed by mallory's own (certified) device but naming alice as inviter. */
function sealV2(forged: Forged, inbox: Uint8Array, inviter: AccountId, invitee: AccountId) {
  return sealInvitation(
    suite,
    {
      chat: forged.topic,
      kind: 'pair',
      name: inviter,
      inviter,
      inviterDevice: forged.device,
      invitee,
      keyPackageHash: forged.keyPackageHash,
      welcome: forged.welcome,
      since: forged.since,
      sentAt: Date.now(),
    },
    forged.seed,
    forged.hpkeKey,
    inbox,
    random,
  );
}

describe('an invitation forged by a stranger in the inviter’s name', () => {
  it.each([
    ['in the unauthenticated v1 format', 'unauthenticated-version'],
    ['signed by the stranger’s own device', 'inviter-not-certified'],
  ] as const)(
    'is dropped %s; openPair(alice) gives alice’s and carol’s chat, which the stranger cannot read',
    async (format, reason) => {
      const relay = await startRelay();
      const alice = await openClient({ relayUrl: relay.url });
      const carol = await openClient({ relayUrl: relay.url });
      const mallory = await openClient({ relayUrl: relay.url });
      const aliceId = alice.client.accountId;
      const carolId = carol.client.accountId;
      const forged = await strangersGroup(relay, mallory, carolId);
      const inbox = inboxTopic(carolId);
      const sealed =
        format === 'in the unauthenticated v1 format'
          ? await sealV1(forged, inbox, aliceId)
          : await sealV2(forged, inbox, aliceId, carolId);
      await publish(
        relay.url,
        forged.token,
        createEnvelope({ topic: inbox, payload: sealed, createdAt: Date.now() }).bytes,
      );

      const invited = record(carol.client, 'invited');
      const rejected = record(carol.client, 'invitation-rejected');
      await carol.client.sync();
      expect(invited).toEqual([]);
      expect(rejected.map((event) => event.reason)).toEqual([reason]);
      expect(await carol.client.chats.list()).toEqual([]);

      const pair = await carol.client.chats.openPair(aliceId);
      expect((await pair.members()).sort()).toEqual([aliceId, carolId].sort());
      expect(pair.id).not.toBe(topicId(forged.topic));
      const sent = await pair.send('for alice only');
      await alice.client.sync();
      const aliceChat = await alice.client.chats.get(pair.id);
      expect(texts(await fullHistory(aliceChat))).toEqual(['for alice only']);

      // The stranger's group state cannot open carol's message to alice.
      const carolSession = await login(relay.url, carol.identity);
      const item = (await fetchAll(relay.url, carolSession.token, pair.id)).envelopes.find(
        (envelope) => envelope.cid === sent.cid,
      );
      if (item === undefined) throw new Error('carol’s message is not on the relay');
      const payload = decodeGroupMessage(
        decodeEnvelope(fromBase64Url(item.envelope)).envelope.payload,
      );
      if (!payload.ok) throw new Error('not a PrivateMessage');
      await expect(processGroupMessage(forged.mls, forged.state, payload.value)).rejects.toThrow();
      // Nothing reached the stranger's topic from carol.
      const malloryTopic = await fetchAll(relay.url, forged.token, topicId(forged.topic));
      expect(malloryTopic.envelopes).toHaveLength(1);
    },
  );
});

/** The chat id (base64url) of a topic, as the relay API names topics. */
function topicId(topic: Uint8Array): string {
  return Buffer.from(topic).toString('base64url');
}

describe('an invitation whose post fails', () => {
  it('is posted again from the outbox, and openPair of the half-made chat sends it: the invitee joins', async () => {
    const relay = await startRelay();
    let current = relay;
    let stopOnInvitation = true;
    const carol = await openClient({ relayUrl: relay.url });
    const carolInbox = Buffer.from(inboxTopic(carol.client.accountId)).toString('hex');
    // The relay goes down after taking alice's Commit, just before her invitation to carol.
    const fetchStoppingRelay: typeof fetch = async (input, init) => {
      const body = init?.body;
      if (stopOnInvitation && init?.method === 'POST' && body instanceof Uint8Array) {
        const topic = Buffer.from(decodeEnvelope(body).envelope.topic).toString('hex');
        if (topic === carolInbox) {
          stopOnInvitation = false;
          await current.stop();
        }
      }
      return fetch(input, init);
    };
    const alice = await openClient({ relayUrl: relay.url, fetch: fetchStoppingRelay });
    const pair = await alice.client.chats.openPair(carol.client.accountId);
    expect(stopOnInvitation).toBe(false);
    expect((await pair.members()).sort()).toEqual(
      [alice.client.accountId, carol.client.accountId].sort(),
    );

    // Alice's app quits while the relay is down; both come back.
    await closeClient(alice);
    current = await startRelay({ dataDir: relay.dataDir, flags: { port: relay.port } });
    const reopened = await openClient({
      relayUrl: current.url,
      identity: alice.identity,
      path: alice.path,
    });
    const again = await reopened.client.chats.openPair(carol.client.accountId);
    expect(again.id).toBe(pair.id);

    const invited = record(carol.client, 'invited');
    await carol.client.sync();
    expect(invited.map((event) => [event.chatId, event.inviter])).toEqual([
      [pair.id, alice.client.accountId],
    ]);
    await again.send('you are in');
    await carol.client.sync();
    const carolChat = await carol.client.chats.get(pair.id);
    expect(texts(await fullHistory(carolChat))).toEqual(['you are in']);
  });
});

describe('openPair', () => {
  it('never returns a pair chat someone else was added to: it opens a new one with the peer only', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const carol = await openClient({ relayUrl: relay.url });
    const mallory = await openClient({ relayUrl: relay.url });
    const aliceId = alice.client.accountId;
    const carolId = carol.client.accountId;
    const first = await alice.client.chats.openPair(carolId);
    await carol.client.sync();
    // A third account joins the pair chat (MLS allows it; a pair chat must not show it as one).
    await first.addMember(mallory.client.accountId);
    await carol.client.sync();
    expect((await (await carol.client.chats.get(first.id)).members()).length).toBe(3);
    // The newcomer is not shown a "pair chat" with three members either.
    const refused = record(mallory.client, 'invitation-rejected');
    await mallory.client.sync();
    expect(refused.map((event) => event.reason)).toEqual(['not-a-pair']);
    expect(await mallory.client.chats.list()).toEqual([]);

    const pair = await carol.client.chats.openPair(aliceId);
    expect(pair.id).not.toBe(first.id);
    expect((await pair.members()).sort()).toEqual([aliceId, carolId].sort());
    expect((await carol.client.chats.openPair(aliceId)).id).toBe(pair.id);
  });
});
