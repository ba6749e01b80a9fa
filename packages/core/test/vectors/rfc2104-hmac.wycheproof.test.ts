/**
 * HMAC-SHA256 (RFC 2104, FIPS 198-1) known answers: every Wycheproof hmac_sha256_test.json case
 * through `suite.kdf.hmacSha256`, which returns the full 32-byte tag. Cases with a 128-bit tag
 * are checked on the tag's prefix (truncation as in RFC 2104 §5).
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { createCryptoSuite } from '../../src/crypto/suite.js';
import { casesOf, itEachCase, loadWycheproof, tally, type WycheproofCase } from './wycheproof.js';

interface MacCase extends WycheproofCase {
  readonly key: string;
  readonly msg: string;
  readonly tag: string;
}

interface MacGroup {
  readonly keySize: number;
  readonly tagSize: number;
  readonly tests: readonly MacCase[];
}

const suite = createCryptoSuite(globalThis.crypto.subtle);
const file = loadWycheproof<MacGroup>('hmac_sha256_test.json');
const cases = casesOf(file);
const full = cases.filter(({ group }) => group.tagSize === 256);
const truncated = cases.filter(({ group }) => group.tagSize !== 256);
const fullValid = full.filter(({ test }) => test.result === 'valid');
const fullInvalid = full.filter(({ test }) => test.result === 'invalid');
const truncatedValid = truncated.filter(({ test }) => test.result === 'valid');
const truncatedInvalid = truncated.filter(({ test }) => test.result === 'invalid');

describe(`Wycheproof hmac_sha256_test.json through suite.kdf.hmacSha256 (${cases.length} cases)`, () => {
  it('has the 174 cases the file declares: 87 with a full tag, 87 with a 128-bit tag', () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.numberOfTests).toBe(174);
    expect(tally(cases, ({ test }) => test.result)).toEqual({ valid: 66, invalid: 108 });
    expect(tally(full, ({ test }) => test.result)).toEqual({ valid: 33, invalid: 54 });
    expect(tally(truncated, ({ test }) => test.result)).toEqual({ valid: 33, invalid: 54 });
    expect(tally(cases, ({ group, test }) => `${group.tagSize}:${test.tag.length * 4}`)).toEqual({
      '256:256': 87,
      '128:128': 87,
    });
    // No case has an empty key; that misuse is checked on its own below.
    expect(cases.filter(({ test }) => test.key === '')).toEqual([]);
  });

  describe(`256-bit tag, valid: the tag equals ours (${fullValid.length})`, () => {
    itEachCase(fullValid, async ({ test }) => {
      const tag = await suite.kdf.hmacSha256(fromHex(test.key), fromHex(test.msg));
      expect(toHex(tag)).toBe(test.tag);
    });
  });

  describe(`256-bit tag, invalid: the tag differs from ours (${fullInvalid.length})`, () => {
    itEachCase(fullInvalid, async ({ test }) => {
      const tag = await suite.kdf.hmacSha256(fromHex(test.key), fromHex(test.msg));
      expect(tag).toHaveLength(32);
      expect(toHex(tag)).not.toBe(test.tag);
    });
  });

  describe(`128-bit tag, valid: the tag equals the prefix of ours (${truncatedValid.length})`, () => {
    itEachCase(truncatedValid, async ({ test }) => {
      const tag = await suite.kdf.hmacSha256(fromHex(test.key), fromHex(test.msg));
      expect(toHex(tag.subarray(0, test.tag.length / 2))).toBe(test.tag);
    });
  });

  describe(`128-bit tag, invalid: the tag differs from the prefix of ours (${truncatedInvalid.length})`, () => {
    itEachCase(truncatedInvalid, async ({ test }) => {
      const tag = await suite.kdf.hmacSha256(fromHex(test.key), fromHex(test.msg));
      expect(tag).toHaveLength(32);
      expect(toHex(tag.subarray(0, test.tag.length / 2))).not.toBe(test.tag);
    });
  });
});

describe('suite.kdf.hmacSha256 misuse', () => {
  it('refuses an empty key with RangeError, as WebCrypto cannot import one', async () => {
    await expect(suite.kdf.hmacSha256(new Uint8Array(0), fromHex('00'))).rejects.toThrow(
      RangeError,
    );
  });
});
