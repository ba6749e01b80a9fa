/**
 * Log batch files: canonical DAG-CBOR IPLD blocks with real CID links, chained by `prev`, and
 * refused with CORE_BATCH_INVALID when anything is off.
 */
import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { applyMutation, mutationArbitrary } from '../../test/support/mutations.js';
import { thrownCode } from '../../test/support/core-error.js';
import { utf8 } from '../bytes.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { RAW_CODE, cidForBytes, parseCid } from '../encoding/cid.js';
import { MAX_BATCH_LEAVES, decodeLogBatch, encodeLogBatch, type LogBatch } from './batch.js';

const envelopeCid = (i: number) => cidForBytes(encodeCanonical({ envelope: i })).toString();
const first: LogBatch = {
  v: 1,
  origin: 'relay.example.org/log',
  start: 0,
  end: 3,
  leaves: [envelopeCid(0), envelopeCid(1), cidForBytes(utf8('blob'), RAW_CODE).toString()],
  prev: null,
};

describe('encodeLogBatch and decodeLogBatch', () => {
  it('round-trips a batch; its cid is the CIDv1 dag-cbor sha2-256 of its bytes', () => {
    const { bytes, cid } = encodeLogBatch(first);
    expect(cid).toBe(cidForBytes(bytes).toString());
    expect(parseCid(cid).code).toBe(0x71);
    expect(decodeLogBatch(bytes)).toEqual(first);
  });

  it('writes leaves and prev as DAG-CBOR links (tag 42), so the file is an IPLD block', () => {
    const { cid: prev } = encodeLogBatch(first);
    const second = { ...first, start: 3, end: 4, leaves: [envelopeCid(3)], prev };
    const { bytes } = encodeLogBatch(second);
    const raw = dagCbor.decode<{ leaves: unknown[]; prev: unknown }>(bytes);
    expect(CID.asCID(raw.prev)?.toString()).toBe(prev);
    expect(CID.asCID(raw.leaves[0])?.toString()).toBe(envelopeCid(3));
    expect(bytes.includes(0xd8)).toBe(true); // tag header
    expect(decodeLogBatch(bytes)).toEqual(second);
  });

  it('round-trips any batch of random leaves (property)', () => {
    fc.assert(
      fc.property(
        fc.maxSafeNat(),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.boolean(),
        (start, ids, hasPrev) => {
          if (start + ids.length > Number.MAX_SAFE_INTEGER) return;
          const batch: LogBatch = {
            ...first,
            start,
            end: start + ids.length,
            leaves: ids.map(envelopeCid),
            prev: hasPrev ? envelopeCid(-1) : null,
          };
          expect(decodeLogBatch(encodeLogBatch(batch).bytes)).toEqual(batch);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('spells leaves in canonical base32 whatever multibase spelled them', () => {
    const base58 = CID.parse(envelopeCid(0)).toString(base58btc);
    expect(base58.startsWith('z')).toBe(true);
    const { bytes } = encodeLogBatch({ ...first, leaves: [base58, ...first.leaves.slice(1)] });
    expect(decodeLogBatch(bytes)).toEqual(first);
  });

  it('throws RangeError when asked to encode a batch that breaks the rules', () => {
    const v0 = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG';
    const bad: LogBatch[] = [
      { ...first, end: 2 },
      { ...first, end: 4 },
      { ...first, start: 4 },
      { ...first, origin: 'has space' },
      { ...first, origin: '' },
      { ...first, leaves: [envelopeCid(0), envelopeCid(1), 'not a cid'] },
      { ...first, leaves: [envelopeCid(0), envelopeCid(1), v0] },
      { ...first, prev: first.leaves[2] ?? null }, // a raw CID cannot name a batch file
      { ...first, prev: 'nope' },
      { ...first, v: 2 as 1 },
    ];
    for (const batch of bad)
      expect(() => encodeLogBatch(batch), JSON.stringify(batch)).toThrow(RangeError);
  });
});

describe('decodeLogBatch refusals', () => {
  const link = (i: number) => CID.parse(envelopeCid(i));
  const valid = {
    v: 1,
    origin: first.origin,
    start: 0,
    end: 2,
    leaves: [link(0), link(1)],
    prev: null,
  };

  it.each([
    ['leaves.length below end - start', { end: 3 }],
    ['leaves.length above end - start', { end: 1 }],
    ['end below start', { start: 3, end: 1 }],
    ['a negative start', { start: -1 }],
    ['a fractional end', { end: 1.5 }],
    ['leaves as CID text, not links', { leaves: [envelopeCid(0), envelopeCid(1)] }],
    [
      'a CIDv0 leaf',
      { leaves: [link(0), CID.parse('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')] },
    ],
    ['prev as text', { prev: envelopeCid(0) }],
    ['a raw prev', { prev: CID.parse(first.leaves[2] ?? '') }],
    ['no prev', { prev: undefined }],
    ['an unknown field', { extra: 1 }],
    ['an origin with a space', { origin: 'a b' }],
    ['leaves that are not a list', { leaves: link(0) }],
  ])('refuses %s with CORE_BATCH_INVALID', (_what, change) => {
    const value = Object.fromEntries(
      Object.entries({ ...valid, ...change }).filter(([, v]) => v !== undefined),
    );
    expect(thrownCode(() => decodeLogBatch(encodeCanonical(value)))).toBe('CORE_BATCH_INVALID');
  });

  it('refuses an unknown version with CORE_UNKNOWN_VERSION', () => {
    expect(thrownCode(() => decodeLogBatch(encodeCanonical({ ...valid, v: 2 })))).toBe(
      'CORE_UNKNOWN_VERSION',
    );
  });

  it('refuses more than MAX_BATCH_LEAVES leaves', () => {
    const leaves = Array.from({ length: MAX_BATCH_LEAVES + 1 }, () => link(0));
    const bytes = encodeCanonical({ ...valid, end: leaves.length, leaves });
    expect(thrownCode(() => decodeLogBatch(bytes))).toBe('CORE_BATCH_INVALID');
  });

  it('refuses non-canonical, truncated or non-CBOR bytes with CORE_BATCH_INVALID and the CBOR cause', () => {
    const { bytes } = encodeLogBatch(first);
    for (const input of [
      new Uint8Array(0),
      bytes.subarray(0, bytes.length - 1),
      utf8('batch'),
      encodeCanonical([1]),
    ]) {
      expect(thrownCode(() => decodeLogBatch(input))).toBe('CORE_BATCH_INVALID');
    }
  });

  it('never accepts a mutation as the same batch and throws only CoreErrors (property)', () => {
    const { bytes } = encodeLogBatch(first);
    fc.assert(
      fc.property(mutationArbitrary, (mutation) => {
        let decoded: LogBatch | undefined;
        try {
          decoded = decodeLogBatch(applyMutation(bytes, mutation));
        } catch (error) {
          expect(['CORE_BATCH_INVALID', 'CORE_UNKNOWN_VERSION']).toContain(
            (error as { code?: string }).code,
          );
        }
        if (decoded !== undefined) expect(decoded).not.toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});
