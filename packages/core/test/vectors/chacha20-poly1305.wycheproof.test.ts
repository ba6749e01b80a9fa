/**
 * ChaCha20-Poly1305 (RFC 8439) and XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) known answers:
 * every Wycheproof xchacha20_poly1305_test.json case through `xchachaSeal`/`xchachaOpen`, and every
 * chacha20_poly1305_test.json case through @noble/ciphers' `chacha20poly1305`, which XChaCha
 * builds on (HChaCha20 subkey, then this AEAD).
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { xchachaOpen, xchachaSeal } from '../../src/crypto/xchacha20-poly1305.js';
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
  readonly tests: readonly AeadCase[];
}

/** True if the case's key, nonce and tag have the lengths the cipher is defined for. */
function hasSizes(test: AeadCase, nonceBytes: number): boolean {
  return (
    test.key.length / 2 === 32 && test.iv.length / 2 === nonceBytes && test.tag.length / 2 === 16
  );
}

/** Loads a file and sorts its cases into in-profile valid, in-profile invalid and out-of-profile. */
function load(fileName: string, nonceBytes: number) {
  const file = loadWycheproof<AeadGroup>(fileName);
  const cases = casesOf(file);
  const inProfile = cases.filter(({ test }) => hasSizes(test, nonceBytes));
  return {
    file,
    cases,
    valid: inProfile.filter(({ test }) => test.result === 'valid'),
    invalid: inProfile.filter(({ test }) => test.result === 'invalid'),
    outOfProfile: cases.filter(({ test }) => !hasSizes(test, nonceBytes)),
  };
}

const xchacha = load('xchacha20_poly1305_test.json', 24);
const chacha = load('chacha20_poly1305_test.json', 12);

describe(`Wycheproof xchacha20_poly1305_test.json through xchachaSeal / xchachaOpen (${xchacha.cases.length} cases)`, () => {
  const { file, cases, valid, invalid, outOfProfile } = xchacha;

  it('has the 315 cases the file declares: 246 valid, 60 invalid tags, 9 wrong nonce sizes', () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.numberOfTests).toBe(315);
    expect(tally(cases, ({ test }) => test.result)).toEqual({ valid: 246, invalid: 69 });
    expect(valid).toHaveLength(246);
    expect(tallyFlags(invalid)).toEqual({ ModifiedTag: 60 });
    expect(tallyFlags(outOfProfile)).toEqual({ InvalidNonceSize: 9 });
  });

  describe(`valid: seals to ct || tag and opens to msg (${valid.length})`, () => {
    itEachCase(valid, ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      expect(toHex(xchachaSeal(key, nonce, fromHex(test.msg), aad))).toBe(test.ct + test.tag);
      expect(toHex(xchachaOpen(key, nonce, fromHex(test.ct + test.tag), aad))).toBe(test.msg);
    });
  });

  describe(`invalid: open throws CORE_AEAD_OPEN_FAILED (${invalid.length})`, () => {
    itEachCase(invalid, ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      let thrown: unknown;
      try {
        xchachaOpen(key, nonce, fromHex(test.ct + test.tag), aad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CoreError);
      expect(thrown).toHaveProperty('code', 'CORE_AEAD_OPEN_FAILED');
      // Only the tag was modified: sealing msg gives the same ciphertext and a different tag.
      const sealed = xchachaSeal(key, nonce, fromHex(test.msg), aad);
      expect(toHex(sealed.subarray(0, -16))).toBe(test.ct);
      expect(toHex(sealed.subarray(-16))).not.toBe(test.tag);
    });
  });

  describe(`outside the profile (nonce not 192 bits): seal and open throw RangeError (${outOfProfile.length})`, () => {
    itEachCase(outOfProfile, ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      expect(() => xchachaSeal(key, nonce, fromHex(test.msg), aad)).toThrow(RangeError);
      expect(() => xchachaOpen(key, nonce, fromHex(test.ct + test.tag), aad)).toThrow(RangeError);
    });
  });
});

describe(`Wycheproof chacha20_poly1305_test.json through @noble/ciphers chacha20poly1305 (${chacha.cases.length} cases)`, () => {
  const { file, cases, valid, invalid, outOfProfile } = chacha;

  it('has the 325 cases the file declares: 256 valid, 60 invalid tags, 9 wrong nonce sizes', () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.numberOfTests).toBe(325);
    expect(tally(cases, ({ test }) => test.result)).toEqual({ valid: 256, invalid: 69 });
    expect(valid).toHaveLength(256);
    expect(tallyFlags(invalid)).toEqual({ ModifiedTag: 60 });
    expect(tallyFlags(outOfProfile)).toEqual({ InvalidNonceSize: 9 });
  });

  describe(`valid: encrypts to ct || tag and decrypts to msg (${valid.length})`, () => {
    itEachCase(valid, ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      expect(toHex(chacha20poly1305(key, nonce, aad).encrypt(fromHex(test.msg)))).toBe(
        test.ct + test.tag,
      );
      expect(toHex(chacha20poly1305(key, nonce, aad).decrypt(fromHex(test.ct + test.tag)))).toBe(
        test.msg,
      );
    });
  });

  describe(`invalid: decrypt throws (${invalid.length})`, () => {
    itEachCase(invalid, ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      expect(() => chacha20poly1305(key, nonce, aad).decrypt(fromHex(test.ct + test.tag))).toThrow(
        Error,
      );
      const sealed = chacha20poly1305(key, nonce, aad).encrypt(fromHex(test.msg));
      expect(toHex(sealed.subarray(0, -16))).toBe(test.ct);
      expect(toHex(sealed.subarray(-16))).not.toBe(test.tag);
    });
  });

  describe(`outside RFC 8439 (nonce not 96 bits): building the cipher throws (${outOfProfile.length})`, () => {
    // noble reports misuse with a plain Error, not RangeError; the point is that it refuses.
    itEachCase(outOfProfile, ({ test }) => {
      const [key, nonce, aad] = [fromHex(test.key), fromHex(test.iv), fromHex(test.aad)];
      expect(() => chacha20poly1305(key, nonce, aad)).toThrow(Error);
    });
  });
});
