/**
 * multiformats/multihash value tests (tests/values/test_cases.csv), sha2-256 rows, against the
 * multihash Parley builds for CIDs and account ids; and the multicodec table's codes against
 * Parley's constants.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { base32 } from 'multiformats/bases/base32';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/bytes.js';
import {
  DAG_CBOR_CODE,
  RAW_CODE,
  SHA2_256_CODE,
  cidForBytes,
  parseCid,
} from '../../src/encoding/cid.js';
import { ED25519_PUB_MULTICODEC, parseAccountId } from '../../src/identity/account-id.js';
import { thrownCode } from '../support/core-error.js';
import { loadCsvTable } from './multiformats-vectors.js';

// The `input` column looks like hex but is hashed as its ASCII text: sha2-256 of the 42 characters
// "431fb5…2c" is ffb31f07…, the row's digest, while sha2-256 of the 21 bytes it spells is 383a4348….
const rows = loadCsvTable('multihash/tests/values/test_cases.csv');
const sha256Rows = rows
  .filter((row) => row.algorithm === 'sha2-256')
  .map((row) => ({
    bits: Number(row.bits),
    input: row.input ?? '',
    multihash: row.multihash ?? '',
  }));
const fullRows = sha256Rows.filter(({ bits }) => bits === 256);
const truncatedRows = sha256Rows.filter(({ bits }) => bits !== 256);

describe(`multihash test_cases.csv, sha2-256 rows (${sha256Rows.length} cases)`, () => {
  it('has 60 sha2-256 rows: 20 inputs at 256 bits and at the truncated 80 and 160 bits', () => {
    expect(toHex(sha256(utf8(sha256Rows[0]?.input ?? '')))).toBe(
      'ffb31f07aa15348368c90c73a834dbf9f8710365860fa0fd4ddce9ac2782cc17',
    );
    expect(sha256Rows).toHaveLength(60);
    expect(fullRows).toHaveLength(20);
    expect(truncatedRows.map(({ bits }) => bits).sort()).toEqual([
      ...Array<number>(20).fill(160),
      ...Array<number>(20).fill(80),
    ]);
  });

  describe(`Digest.create(0x12, sha256(input)) and cidForBytes give the 256-bit multihash (${fullRows.length})`, () => {
    it.each(fullRows)('sha2-256 of "$input"', ({ input, multihash }) => {
      const bytes = utf8(input);
      expect(toHex(Digest.create(SHA2_256_CODE, sha256(bytes)).bytes)).toBe(multihash);
      expect(toHex(cidForBytes(bytes, RAW_CODE).multihash.bytes)).toBe(multihash);
      expect(toHex(cidForBytes(bytes, DAG_CBOR_CODE).multihash.bytes)).toBe(multihash);
    });
  });

  describe(`truncated sha2-256 multihashes are refused in CIDs and account ids (${truncatedRows.length})`, () => {
    it.each(truncatedRows)('sha2-256/$bits of "$input"', ({ bits, input, multihash }) => {
      const digest = sha256(utf8(input)).subarray(0, bits / 8);
      expect(toHex(concatBytes(new Uint8Array([0x12, bits / 8]), digest))).toBe(multihash);
      const truncated = Digest.decode(fromHex(multihash));
      expect(thrownCode(() => parseCid(CID.createV1(RAW_CODE, truncated).toString()))).toBe(
        'CORE_CID_UNSUPPORTED_HASH',
      );
      expect(thrownCode(() => parseAccountId(base32.encode(fromHex(multihash))))).toBe(
        'CORE_ACCOUNT_ID_INVALID',
      );
    });
  });
});

/** The unsigned varint (multiformats/unsigned-varint) of a non-negative integer. */
function unsignedVarint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return new Uint8Array(out);
}

const table = loadCsvTable('multicodec/table.csv');
const CONSTANTS = [
  { name: 'dag-cbor', tag: 'ipld', ours: DAG_CBOR_CODE, where: 'cid.ts DAG_CBOR_CODE' },
  { name: 'raw', tag: 'ipld', ours: RAW_CODE, where: 'cid.ts RAW_CODE' },
  { name: 'sha2-256', tag: 'multihash', ours: SHA2_256_CODE, where: 'cid.ts SHA2_256_CODE' },
];

describe(`multicodec table.csv against Parley's constants (${CONSTANTS.length + 1} codes)`, () => {
  it('is the table (over 600 entries, identity = 0x00 first)', () => {
    expect(table.length).toBeGreaterThan(600);
    expect(table[0]).toMatchObject({ name: 'identity', tag: 'multihash', code: '0x00' });
  });

  it.each(CONSTANTS)('$name is a $tag code equal to $where', ({ name, tag, ours }) => {
    const entries = table.filter((row) => row.name === name);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.tag).toBe(tag);
    expect(Number(entries[0]?.code)).toBe(ours);
  });

  it('ed25519-pub is key code 0xed, whose varint is account-id.ts ED25519_PUB_MULTICODEC', () => {
    const entries = table.filter((row) => row.name === 'ed25519-pub');
    expect(entries).toHaveLength(1);
    expect(entries[0]?.tag).toBe('key');
    expect(entries[0]?.code).toBe('0xed');
    expect(toHex(ED25519_PUB_MULTICODEC)).toBe(toHex(unsignedVarint(Number(entries[0]?.code))));
    expect(toHex(ED25519_PUB_MULTICODEC)).toBe('ed01');
  });
});
