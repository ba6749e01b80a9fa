/**
 * HKDF-SHA256 (RFC 5869) known answers: every Wycheproof hkdf_sha256_test.json case through
 * `suite.kdf.hkdfSha256`. RFC 5869 §2.3 caps the output at 255 × HashLen = 8160 bytes; asking
 * for more is misuse and throws RangeError.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { createCryptoSuite } from '../../src/crypto/suite.js';
import {
  casesOf,
  itEachCase,
  loadWycheproof,
  tally,
  tallyFlags,
  type WycheproofCase,
} from './wycheproof.js';

interface HkdfCase extends WycheproofCase {
  readonly ikm: string;
  readonly salt: string;
  readonly info: string;
  readonly size: number;
  readonly okm: string;
}

interface HkdfGroup {
  readonly tests: readonly HkdfCase[];
}

const suite = createCryptoSuite(globalThis.crypto.subtle);
const file = loadWycheproof<HkdfGroup>('hkdf_sha256_test.json');
const cases = casesOf(file);
const valid = cases.filter(({ test }) => test.result === 'valid');
const invalid = cases.filter(({ test }) => test.result === 'invalid');

describe(`Wycheproof hkdf_sha256_test.json through suite.kdf.hkdfSha256 (${cases.length} cases)`, () => {
  it('has the 86 cases the file declares: 83 valid, 3 asking for 8161 bytes', () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.numberOfTests).toBe(86);
    expect(tally(cases, ({ test }) => test.result)).toEqual({ valid: 83, invalid: 3 });
    expect(tallyFlags(invalid)).toEqual({ SizeTooLarge: 3 });
    expect(invalid.map(({ test }) => test.size)).toEqual([8161, 8161, 8161]);
    expect(tallyFlags(valid)).toMatchObject({ MaximalOutputSize: 3, EmptySalt: 23 });
  });

  describe(`valid: derives okm (${valid.length})`, () => {
    itEachCase(valid, async ({ test }) => {
      const okm = await suite.kdf.hkdfSha256(
        fromHex(test.ikm),
        fromHex(test.salt),
        fromHex(test.info),
        test.size,
      );
      expect(okm).toHaveLength(test.size);
      expect(toHex(okm)).toBe(test.okm);
    });
  });

  describe(`invalid (output longer than 255 × 32 bytes): throws RangeError (${invalid.length})`, () => {
    itEachCase(invalid, async ({ test }) => {
      const deriving = suite.kdf.hkdfSha256(
        fromHex(test.ikm),
        fromHex(test.salt),
        fromHex(test.info),
        test.size,
      );
      await expect(deriving).rejects.toThrow(RangeError);
    });
  });
});
