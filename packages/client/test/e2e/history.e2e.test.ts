/**
 * Provable history on an honest relay: entries link into per-author chains and a causal DAG,
 * every envelope is proven in the relay's log, checkpoints gossip between members, and an
 * exported transcript verifies offline (and stops verifying when a byte changes).
 */
import {
  decodeCanonical,
  decodeTranscript,
  encodeTranscript,
  generateIdentity,
  openChatEntry,
  verifyCheckpointSignature,
  verifyTranscript,
  type ChatEntry,
} from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay, type RelayProcess } from '@parley/test-support/relay-process';
import { allEntries } from '../../src/chats/entries.js';
import {
  chatRecord,
  cleanupClients,
  eventually,
  fullHistory,
  groupOfThree,
  openClient,
  random,
  record,
  suite,
  texts,
} from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

describe('chat history', () => {
  it('links each author’s entries, merges them into one order all members compute, and verifies', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    const bobGroup = await bob.client.chats.get(group.id);
    const carolGroup = await carol.client.chats.get(group.id);
    await group.send('a1');
    await group.send('a2');
    await bob.client.sync();
    await bobGroup.send('b1');
    await carol.client.sync();
    await carolGroup.send('c1');
    await alice.client.sync();
    await bob.client.sync();
    await carol.client.sync();

    const reports = await Promise.all([group, bobGroup, carolGroup].map((chat) => chat.verify()));
    for (const report of reports) {
      expect(report.history.problems).toEqual([]);
      expect(report.history.entries).toBe(4);
    }
    // One order, the same for everyone, that respects causality: a1 < a2 < b1 (b1 saw a2).
    const orders = reports.map((report) =>
      report.history.order.map((entry) => (entry.body.type === 'text' ? entry.body.text : '')),
    );
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
    const order = orders[0] ?? [];
    expect(order.indexOf('a1')).toBeLessThan(order.indexOf('a2'));
    expect(order.indexOf('a2')).toBeLessThan(order.indexOf('b1'));

    // Bob's entry names alice's second entry among the heads he had seen.
    const entries = await allEntries(bob.store, group.id);
    const b1 = entries.find((entry) => entry.author === bob.client.accountId);
    const a2 = entries.find((entry) => entry.author === alice.client.accountId && entry.n === 2);
    const a1 = entries.find((entry) => entry.author === alice.client.accountId && entry.n === 1);
    expect(b1 && a2 && a1).toBeTruthy();
    const parsedB1 = decodeCanonical(b1?.bytes ?? new Uint8Array()) as ChatEntry;
    const parsedA2 = decodeCanonical(a2?.bytes ?? new Uint8Array()) as ChatEntry;
    expect(parsedB1.prev).toBeNull();
    expect(parsedB1.heads.map((h) => Buffer.from(h).toString('hex'))).toContain(
      Buffer.from(a2?.hash ?? []).toString('hex'),
    );
    expect(Buffer.from(parsedA2.prev ?? []).toString('hex')).toBe(
      Buffer.from(a1?.hash ?? []).toString('hex'),
    );
    expect((await chatRecord(alice.store, group.id)).chains).toMatchObject({
      [`${alice.client.accountId}/${Buffer.from(parsedA2.device).toString('hex')}`]: {
        first: 1,
        last: 2,
      },
    });
  });

  it('proves every sent and received envelope in the relay log and says so with events', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const included = record(alice.client, 'included');
    const evidence = record(alice.client, 'evidence');
    const chat = await alice.client.chats.openPair(bob.client.accountId);
    await chat.send('one');
    await chat.send('two');
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(chat.id);
    await bobChat.send('three');
    await alice.client.sync();

    const report = await eventually(
      async () => {
        await alice.client.checkLog();
        return chat.verify();
      },
      (r) => r.log.included === 3,
      20_000,
    );
    expect(report.ok).toBe(true);
    expect(report.log).toMatchObject({ included: 3, pending: 0, notTracked: 0, evidence: [] });
    expect(evidence).toEqual([]);
    // Both sent messages and the received one were proven (and alice's Commit, also a leaf).
    const history = await fullHistory(chat);
    const cids = history.map((message) => message.cid);
    const proven = included.filter((e) => e.chatId === chat.id).map((e) => e.cid);
    expect(proven).toEqual(expect.arrayContaining(cids));
    expect(new Set(proven).size).toBe(proven.length);
    for (const cid of cids) {
      expect(await alice.client.inclusion(cid ?? '')).toMatchObject({ state: 'included' });
    }
    // One message's proof: the signed entry checked again, its chain position, its leaf.
    const proof = await chat.proof(history[2]?.cid ?? '');
    expect(proof).toMatchObject({
      author: bob.client.accountId,
      n: 1,
      signature: 'verified',
      inclusion: { state: 'included' },
    });
    expect(proof?.checkpoint?.size).toBeGreaterThan(0);
    expect(await chat.proof('bafynotamessage')).toBeUndefined();
    // The checkpoint alice holds is signed by the relay's key.
    const info = (await (await fetch(`${relay.url}/v1/info`)).json()) as {
      publicKey: string;
      log: { origin: string };
    };
    const checkpoint = report.log.checkpoint;
    expect(checkpoint).not.toBeNull();
    const verified = await verifyCheckpointSignature(
      suite,
      checkpoint?.note ?? '',
      info.log.origin,
      Buffer.from(info.publicKey, 'base64url'),
    );
    expect(verified.ok).toBe(true);
  });

  it('gossips checkpoints inside entries: the receiver compares them with its own', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const chat = await alice.client.chats.openPair(bob.client.accountId);
    await chat.send('before any checkpoint');
    const held = await eventually(
      () => alice.client.checkLog(),
      (c) => (c?.checkpoint.size ?? 0) > 0,
      20_000,
    );
    await chat.send('after a checkpoint');
    await bob.client.sync();
    const entries = await allEntries(bob.store, chat.id);
    const opened = await Promise.all(
      entries.map((entry) =>
        openChatEntry(suite, entry.bytes, (decodeCanonical(entry.bytes) as ChatEntry).chat),
      ),
    );
    const checkpoints = opened.map((result) => (result.ok ? result.value.checkpoint : 'invalid'));
    expect(checkpoints).toContain(held?.note);
    expect(await bob.client.logEvidence()).toEqual([]);
  });

  it('exports a transcript that verifies offline, and fails once any byte of an entry changes', async () => {
    const relay = await startRelay();
    const { alice, bob, group } = await groupOfThree(relay.url);
    await group.send('first');
    await bob.client.sync();
    await (await bob.client.chats.get(group.id)).send('second');
    await alice.client.sync();
    await eventually(
      async () => {
        await alice.client.checkLog();
        return group.verify();
      },
      (r) => r.log.included === 2,
      20_000,
    );
    const bytes = await group.export();
    const report = await verifyTranscript(suite, bytes);
    expect(report.ok).toBe(true);
    expect(report.history.entries).toBe(2);
    expect(report.log).toMatchObject({ checkpointValid: true, verified: 2, failed: [] });
    expect(report.directory.invalid).toEqual([]);
    expect(texts(await fullHistory(group))).toEqual(['first', 'second']);

    const transcript = decodeTranscript(bytes);
    const first = transcript.entries[0] ?? new Uint8Array();
    const tampered = Uint8Array.from(first);
    const at = tampered.length - 70;
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    const forged = encodeTranscript({
      ...transcript,
      entries: [tampered, ...transcript.entries.slice(1)],
    });
    const forgedReport = await verifyTranscript(suite, forged);
    expect(forgedReport.ok).toBe(false);
    expect(forgedReport.history.problems.map((p) => p.kind)).toContain('invalid-entry');
  });

  it('adopts only checkpoints a required witness cosigned', async () => {
    // Relay A's log is witnessed by relay B: start A once for its key, then B, then A again.
    const firstA = await startRelay();
    const infoA = await logInfo(firstA);
    await firstA.stop();
    const witness = await startRelay({
      flags: {
        'witness-logs': JSON.stringify([
          { origin: infoA.origin, publicKey: Buffer.from(infoA.publicKey).toString('base64url') },
        ]),
      },
    });
    const infoB = await logInfo(witness);
    const relay = await startRelay({
      dataDir: firstA.dataDir,
      flags: {
        'log-witnesses': JSON.stringify([
          {
            url: witness.url,
            name: infoB.origin,
            publicKey: Buffer.from(infoB.publicKey).toString('base64url'),
          },
        ]),
      },
    });
    const witnessKey = { name: infoB.origin, publicKey: infoB.publicKey };
    const alice = await openClient({
      relayUrl: relay.url,
      witnesses: [witnessKey],
      requiredCosignatures: 1,
    });
    const bob = await openClient({ relayUrl: relay.url });
    const chat = await alice.client.chats.openPair(bob.client.accountId);
    await chat.send('witnessed');
    const held = await eventually(
      () => alice.client.checkLog(),
      (c) => (c?.checkpoint.size ?? 0) >= 4,
      20_000,
    );
    expect(held?.note).toContain(`\u2014 ${infoB.origin} `);
    const [message] = await fullHistory(chat);
    expect(
      await eventually(
        () => alice.client.inclusion(message?.cid ?? ''),
        (s) => s.state === 'included',
        20_000,
      ),
    ).toMatchObject({ state: 'included' });

    // A client that requires a witness nobody asked adopts nothing and proves nothing.
    const stranger = {
      name: 'stranger.example/witness',
      publicKey: (await generateIdentity(suite, random)).signingPublicKey,
    };
    const carol = await openClient({
      relayUrl: relay.url,
      witnesses: [stranger],
      requiredCosignatures: 1,
    });
    const carolChat = await carol.client.chats.openPair(alice.client.accountId);
    await carolChat.send('unwitnessed');
    expect(await carol.client.checkLog()).toBeUndefined();
    const [sent] = await fullHistory(carolChat);
    expect(await carol.client.inclusion(sent?.cid ?? '')).toMatchObject({ state: 'pending' });
    expect(await carol.client.logEvidence()).toEqual([]);
  });
});

async function logInfo(relay: RelayProcess): Promise<{ origin: string; publicKey: Uint8Array }> {
  const info = (await (await fetch(`${relay.url}/v1/info`)).json()) as {
    publicKey: string;
    log: { origin: string };
  };
  return { origin: info.log.origin, publicKey: Buffer.from(info.publicKey, 'base64url') };
}
