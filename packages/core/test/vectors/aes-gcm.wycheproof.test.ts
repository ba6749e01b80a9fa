/**
 * AES-GCM (NIST SP 800-38D) known answers: every Wycheproof aes_gcm_test.json case through
 * `suite.aesGcm`. Parley's profile is 128- or 256-bit keys, 96-bit nonces and 128-bit tags; cases
 * outside it (AES-192, other nonce lengths) must be refused with RangeError before any WebCrypto
 * call, so the answer does not depend on what the platform's WebCrypto happens to support.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { createCryptoSuite } from '../../src/crypto/suite.js';
import { CoreError } from '../../src/errors.js';
import {
  casesOf,
  itEachCase,
  loadWycheproof,
  tally,
  tallyFlags,
  type WycheproofCase,
} from './wycheproof.js';

interface AeadCase extends WycheproofCase {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}

interface AeadGroup {
  readonly keySize: number;
  readonly ivSize: number;
  readonly tagSize: number;
  readonly tests: readonly AeadCase[];
}

const suite = createCryptoSuite(globalThis.crypto.subtle);
const file = loadWycheproof<AeadGroup>('aes_gcm_test.json');
const cases = casesOf(file);

/** True if the case's sizes (read from its bytes, not the group header) are in Parley's profile. */
function isInProfile(test: AeadCase): boolean {
  const keyBytes = test.key.length / 2;
  return (
    (keyBytes === 16 || keyBytes === 32) && test.iv.length / 2 === 12 && test.tag.length / 2 === 16
  );
}

const inProfile = cases.filter(({ test }) => isInProfile(test));
const outOfProfile = cases.filter(({ test }) => !isInProfile(test));
const validInProfile = inProfile.filter(({ test }) => test.result === 'valid');
const invalidInProfile = inProfile.filter(({ test }) => test.result === 'invalid');

describe(`Wycheproof aes_gcm_test.json through suite.aesGcm (${cases.length} cases)`, () => {
  it('has the 316 cases the file declares, 133 of them inside the profile', () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.numberOfTests).toBe(316);
    expect(tally(cases, ({ test }) => test.result)).toEqual({ valid: 229, invalid: 87 });
    expect(tally(inProfile, ({ test }) => test.result)).toEqual({ valid: 79, invalid: 54 });
    expect(tally(outOfProfile, ({ test }) => test.result)).toEqual({ valid: 150, invalid: 33 });
    expect(tallyFlags(invalidInProfile)).toEqual({ ModifiedTag: 54 });
  });

  it('states group sizes that match the bytes of every case', () => {
    const mismatched = cases.filter(
      ({ group, test }) =>
        test.key.length * 4 !== group.keySize ||
        test.iv.length * 4 !== group.ivSize ||
        test.tag.length * 4 !== group.tagSize,
    );
    expect(mismatched.map(({ test }) => test.tcId)).toEqual([]);
  });

  describe(`in profile, valid: seals to ct || tag and opens to msg (${validInProfile.length})`, () => {
    itEachCase(validInProfile, async ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      const sealed = await suite.aesGcm.seal(key, nonce, fromHex(test.msg), aad);
      expect(toHex(sealed)).toBe(test.ct + test.tag);
      const opened = await suite.aesGcm.open(key, nonce, fromHex(test.ct + test.tag), aad);
      expect(toHex(opened)).toBe(test.msg);
    });
  });

  describe(`in profile, invalid: open throws CORE_AEAD_OPEN_FAILED (${invalidInProfile.length})`, () => {
    itEachCase(invalidInProfile, async ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      const opening = suite.aesGcm.open(key, nonce, fromHex(test.ct + test.tag), aad);
      await expect(opening).rejects.toBeInstanceOf(CoreError);
      await expect(opening).rejects.toHaveProperty('code', 'CORE_AEAD_OPEN_FAILED');
      // Only the tag was modified: sealing msg gives the same ciphertext and a different tag.
      const sealed = await suite.aesGcm.seal(key, nonce, fromHex(test.msg), aad);
      expect(toHex(sealed.subarray(0, -16))).toBe(test.ct);
      expect(toHex(sealed.subarray(-16))).not.toBe(test.tag);
    });
  });

  describe(`outside the profile (AES-192, nonce not 96 bits): seal and open throw RangeError (${outOfProfile.length})`, () => {
    itEachCase(outOfProfile, async ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      await expect(suite.aesGcm.seal(key, nonce, fromHex(test.msg), aad)).rejects.toThrow(
        RangeError,
      );
      const sealed = concatBytes(fromHex(test.ct), fromHex(test.tag));
      await expect(suite.aesGcm.open(key, nonce, sealed, aad)).rejects.toThrow(RangeError);
    });
  });
});
