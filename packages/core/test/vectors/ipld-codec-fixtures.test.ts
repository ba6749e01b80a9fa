/**
 * IPLD codec-fixtures (ipld/codec-fixtures) through Parley's canonical DAG-CBOR: every fixture's
 * CID recomputed from its bytes, every fixture decoded and re-encoded byte for byte unless Parley's
 * link policy (sha2-256 only) refuses it, and every dag-cbor negative fixture refused.
 */
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { decodeCanonical, encodeCanonical } from '../../src/encoding/canonical.js';
import { SHA2_256_CODE, cidForBytes } from '../../src/encoding/cid.js';
import type { CoreErrorCode } from '../../src/errors.js';
import { thrownCode } from '../support/core-error.js';
import {
  loadCsvTable,
  loadDagCborFixtures,
  loadNegativeDagCborDecodeFixtures,
  type DagCborFixture,
} from './multiformats-vectors.js';

/**
 * Fixtures holding at least one link whose multihash is not sha2-256 with a 32-byte digest, with
 * the hash functions of those links. Parley refuses them (CORE_CID_UNSUPPORTED_HASH): a link is
 * only as strong as its hash, and identity "hashes" inline data that bypasses size limits.
 */
const REFUSED_BY_LINK_POLICY: Readonly<Record<string, readonly string[]>> = {
  'cid-arrayof': ['dbl-sha2-256', 'identity', 'sha1'],
  'cid-bafkqabiaaebagba': ['identity'],
  'cid-bagyacvradn6dsgl6sw2jwoh7s3d37hq5wsu7g22wtdwnmaaaaaaaaaaaaaaa': ['dbl-sha2-256'],
  'cid-bagyqcvraypzcitp3hsbtyyxhfyc3p7i3226lullm2rkzqsqqlhnxus7tqnea': ['dbl-sha2-256'],
  'cid-bahaacvrabdhd3fzrwaambazyivoiustl2bo2c3rgweo2ug4rogcoz2apaqaa': ['dbl-sha2-256'],
  'cid-bahaacvrasyauh7rmlyrmyc7qzvktjv7x6q2h6ttvei6qon43tl3riaaaaaaa': ['dbl-sha2-256'],
  'cid-mapof': ['dbl-sha2-256', 'identity', 'sha1'],
  'cid-z8mWaJ1dZ9fH5EetPuRsj8jj26pXsgpsr': ['sha1'],
  dagpb_Links_Hash_some: ['identity'],
  dagpb_Links_Hash_some_Name_some: ['identity'],
  dagpb_Links_Hash_some_Name_zero: ['identity'],
  dagpb_Links_Hash_some_Tsize_some: ['identity'],
  dagpb_Links_Hash_some_Tsize_zero: ['identity'],
  dagpb_simple_forms_2: ['identity'],
  dagpb_simple_forms_3: ['identity'],
  dagpb_simple_forms_4: ['identity'],
  'garbage-00': ['blake2b-256', 'sha3-512'],
  'garbage-01': ['sha2-512'],
  'garbage-02': ['blake2b-256', 'keccak-256', 'sha2-512', 'sha3-384'],
  'garbage-03': ['blake2b-256', 'sha3-384'],
  'garbage-05': ['blake2b-256', 'sha2-512'],
  'garbage-06': ['blake2b-256', 'sha3-384'],
  'garbage-07': ['blake2b-256', 'sha3-384'],
  'garbage-09': ['sha2-512'],
  'garbage-11': ['sha3-256'],
  'garbage-14': ['keccak-256', 'sha2-512'],
  'garbage-15': ['blake2b-256'],
  'garbage-16': ['sha3-384', 'sha3-512'],
  'garbage-17': ['sha3-384'],
  'garbage-18': ['sha3-384', 'sha3-512'],
  'garbage-20': ['keccak-256'],
  'garbage-22': ['keccak-256', 'sha3-512'],
  'garbage-24': ['sha3-384'],
};

/** Fixtures whose links are all sha2-256 (CIDv0 and CIDv1, any codec): Parley accepts them. */
const SHA2_256_LINKED = [
  'cid-QmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFzyep1YrVJBY',
  'cid-QmRgutAxd8t7oGkSm4wmeuByG6M51wcTso6cubDdQtuEfL',
  'cid-QmXg9Pp2ytZ14xgmQjYEiHjVjMFXzCVVEcRTWJBmLgR39V',
  'cid-bafkreiebzrnroamgos2adnbpgw5apo3z4iishhbdx77gldnbk57d4zdio4',
  'cid-bafkreifw7plhl6mofk6sfvhnfh64qmkq73oeqwl6sloru6rehaoujituke',
  'cid-bafyreidj5idub6mapiupjwjsyyxhyhedxycv4vihfsicm2vt46o7morwlm',
  'cid-bafyreiejkvsvdq4smz44yuwhfymcuvqzavveoj2at3utujwqlllspsqr6q',
  'cid-bagcqcera73rupyla6bauseyk75rslfys3st25spm75ykhvgusqvv2zfqtucq',
  'cid-zdj7Wd8AMwqnhJGQCbFxBVodGSBG84TM7Hs1rcJuQMwTyfEDS',
  'cid-zdpuAtX7ZibcWdSKQwiDCkPjWwRvtcKCPku9H7LhgA4qJW4Wk',
  'dagpb_11unnamedlinks+data',
  'dagpb_1link',
  'dagpb_2link+data',
  'dagpb_4namedlinks+data',
  'dagpb_7unnamedlinks+data',
];

/** Our code for each negative fixture, by its name in the fixture file. */
const NEGATIVE_FIXTURE_CODES: Readonly<Record<string, CoreErrorCode>> = {
  'duplicate map keys': 'CORE_CBOR_DUPLICATE_KEY',
};

const hashNames = new Map(
  loadCsvTable('multicodec/table.csv')
    .filter((row) => row.tag === 'multihash')
    .map((row) => [Number(row.code), row.name ?? '']),
);

/** The links of a value decoded by the reference decoder (@ipld/dag-cbor). */
function* linksOf(value: unknown): Generator<CID> {
  const cid = CID.asCID(value);
  if (cid !== null) {
    yield cid;
  } else if (Array.isArray(value)) {
    for (const item of value) yield* linksOf(item);
  } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    for (const item of Object.values(value)) yield* linksOf(item);
  }
}

/** The names of the non-sha2-256 hashes among a fixture's links, per the reference decoder. */
function weakLinkHashes(fixture: DagCborFixture): string[] {
  const weak = [...linksOf(dagCbor.decode(fixture.bytes))].filter(
    (cid) => cid.multihash.code !== SHA2_256_CODE || cid.multihash.size !== 32,
  );
  return [...new Set(weak.map((cid) => hashNames.get(cid.multihash.code) ?? 'unknown'))].sort();
}

const fixtures = loadDagCborFixtures();
const refusedNames = new Set(Object.keys(REFUSED_BY_LINK_POLICY));
const refused = fixtures.filter((fixture) => refusedNames.has(fixture.name));
const linked = fixtures.filter((fixture) => SHA2_256_LINKED.includes(fixture.name));
const plain = fixtures.filter(
  (fixture) => !refusedNames.has(fixture.name) && !SHA2_256_LINKED.includes(fixture.name),
);

describe(`ipld/codec-fixtures dag-cbor (${fixtures.length} fixtures)`, () => {
  it('has 128 fixtures: 80 without links, 15 with sha2-256 links, 33 refused by link policy', () => {
    expect(fixtures).toHaveLength(128);
    expect([plain.length, linked.length, refused.length]).toEqual([80, 15, 33]);
  });

  it('classifies the fixtures as the reference decoder (@ipld/dag-cbor) sees their links', () => {
    const observed = fixtures.map((fixture) => ({
      name: fixture.name,
      weak: weakLinkHashes(fixture),
      links: [...linksOf(dagCbor.decode(fixture.bytes))].length,
    }));
    expect(
      Object.fromEntries(observed.filter((f) => f.weak.length > 0).map((f) => [f.name, f.weak])),
    ).toEqual(REFUSED_BY_LINK_POLICY);
    expect(observed.filter((f) => f.weak.length === 0 && f.links > 0).map((f) => f.name)).toEqual(
      SHA2_256_LINKED,
    );
  });

  describe(`the CID of the bytes is the file name (${fixtures.length})`, () => {
    it.each(fixtures)('$name', ({ bytes, cid }) => {
      expect(cidForBytes(bytes).toString()).toBe(cid);
    });
  });

  describe(`fixtures without links decode and re-encode to the same bytes (${plain.length})`, () => {
    it.each(plain)('$name', ({ bytes }) => {
      expect(toHex(encodeCanonical(decodeCanonical(bytes)))).toBe(toHex(bytes));
    });
  });

  describe(`fixtures with only sha2-256 links decode and re-encode to the same bytes (${linked.length})`, () => {
    it.each(linked)('$name', ({ bytes }) => {
      const decoded = decodeCanonical(bytes);
      expect(toHex(encodeCanonical(decoded))).toBe(toHex(bytes));
      expect([...linksOf(decoded)].length).toBeGreaterThan(0);
    });
  });

  describe(`fixtures with a non-sha2-256 link are refused (${refused.length})`, () => {
    it.each(refused)('$name is refused with a CoreError', ({ bytes }) => {
      expect(thrownCode(() => decodeCanonical(bytes))).toMatch(/^CORE_/);
    });

    it.each(refused)('$name is refused with CORE_CID_UNSUPPORTED_HASH', ({ bytes }) => {
      expect(thrownCode(() => decodeCanonical(bytes))).toBe('CORE_CID_UNSUPPORTED_HASH');
    });
  });
});

const negatives = loadNegativeDagCborDecodeFixtures();

describe(`ipld/codec-fixtures negative-fixtures/dag-cbor/decode (${negatives.length} cases)`, () => {
  it('has the one case the fixture set holds (duplicate map keys)', () => {
    expect(negatives.map(({ file, name }) => `${file}: ${name}`)).toEqual([
      'duplicate-keys.json: duplicate map keys',
    ]);
  });

  it.each(negatives)('$file: $name is refused', ({ name, bytes }) => {
    expect(thrownCode(() => decodeCanonical(bytes))).toBe(NEGATIVE_FIXTURE_CODES[name]);
  });
});
