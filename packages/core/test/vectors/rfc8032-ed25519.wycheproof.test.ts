/**
 * Ed25519 (RFC 8032) known answers: every Wycheproof ed25519_test.json case through
 * `suite.ed25519.verify`, and RFC 8032 §7.1 TESTs 1–3 through `publicKey` and `sign`.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { createCryptoSuite } from '../../src/crypto/suite.js';
import { casesOf, itEachCase, loadWycheproof, tally, type WycheproofCase } from './wycheproof.js';

interface EddsaVerifyCase extends WycheproofCase {
  readonly msg: string;
  readonly sig: string;
}

interface EddsaVerifyGroup {
  readonly publicKey: { readonly curve: string; readonly pk: string };
  readonly tests: readonly EddsaVerifyCase[];
}

const suite = createCryptoSuite(globalThis.crypto.subtle);
const file = loadWycheproof<EddsaVerifyGroup>('ed25519_test.json');
const cases = casesOf(file);
const valid = cases.filter(({ test }) => test.result === 'valid');
const invalid = cases.filter(({ test }) => test.result === 'invalid');

describe(`Wycheproof ed25519_test.json through suite.ed25519.verify (${cases.length} cases)`, () => {
  it('has the 151 cases the file declares: 88 valid, 63 invalid, none acceptable', () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.numberOfTests).toBe(151);
    expect(tally(cases, ({ test }) => test.result)).toEqual({ valid: 88, invalid: 63 });
    expect(new Set(cases.map(({ group }) => group.publicKey.curve))).toEqual(
      new Set(['edwards25519']),
    );
  });

  describe(`valid: the signature verifies (${valid.length})`, () => {
    itEachCase(valid, async ({ group, test }) => {
      const verified = await suite.ed25519.verify(
        fromHex(group.publicKey.pk),
        fromHex(test.msg),
        fromHex(test.sig),
      );
      expect(verified).toBe(true);
    });
  });

  describe(`invalid: the signature is refused without throwing (${invalid.length})`, () => {
    itEachCase(invalid, async ({ group, test }) => {
      const verified = await suite.ed25519.verify(
        fromHex(group.publicKey.pk),
        fromHex(test.msg),
        fromHex(test.sig),
      );
      expect(verified).toBe(false);
    });
  });
});

// Wycheproof gives only public keys for Ed25519, so signing is checked against RFC 8032 §7.1.
const rfc8032Tests = [
  {
    title: 'TEST 1 (empty message)',
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    title: 'TEST 2 (one byte)',
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    title: 'TEST 3 (two bytes)',
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
] as const;

describe(`RFC 8032 §7.1 through suite.ed25519 publicKey, sign and verify (${rfc8032Tests.length} cases)`, () => {
  for (const { title, seed, publicKey, message, signature } of rfc8032Tests) {
    it(`${title}: derives the public key and reproduces the deterministic signature`, async () => {
      expect(toHex(await suite.ed25519.publicKey(fromHex(seed)))).toBe(publicKey);
      expect(toHex(await suite.ed25519.sign(fromHex(seed), fromHex(message)))).toBe(signature);
      expect(
        await suite.ed25519.verify(fromHex(publicKey), fromHex(message), fromHex(signature)),
      ).toBe(true);
    });
  }
});
