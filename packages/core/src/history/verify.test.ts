/**
 * History verification: a story of two members writing concurrently, then every way a history can
 * be wrong — a gap, a broken link, an equivocation, an invalid entry, an unknown device, a
 * dangling head — each reported with signed evidence.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyMutation, mutationArbitrary } from '../../test/support/mutations.js';
import { unsafeTestMember, type TestMember } from '@parley/test-support/mls-members';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { compareBytes, utf8 } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { newSharedTopic } from '../envelope/inbox.js';
import { createChatEntry, type ChatEntry } from '../mls/chat-entry.js';
import { verifyHistory, type HistoryProblem } from './verify.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const chat = newSharedTopic(unsafeSeededRandom('history chat'));
const otherChat = newSharedTopic(unsafeSeededRandom('history other chat'));
const T0 = 1_767_225_600_000;

let alice: TestMember;
let bob: TestMember;
let eve: TestMember;
beforeAll(async () => {
  alice = await unsafeTestMember(suite, 'alice');
  bob = await unsafeTestMember(suite, 'bob');
  eve = await unsafeTestMember(suite, 'eve');
});

interface Written {
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  readonly entry: ChatEntry;
}

/** Signs entry n of `member` linking to `prev` and `heads` (sorted here). */
async function write(
  member: TestMember,
  n: number,
  prev: Written | Uint8Array | null,
  heads: readonly (Written | Uint8Array)[] = [],
  change: Partial<Omit<ChatEntry, 'v' | 'signature'>> = {},
): Promise<Written> {
  const hashOf = (w: Written | Uint8Array) => (w instanceof Uint8Array ? w : w.hash);
  return createChatEntry(suite, member.deviceSeed, {
    chat,
    author: member.account,
    device: member.device,
    n,
    prev: prev === null ? null : hashOf(prev),
    heads: heads.map(hashOf).sort(compareBytes),
    sentAt: T0 + n * 1000,
    body: { type: 'text', text: `${member.name} #${n}` },
    checkpoint: null,
    ...change,
  });
}

/**
 * alice writes a1, a2, a3; bob, having seen a1, writes b1 and b2 concurrently with a2; alice's a3
 * has seen b2.
 */
async function story() {
  const a1 = await write(alice, 1, null);
  const b1 = await write(bob, 1, null, [a1]);
  const a2 = await write(alice, 2, a1);
  const b2 = await write(bob, 2, b1);
  const a3 = await write(alice, 3, a2, [b2]);
  return { a1, a2, a3, b1, b2 };
}

const bytesOf = (...written: Written[]) => written.map((w) => w.bytes);
const texts = (order: readonly ChatEntry[]) =>
  order.map((e) => (e.body.type === 'text' ? e.body.text : 'leave'));
const devicesOf =
  (...members: TestMember[]) =>
  (account: string) =>
    members.filter((m) => m.account === account).map((m) => m.device);

describe('verifyHistory on a sound history', () => {
  it('reports ok, the causal order and each chain', async () => {
    const { a1, a2, a3, b1, b2 } = await story();
    const report = await verifyHistory(suite, chat, bytesOf(a3, b2, a1, b1, a2), {
      deviceKeysOf: devicesOf(alice, bob),
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.entries).toBe(5);
    expect(texts(report.order)).toEqual(['alice #1', 'bob #1', 'alice #2', 'bob #2', 'alice #3']);
    expect(report.order[0]?.bytes).toEqual(a1.bytes);
    expect(report.order[0]?.hash).toEqual(a1.hash);
    const chains = [
      { account: alice.account, device: alice.device, count: 3, lastN: 3 },
      { account: bob.account, device: bob.device, count: 2, lastN: 2 },
    ].sort((x, y) => (x.account < y.account ? -1 : 1));
    expect(report.authors).toEqual(chains);
  });

  it('gives the same report for the same entries in any order, repeats included (property)', async () => {
    const all = bytesOf(...Object.values(await story()));
    const reference = await verifyHistory(suite, chat, all);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(all, { minLength: all.length }),
        fc.subarray(all),
        async (shuffled, repeats) => {
          expect(await verifyHistory(suite, chat, [...shuffled, ...repeats])).toEqual(reference);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('reports an empty history as ok with nothing in it', async () => {
    expect(await verifyHistory(suite, chat, [])).toEqual({
      ok: true,
      entries: 0,
      order: [],
      authors: [],
      problems: [],
    });
  });
});

describe('gaps and late joiners', () => {
  it('reports a missing entry as a gap with the next entry as evidence, and not its hash as a dangling head', async () => {
    const { a1, a2, a3, b1, b2 } = await story();
    // a2 is withheld; b3 names it as a head, which the gap explains (a3's prev names it).
    const b3 = await write(bob, 3, b2, [a2]);
    const report = await verifyHistory(suite, chat, bytesOf(a1, a3, b1, b2, b3));
    expect(report.problems).toEqual([
      {
        kind: 'gap',
        author: alice.account,
        device: alice.device,
        missingFrom: 2,
        missingTo: 2,
        evidence: a3.bytes,
      },
    ]);
    expect(report.ok).toBe(false);
    expect(report.entries).toBe(5);
  });

  it('reports a chain that does not start at 1 as a gap from 1, unless firstHeld says where it starts', async () => {
    const { a1, a2, a3, b1, b2 } = await story();
    const held = bytesOf(a3, b1, b2);
    const gap = (from: number): HistoryProblem => ({
      kind: 'gap',
      author: alice.account,
      device: alice.device,
      missingFrom: from,
      missingTo: 2,
      evidence: a3.bytes,
    });
    // bob's b1 names a1 as a head: a1 is not held, and no held prev names it.
    const dangling: HistoryProblem = {
      kind: 'missing-dependency',
      hash: a1.hash,
      referencedBy: b1.hash,
    };
    expect((await verifyHistory(suite, chat, held)).problems).toEqual([gap(1), dangling]);
    const firstHeld = (from: number) => (account: string) =>
      account === alice.account ? from : undefined;
    expect((await verifyHistory(suite, chat, held, { firstHeld: firstHeld(2) })).problems).toEqual([
      gap(2),
      dangling,
    ]);
    const late = await verifyHistory(suite, chat, held, { firstHeld: firstHeld(3) });
    expect(late.problems).toEqual([dangling]);
    // Held entries below firstHeld are welcome; the gap above them still counts from firstHeld.
    const below = await verifyHistory(suite, chat, bytesOf(a1, a2, a3, b1, b2), {
      firstHeld: firstHeld(3),
    });
    expect(below.ok).toBe(true);
    const a5 = await write(alice, 5, sha256(utf8('a4')));
    const skip = await verifyHistory(suite, chat, bytesOf(a1, a5), { firstHeld: firstHeld(3) });
    expect(skip.problems).toEqual([{ ...gap(3), missingTo: 4, evidence: a5.bytes }]);
  });

  it('accepts a late joiner whose first entries name pre-join heads, known through prev links', async () => {
    const { a3, b2 } = await story();
    const b3 = await write(bob, 3, b2, [a3]);
    const a4 = await write(alice, 4, a3, [b3]);
    // carol joined after a3 and b2: she holds a3 (prev → a2), b3 (prev → b2) and a4.
    const report = await verifyHistory(suite, chat, bytesOf(a3, b3, a4), {
      firstHeld: (account) => (account === alice.account ? 3 : 3),
    });
    expect(report.problems).toEqual([]);
    expect(texts(report.order)).toEqual(['alice #3', 'bob #3', 'alice #4']);
  });

  it('throws RangeError when firstHeld answers something other than a positive integer', async () => {
    const { a1 } = await story();
    for (const answer of [0, -1, 1.5, Number.NaN]) {
      await expect(
        verifyHistory(suite, chat, [a1.bytes], { firstHeld: () => answer }),
      ).rejects.toThrow(RangeError);
    }
  });
});

describe('broken links and equivocations', () => {
  it('reports an entry whose prev is not the held entry n - 1 as a broken link', async () => {
    const a1 = await write(alice, 1, null);
    const a2 = await write(alice, 2, sha256(utf8('some other a1')));
    const report = await verifyHistory(suite, chat, bytesOf(a1, a2));
    expect(report.problems).toEqual([
      {
        kind: 'broken-link',
        author: alice.account,
        device: alice.device,
        n: 2,
        evidence: [a1.bytes, a2.bytes],
      },
    ]);
  });

  it('reports two signed entries with the same n as an equivocation, keeping both in the order', async () => {
    const a1 = await write(alice, 1, null);
    const a2 = await write(alice, 2, a1);
    const a2x = await write(alice, 2, a1, [], { body: { type: 'text', text: 'another #2' } });
    const a3 = await write(alice, 3, a2x);
    const report = await verifyHistory(suite, chat, bytesOf(a3, a2, a2x, a1));
    const [low, high] = [a2, a2x].sort((x, y) => compareBytes(x.hash, y.hash));
    expect(report.problems).toEqual([
      {
        kind: 'equivocation',
        author: alice.account,
        device: alice.device,
        n: 2,
        evidence: [low?.bytes, high?.bytes],
      },
    ]);
    expect(report.entries).toBe(4);
    expect(report.order).toHaveLength(4);
    // a3 links to one of the two: no broken link. Both versions of 2 are counted.
    expect(report.authors).toEqual([
      { account: alice.account, device: alice.device, count: 4, lastN: 3 },
    ]);
  });

  it('reports each side of an equivocation at n whose prev is not the held n - 1', async () => {
    const a1 = await write(alice, 1, null);
    const a2 = await write(alice, 2, a1);
    const a2x = await write(alice, 2, sha256(utf8('forged a1')));
    const report = await verifyHistory(suite, chat, bytesOf(a1, a2, a2x));
    expect(report.problems.map((p) => p.kind)).toEqual(['equivocation', 'broken-link']);
    expect(report.problems[1]).toMatchObject({ n: 2, evidence: [a1.bytes, a2x.bytes] });
  });

  it('keeps the chains of two devices of one account apart', async () => {
    // eve's device key signs entries naming alice's account: a chain of its own.
    const a1 = await write(alice, 1, null);
    const e1 = await createChatEntry(suite, eve.deviceSeed, {
      ...a1.entry,
      device: eve.device,
    });
    const report = await verifyHistory(suite, chat, bytesOf(a1, e1));
    expect(report.ok).toBe(true);
    expect(report.authors.map((a) => [a.account, a.device])).toEqual(
      [
        [alice.account, alice.device],
        [alice.account, eve.device],
      ].sort((x, y) => compareBytes(x[1] as Uint8Array, y[1] as Uint8Array)),
    );
  });
});

describe('invalid entries and dangling heads', () => {
  it('reports undecodable, forged and foreign entries as invalid-entry with their bytes', async () => {
    const a1 = await write(alice, 1, null);
    const foreign = await write(alice, 2, a1, [], { chat: otherChat });
    const forged = Uint8Array.from(a1.bytes);
    const at = Buffer.from(a1.bytes).indexOf(Buffer.from(a1.entry.signature)) + 10;
    forged[at] = (forged[at] ?? 0) ^ 1; // a byte of the signature
    const garbage = utf8('not an entry');
    const report = await verifyHistory(suite, chat, [a1.bytes, foreign.bytes, forged, garbage]);
    const invalid = report.problems.filter((p) => p.kind === 'invalid-entry');
    expect(invalid).toHaveLength(3);
    const reasonOf = (bytes: Uint8Array) =>
      invalid.find((p) => compareBytes(p.evidence, bytes) === 0)?.reason;
    expect([reasonOf(foreign.bytes), reasonOf(forged), reasonOf(garbage)]).toEqual([
      'wrong-chat',
      'bad-signature',
      'malformed',
    ]);
    expect(report.entries).toBe(1);
    expect(texts(report.order)).toEqual(['alice #1']);
  });

  it('refuses entries of devices the directory does not list for their author as unknown-device', async () => {
    const a1 = await write(alice, 1, null);
    const claim = await createChatEntry(suite, eve.deviceSeed, { ...a1.entry, device: eve.device });
    const b1 = await write(bob, 1, null);
    const report = await verifyHistory(suite, chat, bytesOf(a1, claim, b1), {
      deviceKeysOf: devicesOf(alice), // bob unknown, eve's device not alice's
    });
    expect(report.problems).toEqual(
      [claim, b1]
        .sort((x, y) => compareBytes(x.hash, y.hash))
        .map((w) => ({ kind: 'invalid-entry', reason: 'unknown-device', evidence: w.bytes })),
    );
    expect(report.entries).toBe(1);
  });

  it('reports a head that no held entry has and no prev explains as a missing dependency', async () => {
    const a1 = await write(alice, 1, null);
    const ghost = sha256(utf8('an entry nobody holds'));
    const b1 = await write(bob, 1, null, [a1, ghost]);
    const report = await verifyHistory(suite, chat, bytesOf(a1, b1));
    expect(report.problems).toEqual([
      { kind: 'missing-dependency', hash: ghost, referencedBy: b1.hash },
    ]);
    // The entry is still valid and placed after the head it holds.
    expect(texts(report.order)).toEqual(['alice #1', 'bob #1']);
  });

  it('never accepts a mutated entry: it is invalid, and the original chain still verifies (property)', async () => {
    const a1 = await write(alice, 1, null, [], { checkpoint: 'cp' });
    await fc.assert(
      fc.asyncProperty(mutationArbitrary, async (mutation) => {
        const report = await verifyHistory(suite, chat, [
          a1.bytes,
          applyMutation(a1.bytes, mutation),
        ]);
        expect(report.entries).toBe(1);
        expect(report.problems.map((p) => p.kind)).toEqual(['invalid-entry']);
      }),
      { numRuns: 100 },
    );
  });
});
