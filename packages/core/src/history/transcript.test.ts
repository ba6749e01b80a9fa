/**
 * Transcripts: a chat exported with its directory entries and log proofs, verified offline; every
 * field tampered with shows up in the report, and the decoder refuses what is not a transcript.
 */
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { beforeAll, describe, expect, it } from 'vitest';
import { thrownCode } from '../../test/support/core-error.js';
import { applyMutation, mutationArbitrary } from '../../test/support/mutations.js';
import { unsafeTestMember, type TestMember } from '@parley/test-support/mls-members';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { compareBytes, utf8 } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { certifyDevice, createDirectoryEntry } from '../directory/directory-entry.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { cidForBytes } from '../encoding/cid.js';
import { newSharedTopic } from '../envelope/inbox.js';
import { formatCheckpoint, signCheckpoint } from '../log/checkpoint.js';
import { logLeafHash } from '../log/leaf.js';
import { MerkleTree } from '../log/merkle-tree.js';
import { createChatEntry, type ChatEntry } from '../mls/chat-entry.js';
import { orderEntries } from './order.js';
import {
  MAX_TRANSCRIPT_BYTES,
  decodeTranscript,
  encodeTranscript,
  verifyTranscript,
  type Transcript,
} from './transcript.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const chat = newSharedTopic(unsafeSeededRandom('transcript chat'));
const T0 = 1_767_225_600_000;
const ORIGIN = 'relay.example.org/log';
const logSeed = new Uint8Array(32).fill(1);

let alice: TestMember;
let bob: TestMember;
let full: Transcript;
/** Entries in order with the CIDs of the envelopes that carried them. */
let written: { bytes: Uint8Array; hash: Uint8Array; entry: ChatEntry; cid: string }[];
let tree: MerkleTree;

async function directoryEntry(member: TestMember): Promise<Uint8Array> {
  const device = await certifyDevice(suite, member.identity, {
    deviceKey: member.device,
    hpkeKey: new Uint8Array(32).fill(7),
    createdAt: T0,
  });
  const { bytes } = await createDirectoryEntry(suite, member.identity, {
    devices: [device],
    lastResort: utf8('key package'),
    updatedAt: T0,
  });
  return bytes;
}

beforeAll(async () => {
  [alice, bob] = await Promise.all([
    unsafeTestMember(suite, 'alice'),
    unsafeTestMember(suite, 'bob'),
  ]);
  written = [];
  const last = new Map<string, Uint8Array>();
  const plan: [TestMember, number][] = [
    [alice, 1],
    [bob, 1],
    [alice, 2],
    [bob, 2],
  ];
  for (const [member, n] of plan) {
    const heads =
      written.length === 0 ? [] : [written[written.length - 1]?.hash ?? new Uint8Array(32)];
    const prev = last.get(member.name) ?? null;
    const made = await createChatEntry(suite, member.deviceSeed, {
      chat,
      author: member.account,
      device: member.device,
      n,
      prev,
      heads: heads.filter((h) => prev === null || compareBytes(h, prev) !== 0),
      sentAt: T0 + written.length,
      body: { type: 'text', text: `${member.name} #${n}` },
      checkpoint: null,
    });
    last.set(member.name, made.hash);
    // The envelope that carried the entry: its CID is the log leaf.
    const cid = cidForBytes(
      encodeCanonical({ envelope: written.length, of: made.hash }),
    ).toString();
    written.push({ ...made, cid });
  }
  // Other leaves around them, as a busy relay log would have.
  tree = new MerkleTree();
  tree.append(logLeafHash(cidForBytes(utf8('directory entry'), 0x55)));
  for (const w of written) tree.append(logLeafHash(w.cid));
  tree.append(logLeafHash(cidForBytes(utf8('someone else'), 0x55)));
  const body = formatCheckpoint({
    origin: ORIGIN,
    size: tree.size,
    rootHash: tree.root(),
    extensions: [],
  });
  const ordered = orderEntries(written.map((w) => ({ ...w.entry, hash: w.hash, bytes: w.bytes })));
  full = {
    v: 1,
    chat,
    exportedAt: T0 + 10_000,
    entries: ordered.map((w) => w.bytes),
    directory: [await directoryEntry(alice), await directoryEntry(bob)],
    firstHeld: [],
    log: {
      origin: ORIGIN,
      publicKey: await suite.ed25519.publicKey(logSeed),
      checkpoint: await signCheckpoint(suite, logSeed, ORIGIN, body),
      inclusions: written.map((w, i) => ({
        entry: w.hash,
        cid: w.cid,
        index: i + 1,
        proof: tree.inclusionProof(i + 1),
      })),
    },
  };
});

describe('encodeTranscript and decodeTranscript', () => {
  it('round-trips a transcript, marked with type parley/transcript', () => {
    const bytes = encodeTranscript(full);
    expect(decodeTranscript(bytes)).toEqual(full);
    const raw = new TextDecoder('latin1').decode(bytes);
    expect(raw).toContain('parley/transcript');
  });

  it('round-trips without log and with firstHeld (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 2 ** 40 })), { maxLength: 2 }),
        fc.maxSafeNat(),
        fc.boolean(),
        (held, exportedAt, withLog) => {
          const firstHeld = held.slice(0, 2).map(([isAlice, n], i) => ({
            account: (i === 0 ? alice : bob).account,
            device: (isAlice ? alice : bob).device,
            n,
          }));
          const t = { ...full, exportedAt, firstHeld, log: withLog ? full.log : null };
          expect(decodeTranscript(encodeTranscript(t))).toEqual(t);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('writes inclusion CIDs as DAG-CBOR links', () => {
    const bytes = encodeTranscript(full);
    expect(CID.parse(written[0]?.cid ?? '').bytes.length).toBe(36);
    // d8 2a 58 25 00: tag 42, 37 bytes, multibase identity prefix.
    const linkHeader = Buffer.from([0xd8, 0x2a, 0x58, 0x25, 0x00]);
    expect(Buffer.from(bytes).indexOf(linkHeader)).toBeGreaterThan(0);
  });

  it('throws RangeError when asked to encode an impossible transcript', () => {
    const log = full.log ?? {
      origin: '',
      publicKey: new Uint8Array(0),
      checkpoint: '',
      inclusions: [],
    };
    const bad: Transcript[] = [
      { ...full, chat: new Uint8Array(31) },
      { ...full, exportedAt: -1 },
      { ...full, firstHeld: [{ account: 'alice', device: alice.device, n: 1 }] },
      { ...full, firstHeld: [{ account: alice.account, device: alice.device, n: 0 }] },
      {
        ...full,
        firstHeld: [
          { account: alice.account, device: alice.device, n: 2 },
          { account: alice.account, device: alice.device, n: 3 },
        ],
      },
      { ...full, log: { ...log, origin: 'bad origin' } },
      { ...full, log: { ...log, publicKey: new Uint8Array(31) } },
      {
        ...full,
        log: {
          ...log,
          inclusions: [{ entry: new Uint8Array(32), cid: 'nope', index: 0, proof: [] }],
        },
      },
      {
        ...full,
        log: {
          ...log,
          inclusions: [
            { entry: new Uint8Array(31), cid: written[0]?.cid ?? '', index: 0, proof: [] },
          ],
        },
      },
      { ...full, v: 2 as 1 },
    ];
    for (const t of bad) expect(() => encodeTranscript(t)).toThrow(RangeError);
  });
});

describe('decodeTranscript refusals', () => {
  const wire = () => {
    const log = full.log;
    return {
      type: 'parley/transcript',
      v: 1,
      chat,
      exportedAt: 1,
      entries: [...full.entries],
      directory: [...full.directory],
      firstHeld: [],
      log:
        log === null
          ? null
          : { ...log, inclusions: log.inclusions.map((i) => ({ ...i, cid: CID.parse(i.cid) })) },
    };
  };

  it('decodes the wire form it is tested against', () => {
    expect(decodeTranscript(encodeCanonical(wire()))).toEqual({ ...full, exportedAt: 1 });
  });

  it.each([
    ['no type', { type: undefined }],
    ['another type', { type: 'parley/history' }],
    ['an unknown field', { extra: 1 }],
    ['no log field', { log: undefined }],
    ['a 33-byte chat', { chat: new Uint8Array(33) }],
    ['entries that are text', { entries: ['entry'] }],
    ['directory that is not a list', { directory: new Uint8Array(3) }],
    ['a firstHeld with n = 0', { firstHeld: [{ account: 'x', device: new Uint8Array(32), n: 0 }] }],
    ['a log that is a string', { log: 'log' }],
  ])('refuses %s with CORE_TRANSCRIPT_INVALID', (_what, change) => {
    const value = Object.fromEntries(
      Object.entries({ ...wire(), ...change }).filter(([, v]) => v !== undefined),
    );
    expect(thrownCode(() => decodeTranscript(encodeCanonical(value)))).toBe(
      'CORE_TRANSCRIPT_INVALID',
    );
  });

  it('refuses inclusions with a CID as text, a CIDv0 link, a proof too long, or a hash of 31 bytes', () => {
    const base = wire();
    const inclusion = base.log?.inclusions[0];
    if (base.log === null || inclusion === undefined) throw new Error('no log');
    const v0 = CID.parse('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG');
    for (const change of [
      { cid: inclusion.cid.toString() },
      { cid: v0 },
      { proof: Array.from({ length: 65 }, () => new Uint8Array(32)) },
      { proof: [new Uint8Array(31)] },
      { entry: new Uint8Array(31) },
      { index: -1 },
    ]) {
      const value = { ...base, log: { ...base.log, inclusions: [{ ...inclusion, ...change }] } };
      expect(thrownCode(() => decodeTranscript(encodeCanonical(value)))).toBe(
        'CORE_TRANSCRIPT_INVALID',
      );
    }
  });

  it('refuses an unknown version with CORE_UNKNOWN_VERSION', () => {
    expect(thrownCode(() => decodeTranscript(encodeCanonical({ ...wire(), v: 2 })))).toBe(
      'CORE_UNKNOWN_VERSION',
    );
  });

  it('refuses bytes that are not canonical DAG-CBOR, too deep or too large as CORE_TRANSCRIPT_INVALID', () => {
    const bytes = encodeTranscript(full);
    const deep = { ...wire(), exportedAt: [[[[[[[1]]]]]]] };
    for (const input of [
      new Uint8Array(0),
      bytes.subarray(0, bytes.length - 1),
      utf8('transcript'),
      encodeCanonical(deep),
    ]) {
      expect(thrownCode(() => decodeTranscript(input))).toBe('CORE_TRANSCRIPT_INVALID');
    }
    expect(thrownCode(() => decodeTranscript(new Uint8Array(MAX_TRANSCRIPT_BYTES + 1)))).toBe(
      'CORE_TRANSCRIPT_INVALID',
    );
  });

  it('throws only CoreErrors for mutated bytes (property)', () => {
    const bytes = encodeTranscript({ ...full, entries: full.entries.slice(0, 1), directory: [] });
    fc.assert(
      fc.property(mutationArbitrary, (mutation) => {
        try {
          decodeTranscript(applyMutation(bytes, mutation));
        } catch (error) {
          expect(['CORE_TRANSCRIPT_INVALID', 'CORE_UNKNOWN_VERSION']).toContain(
            (error as { code?: string }).code,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('verifyTranscript', () => {
  it('verifies a full transcript: history, directory and every inclusion', async () => {
    const report = await verifyTranscript(suite, encodeTranscript(full));
    expect(report.history.problems).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      history: { ok: true, entries: 4 },
      directory: { valid: 2, invalid: [] },
      log: { checkpointValid: true, size: 6, verified: 4, failed: [] },
    });
  });

  it('verifies a transcript without log evidence, and a late joiner’s with firstHeld', async () => {
    expect((await verifyTranscript(suite, encodeTranscript({ ...full, log: null }))).ok).toBe(true);
    // A late joiner holds only the second entry of each chain.
    const late = full.entries.filter((_, i) => i >= 2);
    const inclusions = full.log?.inclusions.filter((inc) =>
      late.some((bytes) => written.find((w) => w.bytes === bytes)?.hash === inc.entry),
    );
    const t: Transcript = {
      ...full,
      entries: late,
      firstHeld: [alice, bob].map((m) => ({ account: m.account, device: m.device, n: 2 })),
      log: full.log === null ? null : { ...full.log, inclusions: inclusions ?? [] },
    };
    const report = await verifyTranscript(suite, encodeTranscript(t));
    expect(report.history.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.log?.verified).toBe(2);
    // Without firstHeld the same entries show two gaps.
    const strict = await verifyTranscript(suite, encodeTranscript({ ...t, firstHeld: [] }));
    expect(strict.ok).toBe(false);
    expect(strict.history.problems.map((p) => p.kind)).toEqual(['gap', 'gap']);
  });

  it('reports a withheld entry as a gap, and a withheld chain tail as a missing dependency', async () => {
    const without = (w: (typeof written)[number] | undefined) =>
      verifyTranscript(
        suite,
        encodeTranscript({ ...full, entries: full.entries.filter((b) => b !== w?.bytes) }),
      );
    // alice #1 withheld: alice #2 follows a gap.
    const first = await without(written[0]);
    expect(first.ok).toBe(false);
    expect(first.history.problems.map((p) => p.kind)).toEqual(['gap']);
    // Its inclusion now names an entry the transcript does not hold.
    expect(first.log?.failed.map((f) => f.reason)).toEqual(['unknown-entry']);
    // alice #2, her last, withheld: no later entry of hers, but bob #2 names it as a head.
    const tail = await without(written[2]);
    expect(tail.history.problems).toEqual([
      { kind: 'missing-dependency', hash: written[2]?.hash, referencedBy: written[3]?.hash },
    ]);
  });

  it('refuses a transcript whose entries 0 and 1 are swapped: bob #1 is listed before the entry it follows', async () => {
    const [first, second, ...rest] = full.entries;
    if (first === undefined || second === undefined) throw new Error('no entries');
    const report = await verifyTranscript(
      suite,
      encodeTranscript({ ...full, entries: [second, first, ...rest] }),
    );
    expect(report.ok).toBe(false);
    // The set is unchanged, so the history alone is fine: only the order is wrong.
    expect(report.history.ok).toBe(true);
    expect(report.order).toEqual([
      {
        kind: 'out-of-causal-order',
        index: 0,
        entry: written[1]?.hash,
        dependency: written[0]?.hash,
        dependencyIndex: 1,
        evidence: [first, second],
      },
    ]);
    expect((await verifyTranscript(suite, encodeTranscript(full))).order).toEqual([]);
  });

  it('refuses a transcript that lists an entry twice', async () => {
    const report = await verifyTranscript(
      suite,
      encodeTranscript({ ...full, entries: [...full.entries, full.entries[0] ?? utf8('')] }),
    );
    expect(report.ok).toBe(false);
    expect(report.order.map((p) => p.kind)).toEqual(['repeated-entry']);
  });

  it('reports entries of authors without a directory entry as unknown-device', async () => {
    const report = await verifyTranscript(
      suite,
      encodeTranscript({ ...full, directory: full.directory.slice(0, 1) }),
    );
    expect(report.ok).toBe(false);
    expect(report.history.problems).toHaveLength(2);
    expect(
      report.history.problems.every(
        (p) => p.kind === 'invalid-entry' && p.reason === 'unknown-device',
      ),
    ).toBe(true);
  });

  it('reports a tampered directory entry by index, and the entries it should have vouched for', async () => {
    const tampered = Uint8Array.from(full.directory[1] ?? new Uint8Array(0));
    const at = Buffer.from(tampered).indexOf(Buffer.from(utf8('key package')));
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    const report = await verifyTranscript(
      suite,
      encodeTranscript({ ...full, directory: [full.directory[0] ?? tampered, tampered] }),
    );
    expect(report.directory).toEqual({
      valid: 1,
      invalid: [{ index: 1, reason: 'bad-signature' }],
    });
    expect(report.ok).toBe(false);
    expect(report.history.ok).toBe(false);
  });

  it('reports a wrong chat as invalid entries', async () => {
    const report = await verifyTranscript(
      suite,
      encodeTranscript({ ...full, chat: newSharedTopic(unsafeSeededRandom('elsewhere')) }),
    );
    expect(report.history.entries).toBe(0);
    expect(report.history.problems.map((p) => p.kind === 'invalid-entry' && p.reason)).toEqual(
      Array<string>(4).fill('wrong-chat'),
    );
  });

  it('reports a checkpoint not signed by the log key, or of another origin, as invalid with every inclusion failed', async () => {
    const log = full.log;
    if (log === null) throw new Error('no log');
    const otherKey = await suite.ed25519.publicKey(new Uint8Array(32).fill(2));
    const otherOrigin = await signCheckpoint(
      suite,
      logSeed,
      ORIGIN,
      formatCheckpoint({
        origin: 'other.example/log',
        size: tree.size,
        rootHash: tree.root(),
        extensions: [],
      }),
    );
    for (const changed of [
      { ...log, publicKey: otherKey },
      { ...log, checkpoint: log.checkpoint.replace(`\n${tree.size}\n`, `\n${tree.size + 1}\n`) },
      { ...log, checkpoint: otherOrigin },
      { ...log, origin: 'other.example/log' },
    ]) {
      const report = await verifyTranscript(suite, encodeTranscript({ ...full, log: changed }));
      expect(report.ok).toBe(false);
      expect(report.history.ok).toBe(true);
      expect(report.log).toMatchObject({ checkpointValid: false, size: 0, verified: 0 });
      expect(report.log?.failed.map((f) => f.reason)).toEqual(
        Array<string>(4).fill('checkpoint-invalid'),
      );
    }
  });

  it('reports each tampered inclusion — index, proof, CID, entry — and only that one', async () => {
    const log = full.log;
    const first = log?.inclusions[0];
    if (log === null || first === undefined) throw new Error('no log');
    const flipped = first.proof.map((h, i) =>
      i === 0 ? Uint8Array.from(h, (b, j) => (j === 0 ? b ^ 1 : b)) : h,
    );
    const cases: [Partial<typeof first>, string][] = [
      [{ index: 2 }, 'root-mismatch'],
      [{ index: 99 }, 'index-out-of-range'],
      [{ proof: flipped }, 'root-mismatch'],
      [{ proof: first.proof.slice(1) }, 'wrong-proof-length'],
      [{ cid: written[1]?.cid ?? '' }, 'root-mismatch'],
      [{ entry: new Uint8Array(32) }, 'unknown-entry'],
    ];
    for (const [change, reason] of cases) {
      const inclusions = [{ ...first, ...change }, ...log.inclusions.slice(1)];
      const report = await verifyTranscript(
        suite,
        encodeTranscript({ ...full, log: { ...log, inclusions } }),
      );
      expect(report.ok, reason).toBe(false);
      expect(report.log?.verified).toBe(3);
      expect(report.log?.failed).toEqual(
        [{ ...first, ...change, reason }].map(({ proof: _p, ...f }) => f),
      );
    }
  });

  it('throws the decoder’s CoreError for bytes that are not a transcript', async () => {
    await expect(verifyTranscript(suite, utf8('nope'))).rejects.toMatchObject({
      code: 'CORE_TRANSCRIPT_INVALID',
    });
  });
});
