/**
 * X25519 (RFC 7748) known answers: every Wycheproof x25519_test.json case through
 * `suite.x25519.sharedSecret`, under Parley's policy (docs/spec/crypto.md): public values are used
 * as RFC 7748 §5 says, and an all-zero shared secret is refused (§6.1; RFC 9180 §7.1.4).
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
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

interface XdhCompCase extends WycheproofCase {
  readonly public: string;
  readonly private: string;
  readonly shared: string;
}

interface XdhCompGroup {
  readonly curve: string;
  readonly tests: readonly XdhCompCase[];
}

const ZERO_SHARED = '00'.repeat(32);

const suite = createCryptoSuite(globalThis.crypto.subtle);
const file = loadWycheproof<XdhCompGroup>('x25519_test.json');
const cases = casesOf(file);
const valid = cases.filter(({ test }) => test.result === 'valid');
const acceptable = cases.filter(({ test }) => test.result === 'acceptable');
const acceptableComputed = acceptable.filter(({ test }) => test.shared !== ZERO_SHARED);
const acceptableZero = acceptable.filter(({ test }) => test.shared === ZERO_SHARED);

describe(`Wycheproof x25519_test.json through suite.x25519.sharedSecret (${cases.length} cases)`, () => {
  it('has the 518 cases the file declares: 264 valid, 254 acceptable (31 with a zero secret)', () => {
    expect(cases).toHaveLength(file.numberOfTests);
    expect(file.numberOfTests).toBe(518);
    expect(new Set(cases.map(({ group }) => group.curve))).toEqual(new Set(['curve25519']));
    expect(tally(cases, ({ test }) => test.result)).toEqual({ valid: 264, acceptable: 254 });
    expect(acceptableComputed).toHaveLength(223);
    expect(acceptableZero).toHaveLength(31);
  });

  it('flags exactly the zero-secret cases ZeroSharedSecret, and all of them LowOrderPublic', () => {
    const flaggedZero = cases.filter(({ test }) => test.flags.includes('ZeroSharedSecret'));
    const flaggedLowOrder = cases.filter(({ test }) => test.flags.includes('LowOrderPublic'));
    expect(flaggedZero.map(({ test }) => test.tcId)).toEqual(
      acceptableZero.map(({ test }) => test.tcId),
    );
    expect(flaggedLowOrder.map(({ test }) => test.tcId)).toEqual(
      acceptableZero.map(({ test }) => test.tcId),
    );
    expect(valid.filter(({ test }) => test.shared === ZERO_SHARED)).toEqual([]);
  });

  it('counts the cases by flag', () => {
    expect(tallyFlags(cases)).toEqual({
      EdgeCaseMultiplication: 394,
      EdgeCasePrivateKey: 7,
      EdgeCaseShared: 14,
      Ktv: 3,
      LowOrderPublic: 31,
      NonCanonicalPublic: 19,
      Normal: 1,
      SmallPublicKey: 8,
      SpecialPublicKey: 79,
      Twist: 221,
      ZeroSharedSecret: 31,
    });
  });

  describe(`valid: computes the expected shared secret (${valid.length})`, () => {
    itEachCase(valid, async ({ test }) => {
      const shared = await suite.x25519.sharedSecret(fromHex(test.private), fromHex(test.public));
      expect(toHex(shared)).toBe(test.shared);
    });
  });

  describe(`acceptable, non-zero secret (twist, non-canonical): computes it as RFC 7748 §5 says (${acceptableComputed.length})`, () => {
    itEachCase(acceptableComputed, async ({ test }) => {
      const shared = await suite.x25519.sharedSecret(fromHex(test.private), fromHex(test.public));
      expect(toHex(shared)).toBe(test.shared);
    });
  });

  describe(`acceptable, all-zero secret (low-order public): throws CORE_DH_ZERO_SHARED_SECRET (${acceptableZero.length})`, () => {
    itEachCase(acceptableZero, async ({ test }) => {
      const exchange = suite.x25519.sharedSecret(fromHex(test.private), fromHex(test.public));
      await expect(exchange).rejects.toBeInstanceOf(CoreError);
      await expect(exchange).rejects.toHaveProperty('code', 'CORE_DH_ZERO_SHARED_SECRET');
    });
  });
});
