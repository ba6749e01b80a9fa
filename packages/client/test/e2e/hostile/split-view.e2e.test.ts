/**
 * A relay that shows Alice a fork of its log (issue #5): checkpoints of the real sizes, signed
 * with the relay's own key, over the real leaves with one replaced. Bob sees the real log. The
 * checkpoints the two gossip inside their chat entries must expose the fork as signed evidence.
 */
import { verifyConsistency } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from '@parley/test-support/relay-api';
import { cleanupRelays } from '@parley/test-support/relay-process';
import { type StoredEvidence, messageText } from '../../../src/index.js';
import { cleanupClients, fullHistory, openClient, record } from '../support/clients.js';
import {
  closeProxies,
  expectIntact,
  proxyFor,
  sendStored,
  signedByRelay,
  startFastRelay,
  waitFor,
} from './scenario.js';

afterEach(async () => {
  await cleanupClients();
  await closeProxies();
  await cleanupRelays();
});

/** A hash of a proof answer: Node's base64 decoder reads base64url (the relay's) and base64. */
function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'base64'));
}

describe('a relay that shows two members two different logs', () => {
  it('is caught by the checkpoints they gossip: evidence of two relay-signed notes that disagree', async () => {
    const relay = await startFastRelay();
    const proxy = await proxyFor(relay);
    // Alice sees the relay only through the proxy, which forks the log before she looks at it.
    proxy.splitView({ replaceLeaf: 0 });
    const alice = await openClient({ relayUrl: proxy.url });
    const bob = await openClient({ relayUrl: relay.url });
    const evidence = [record(alice.client, 'evidence'), record(bob.client, 'evidence')];
    const group = await alice.client.chats.createGroup({
      name: 'forked',
      members: [bob.client.accountId],
    });
    await bob.client.sync();

    // Each adopts a checkpoint: Alice a forked one, Bob the real one.
    const aliceHeld = await waitFor(
      'Alice holds a checkpoint',
      () => alice.client.checkLog().catch(() => undefined),
      (held) => (held?.checkpoint.size ?? 0) > 0,
    );
    const bobHeld = await waitFor(
      'Bob holds a checkpoint',
      () => bob.client.checkLog().catch(() => undefined),
      (held) => (held?.checkpoint.size ?? 0) > 0,
    );
    expect(proxy.tampered.some((lie) => lie.kind === 'split-view')).toBe(true);
    // Both notes carry the relay's valid signature.
    await signedByRelay(relay.url, aliceHeld?.note ?? '');
    await signedByRelay(relay.url, bobHeld?.note ?? '');

    // Their entries carry the checkpoint each holds.
    const fromAlice = await sendStored(alice, group.id, 'from alice');
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(group.id);
    const fromBob = await sendStored(bob, group.id, 'from bob');
    await alice.client.sync();
    await bob.client.sync();

    const found = evidence
      .flat()
      .map((event) => event.evidence)
      .filter(
        (item): item is Extract<StoredEvidence, { kind: 'split-view' | 'inconsistent' }> =>
          item.kind === 'split-view' || item.kind === 'inconsistent',
      );
    expect(found.length, 'no split-view or inconsistent evidence').toBeGreaterThan(0);
    for (const item of found) {
      const [first, second] = item.notes;
      expect(first, `evidence "${item.kind}: ${item.detail}" holds one note twice`).not.toBe(
        second,
      );
      const a = await signedByRelay(relay.url, first);
      const b = await signedByRelay(relay.url, second);
      if (a.size === b.size) {
        expect(
          Buffer.from(a.rootHash).equals(Buffer.from(b.rootHash)),
          `evidence "${item.kind}: ${item.detail}" has equal roots`,
        ).toBe(false);
      } else {
        // No honest proof joins them: the relay's own consistency proof fails between the two.
        const [small, large] = a.size < b.size ? [a, b] : [b, a];
        const answer = await call(
          relay.url,
          'GET',
          `/v1/log/proof/consistency?from=${small.size}&to=${large.size}`,
        );
        expect(answer.status).toBe(200);
        const proof = (answer.json as { proof: string[] }).proof.map(fromBase64);
        const joined = verifyConsistency(
          small.size,
          large.size,
          proof,
          small.rootHash,
          large.rootHash,
        );
        expect(joined.ok, `evidence "${item.kind}: ${item.detail}" joins by a proof`).toBe(false);
      }
    }
    // What a member holds as evidence is also in its store.
    const stored = [...(await alice.client.logEvidence()), ...(await bob.client.logEvidence())];
    expect(stored.some((item) => item.kind === 'split-view' || item.kind === 'inconsistent')).toBe(
      true,
    );

    // The messages themselves are untouched on both sides.
    const sent = [fromAlice, fromBob];
    expectIntact(await fullHistory(bobChat), sent, ['from alice', 'from bob']);
    expectIntact(await fullHistory(group), sent, ['from alice', 'from bob']);
    expect((await fullHistory(bobChat)).map((m) => messageText(m))).toEqual([
      'from alice',
      'from bob',
    ]);
    expect((await fullHistory(group)).map((m) => messageText(m))).toEqual([
      'from alice',
      'from bob',
    ]);
  });
});
