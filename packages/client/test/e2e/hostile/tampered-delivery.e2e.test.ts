/**
 * A relay that tampers with what it delivers to Bob (issue #5, provable history): it hides one of
 * Alice's messages, serves two of them in swapped order, or flips a byte in one. Bob must say so
 * with the signed entries as evidence, and keep every honest message intact, once, in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays } from '@parley/test-support/relay-process';
import { type LiveProblem, messageText } from '../../../src/index.js';
import { cleanupClients, fullHistory, record } from '../support/clients.js';
import {
  aliceAndBobBehindProxy,
  closeProxies,
  expectIntact,
  openEvidence,
  proxyFor,
  sendStored,
  startFastRelay,
} from './scenario.js';

afterEach(async () => {
  await cleanupClients();
  await closeProxies();
  await cleanupRelays();
});

type Gap = Extract<LiveProblem, { kind: 'gap' }>;
type Reordered = Extract<LiveProblem, { kind: 'reordered' }>;

/** The live 'gap' problems (with their signed evidence) among history-problem events. */
function liveGaps(events: readonly { chatId: string; problem: { kind: string } }[]): Gap[] {
  return events
    .map((event) => event.problem)
    .filter(
      (problem): problem is Gap =>
        problem.kind === 'gap' && 'evidence' in problem && problem.evidence instanceof Uint8Array,
    );
}

describe('a relay that drops an envelope for one member', () => {
  it('makes him report the gap with the next signed entry as evidence, after asking again; the rest stays intact', async () => {
    const relay = await startFastRelay();
    const proxy = await proxyFor(relay);
    const { alice, bob, group, bobChat } = await aliceAndBobBehindProxy(relay, proxy);
    const problems = record(bob.client, 'history-problem');

    // The relay hides Alice's 2nd message from Bob, in every answer.
    proxy.drop({ topic: group.id, nthApplication: 2 });
    const sent = [
      await sendStored(alice, group.id, 'one'),
      await sendStored(alice, group.id, 'two'),
      await sendStored(alice, group.id, 'three'),
    ];
    const readsBefore = proxy.requests.length;
    await bob.client.sync();

    // The proxy hid 'two' from the first read and again from the range Bob asked for again.
    const drops = proxy.tampered.filter((lie) => lie.kind === 'drop');
    expect(drops.map((lie) => lie.cid)).toContain(sent[1]?.cid);
    const topicReads = proxy.requests
      .slice(readsBefore)
      .filter((r) => r.method === 'GET' && r.path === `/v1/topics/${group.id}/envelopes`);
    expect(topicReads.length).toBeGreaterThanOrEqual(2);
    expect(
      topicReads.slice(1).some((r) => Number(r.query.get('after')) < (sent[1]?.seq ?? 0)),
    ).toBe(true);
    expect(drops.length).toBeGreaterThanOrEqual(2);

    const gaps = liveGaps(problems.filter((event) => event.chatId === group.id));
    expect(gaps).toHaveLength(1);
    const [gap] = gaps;
    expect(gap).toMatchObject({ author: alice.client.accountId, missingFrom: 2, missingTo: 2 });
    const evidence = await openEvidence(group.id, gap?.evidence ?? new Uint8Array());
    expect(evidence).toMatchObject({
      author: alice.client.accountId,
      n: 3,
      body: { type: 'text', text: 'three' },
    });

    const report = await bobChat.verify();
    expect(report.ok).toBe(false);
    expect(report.history.ok).toBe(false);
    expect(report.history.problems).toContainEqual(
      expect.objectContaining({
        kind: 'gap',
        author: alice.client.accountId,
        missingFrom: 2,
        missingTo: 2,
      }),
    );

    const history = await fullHistory(bobChat);
    expect(history.map((message) => messageText(message))).toEqual(['one', 'three']);
    expectIntact(history, sent, ['one', 'three']);

    // Honest again: what Alice says next reaches Bob, after what he already holds.
    proxy.honest();
    const four = await sendStored(alice, group.id, 'four');
    await bob.client.sync();
    const after = await fullHistory(bobChat);
    expectIntact(after, [...sent, four], ['one', 'three', 'four']);
    expect(after.map((message) => messageText(message)).at(-1)).toBe('four');

    // Verifying asks the relay again for what is still missing; now it answers, the gap closes.
    const healedReport = await bobChat.verify();
    expect(healedReport.history.problems).toEqual([]);
    const healed = await fullHistory(bobChat);
    expect(healed.map((message) => messageText(message)).sort()).toEqual([
      'four',
      'one',
      'three',
      'two',
    ]);
    expect(new Set(healed.map((message) => message.cid)).size).toBe(4);
  });
});

describe('a relay that swaps two envelopes for one member', () => {
  it('makes him report the reordering with both seqs and both signed entries, and keeps both messages', async () => {
    const relay = await startFastRelay();
    const proxy = await proxyFor(relay);
    const { alice, bob, group, bobChat } = await aliceAndBobBehindProxy(relay, proxy);
    const one = await sendStored(alice, group.id, 'one');
    await bob.client.sync();
    const problems = record(bob.client, 'history-problem');

    const two = await sendStored(alice, group.id, 'two');
    const three = await sendStored(alice, group.id, 'three');
    proxy.reorder({ cid: two.cid }, { cid: three.cid });
    await bob.client.sync();
    expect(proxy.tampered.filter((lie) => lie.kind === 'reorder').length).toBeGreaterThanOrEqual(2);

    const reordered = problems
      .map((event) => event.problem)
      .filter((problem): problem is Reordered => problem.kind === 'reordered');
    expect(reordered).toHaveLength(1);
    const [problem] = reordered;
    // Entry 3 came at the seq the relay gave 'two', entry 2 at the seq of 'three'.
    expect(problem).toMatchObject({
      author: alice.client.accountId,
      n: 2,
      seqs: [two.seq, three.seq],
    });
    const [later, earlier] = problem?.evidence ?? [];
    expect(await openEvidence(group.id, later ?? new Uint8Array())).toMatchObject({
      n: 3,
      body: { text: 'three' },
    });
    expect(await openEvidence(group.id, earlier ?? new Uint8Array())).toMatchObject({
      n: 2,
      body: { text: 'two' },
    });
    // Nothing is missing, so nothing is reported missing.
    expect(liveGaps(problems)).toEqual([]);

    const report = await bobChat.verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'reordered', n: 2, seqs: [two.seq, three.seq] }),
    );

    const history = await fullHistory(bobChat);
    expect(history.map((message) => messageText(message)).sort()).toEqual(['one', 'three', 'two']);
    expectIntact(history, [one, two, three], ['one', 'two']);
    expectIntact(history, [one, two, three], ['one', 'three']);
    expect([...history].sort((a, b) => a.sentAt - b.sentAt).map((m) => messageText(m))).toEqual([
      'one',
      'two',
      'three',
    ]);

    proxy.honest();
    const four = await sendStored(alice, group.id, 'four');
    await bob.client.sync();
    const after = await fullHistory(bobChat);
    expectIntact(after, [one, two, three, four], ['one', 'three', 'four']);
    expect(after).toHaveLength(4);
  });
});

describe('a relay that rewrites an envelope for one member', () => {
  it('makes him refuse it by its own CID, keep nothing garbled, and report the gap it leaves', async () => {
    const relay = await startFastRelay();
    const proxy = await proxyFor(relay);
    const { alice, bob, group, bobChat } = await aliceAndBobBehindProxy(relay, proxy);
    const rejected = record(bob.client, 'rejected');
    const problems = record(bob.client, 'history-problem');
    const arrived = record(bob.client, 'message');

    const one = await sendStored(alice, group.id, 'one');
    const two = await sendStored(alice, group.id, 'two');
    const three = await sendStored(alice, group.id, 'three');
    proxy.rewrite({ cid: two.cid });
    await bob.client.sync();

    const rewrite = proxy.tampered.find((lie) => lie.kind === 'rewrite');
    expect(rewrite).toMatchObject({ seq: two.seq, cid: two.cid });
    expect(rewrite?.servedCid).toBeDefined();
    expect(rewrite?.servedCid).not.toBe(two.cid);

    expect(rejected.filter((event) => event.chatId === group.id).map((e) => e.seq)).toEqual([
      two.seq,
    ]);
    const report = await bobChat.verify();
    expect(report.ok).toBe(false);
    const refusals = report.problems.filter((problem) => problem.kind === 'rejected');
    expect(refusals).toHaveLength(1);
    // Filed under the CID of the bytes served, not the one the relay claimed.
    expect(refusals[0]).toMatchObject({ seq: two.seq, cid: rewrite?.servedCid });

    const gaps = liveGaps(problems.filter((event) => event.chatId === group.id));
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ author: alice.client.accountId, missingFrom: 2, missingTo: 2 });
    expect(await openEvidence(group.id, gaps[0]?.evidence ?? new Uint8Array())).toMatchObject({
      n: 3,
      body: { text: 'three' },
    });

    const history = await fullHistory(bobChat);
    expect(history.map((message) => messageText(message))).toEqual(['one', 'three']);
    expectIntact(history, [one, two, three], ['one', 'three']);
    expect(arrived.map((event) => messageText(event.message))).toEqual(['one', 'three']);
  });
});
