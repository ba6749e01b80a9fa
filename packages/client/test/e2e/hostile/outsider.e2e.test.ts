/**
 * Outsiders and removed members against a chat (docs/spec/chats.md §Write keys), through a real
 * relay process with real SDK clients: someone who knows a chat's topic but is not a member can
 * neither commit, nor post, nor hold a cursor that blocks eviction; a removed member cannot
 * commit; and the relay's database never links an account to a chat topic.
 */
import {
  createEnvelope,
  decodeGroupState,
  deriveTopicWriteKey,
  epochOf,
  signCursor,
  signWrite,
  toBase64Url,
  toHex,
  type GroupState,
  type WriteProof,
} from '@parley/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  commitAdding,
  createTestDirectory,
  createTestMlsContext,
  startTestGroup,
  unsafeTestMember,
} from '@parley/test-support/mls-members';
import {
  call,
  errorCode,
  login,
  newIdentity,
  WsClient,
  type Answer,
} from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import {
  chatRecord,
  cleanupClients,
  fullHistory,
  groupOfThree,
  openClient,
  random,
  scenarioMls,
  suite,
  texts,
} from '../support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

/** Posts `bytes` as application/cbor with an optional write proof in the headers. */
function post(url: string, token: string, bytes: Uint8Array, proof?: WriteProof): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (proof !== undefined) {
    headers['parley-writer'] = toBase64Url(proof.writer);
    headers['parley-sig'] = toBase64Url(proof.sig);
    if (proof.next !== undefined) headers['parley-next'] = toBase64Url(proof.next);
  }
  return call(url, 'POST', '/v1/envelopes', {
    token,
    body: bytes,
    contentType: 'application/cbor',
    headers,
  });
}

/** A random Ed25519 write key (not any epoch's). */
async function strangerKey() {
  const seed = random(32);
  return { seed, publicKey: await suite.ed25519.publicKey(seed) };
}

/**
 * A well-formed MLS Commit for `epoch` of the group `topic` that no member can process: the
 * attacker's own group on the same id, moved to that epoch with empty Commits.
 */
async function garbageCommit(topic: Uint8Array, epoch: bigint): Promise<Uint8Array> {
  const mallory = await unsafeTestMember(suite, `mallory ${toHex(random(4))}`);
  const directory = createTestDirectory();
  directory.certify(mallory);
  const mls = await createTestMlsContext(directory);
  let state = await startTestGroup(mls, mallory, topic);
  for (;;) {
    const step = await commitAdding(mls, state, []);
    if (epochOf(state) === epoch) return step.commit;
    state = step.newState;
  }
}

/** The MLS state of a chat as a device's store holds it. */
async function stateOf(record: { state: Uint8Array }): Promise<GroupState> {
  return decodeGroupState(record.state, await scenarioMls());
}

describe('an outsider who knows a chat topic', () => {
  it('cannot commit: its garbage Commit for the next epoch is refused and members still add and remove', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    const chat = await chatRecord(alice.store, group.id);
    const epoch = epochOf(await stateOf(chat));
    const mallory = await login(relay.url, await newIdentity());

    const commit = garbageCommit(chat.topic, epoch);
    const envelope = createEnvelope({
      topic: chat.topic,
      payload: await commit,
      createdAt: Date.now(),
    });
    const key = await strangerKey();
    const proof = await signWrite(suite, key, {
      topic: chat.topic,
      cid: envelope.cid.bytes,
      next: (await strangerKey()).publicKey,
    });
    const signed = await post(relay.url, mallory.token, envelope.bytes, proof);
    expect([signed.status, errorCode(signed)]).toEqual([403, 'RELAY_WRITE_FORBIDDEN']);
    const unsigned = await post(relay.url, mallory.token, envelope.bytes);
    expect([unsigned.status, errorCode(unsigned)]).toEqual([400, 'RELAY_WRITE_PROOF_INVALID']);
    // Nor an application message: an outsider posts nothing to a chat topic.
    const noise = createEnvelope({ topic: chat.topic, payload: random(64), createdAt: 1 });
    const posted = await post(
      relay.url,
      mallory.token,
      noise.bytes,
      await signWrite(suite, key, { topic: chat.topic, cid: noise.cid.bytes }),
    );
    expect([posted.status, errorCode(posted)]).toEqual([403, 'RELAY_WRITE_FORBIDDEN']);

    const dave = await openClient({ relayUrl: relay.url });
    await group.addMember(dave.client.accountId);
    await group.removeMember(bob.client.accountId);
    await carol.client.sync();
    await dave.client.sync();
    await group.send('still ours');
    await carol.client.sync();
    expect((await group.members()).sort()).toEqual(
      [alice.client.accountId, carol.client.accountId, dave.client.accountId].sort(),
    );
    const carolChat = await carol.client.chats.get(group.id);
    expect(texts(await fullHistory(carolChat))).toEqual(['still ours']);
  });

  it('cannot pin the chat: subscribing without acknowledging holds no eviction back, and its acks are refused', async () => {
    const relay = await startRelay({
      flags: { 'retention-max-bytes-per-topic': 16_384, 'max-envelope-bytes': 8192 },
    });
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const pair = await alice.client.chats.openPair(bob.client.accountId);
    await bob.client.sync();
    const chat = await chatRecord(alice.store, pair.id);
    const topic = toBase64Url(chat.topic);

    const mallory = await login(relay.url, await newIdentity());
    const socket = await WsClient.authenticated(relay.wsUrl, mallory.token);
    socket.send({ type: 'subscribe', topic, after: 0 });
    await socket.next((frame) => frame.type === 'subscribed');
    const noProof = await call(relay.url, 'POST', `/v1/topics/${topic}/ack`, {
      token: mallory.token,
      json: { seq: 0 },
    });
    expect([noProof.status, errorCode(noProof)]).toEqual([400, 'RELAY_WRITE_PROOF_INVALID']);
    const key = await strangerKey();
    const reader = random(32);
    const sig = await signCursor(suite, key, { topic: chat.topic, reader, seq: 0 });
    const forged = await call(relay.url, 'POST', `/v1/topics/${topic}/ack`, {
      token: mallory.token,
      json: {
        seq: 0,
        reader: toBase64Url(reader),
        writer: toBase64Url(key.publicKey),
        sig: toBase64Url(sig),
      },
    });
    expect([forged.status, errorCode(forged)]).toEqual([403, 'RELAY_WRITE_FORBIDDEN']);

    // About 40 KiB through a topic that holds 16 KiB: only bob's acknowledgements make room.
    const sent = [];
    for (let i = 0; i < 40; i++) {
      sent.push(await pair.send(`${i} ${'x'.repeat(1000)}`));
      if (i % 4 === 3) await bob.client.sync();
    }
    expect(sent.map((message) => message.status)).toEqual(sent.map(() => 'sent'));
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(pair.id);
    expect(await fullHistory(bobChat)).toHaveLength(40);
    await socket.close();
  });
});

describe('a removed member', () => {
  it('cannot commit with the keys it kept: refused, and the group goes on', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    const before = await chatRecord(bob.store, group.id);
    const oldState = await stateOf(before);
    await group.removeMember(bob.client.accountId);
    const bobSession = await login(relay.url, bob.identity);
    const mls = await scenarioMls();
    const kept = await deriveTopicWriteKey(suite, mls.cipherSuite, oldState, before.topic);

    // A Commit for the epoch the relay is at now, signed with the key bob still knows.
    const commit = createEnvelope({
      topic: before.topic,
      payload: await garbageCommit(before.topic, epochOf(oldState) + 1n),
      createdAt: Date.now(),
    });
    const refused = await post(
      relay.url,
      bobSession.token,
      commit.bytes,
      await signWrite(suite, kept, {
        topic: before.topic,
        cid: commit.cid.bytes,
        next: (await strangerKey()).publicKey,
      }),
    );
    expect([refused.status, errorCode(refused)]).toEqual([403, 'RELAY_WRITE_FORBIDDEN']);

    // A real Commit from his state before the removal is for an epoch already taken.
    const own = await commitAdding(mls, oldState, []);
    const real = createEnvelope({
      topic: before.topic,
      payload: own.commit,
      createdAt: Date.now(),
    });
    const late = await post(
      relay.url,
      bobSession.token,
      real.bytes,
      await signWrite(suite, kept, {
        topic: before.topic,
        cid: real.cid.bytes,
        next: (await deriveTopicWriteKey(suite, mls.cipherSuite, own.newState, before.topic))
          .publicKey,
      }),
    );
    expect([late.status, errorCode(late)]).toEqual([409, 'RELAY_COMMIT_CONFLICT']);

    const dave = await openClient({ relayUrl: relay.url });
    await group.addMember(dave.client.accountId);
    await carol.client.sync();
    expect((await group.members()).sort()).toEqual(
      [alice.client.accountId, carol.client.accountId, dave.client.accountId].sort(),
    );
  });
});

describe('a member two Commits behind', () => {
  it('still delivers a message it wrote at its old epoch: the SDK syncs and signs it again', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const carol = await openClient({ relayUrl: relay.url });
    const dave = await openClient({ relayUrl: relay.url });
    const pair = await alice.client.chats.createGroup({
      name: 'late',
      members: [bob.client.accountId],
    });
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(pair.id);
    await pair.addMember(carol.client.accountId);
    await pair.addMember(dave.client.accountId);

    // Bob has not seen either Commit: his write key is two epochs old when he posts.
    const sent = await bobChat.send('written two epochs ago');
    expect(sent.status).toBe('sent');
    await alice.client.sync();
    expect(texts(await fullHistory(pair))).toEqual(['written two epochs ago']);
  });
});

describe('the relay database', () => {
  it('holds no account id beside a chat topic: cursors are reader pseudonyms', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    await group.send('hello');
    for (const side of [alice, bob, carol]) await side.client.sync();
    const topic = Buffer.from((await chatRecord(alice.store, group.id)).topic);
    const accounts = [alice, bob, carol].map((side) => side.client.accountId);

    const db = new Database(`${relay.dataDir}/relay.db`, { readonly: true, fileMustExist: true });
    try {
      const cursors = db.prepare('SELECT * FROM cursors WHERE topic = ?').all(topic) as Record<
        string,
        unknown
      >[];
      // Three members acknowledged: three cursors, none naming an account.
      expect(cursors).toHaveLength(3);
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .pluck()
        .all() as string[];
      const linking: string[] = [];
      for (const table of tables) {
        for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<
          string,
          unknown
        >[]) {
          const values = Object.values(row);
          const hasTopic = values.some((value) => Buffer.isBuffer(value) && value.equals(topic));
          const text = values
            .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : String(value)))
            .join(' ');
          if (hasTopic && accounts.some((account) => text.includes(account))) linking.push(table);
        }
      }
      expect(linking).toEqual([]);
    } finally {
      db.close();
    }
  });
});
