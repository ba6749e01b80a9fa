/**
 * Account ids (docs/spec/identity.md): known answers computed here from the definition, the one
 * accepted spelling, and round trips.
 */
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { base16 } from 'multiformats/bases/base16';
import { base32, base32upper } from 'multiformats/bases/base32';
import { base58btc } from 'multiformats/bases/base58';
import { base64url } from 'multiformats/bases/base64';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '../bytes.js';
import { thrownCode } from '../../test/support/core-error.js';
import {
  ED25519_PUB_MULTICODEC,
  accountIdFromPublicKey,
  isAccountKey,
  parseAccountId,
  type AccountId,
} from './account-id.js';

/** RFC 4648 §6 base32, lower case, no padding: written out here so the test does not trust multiformats. */
function base32LowerNoPad(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet.charAt((buffer >>> (bits - 5)) & 31);
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet.charAt((buffer << (5 - bits)) & 31);
  return out;
}

/** The account id of a public key, straight from the definition in identity.md. */
function accountIdByHand(publicKey: Uint8Array): string {
  const multikey = concatBytes(new Uint8Array([0xed, 0x01]), publicKey);
  const multihash = concatBytes(new Uint8Array([0x12, 0x20]), sha256(multikey));
  return 'b' + base32LowerNoPad(multihash);
}

// RFC 8032 §7.1 TEST 1 public key.
const rfc8032Test1 = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const rfc8032Test1Id = 'bciqn3e4opqx2aihkydyc7c6uif5vn3odubjjhe6rsc5fpdltyr4aizy';
const multihashOf = (id: string): Uint8Array => base32.decode(id);
const publicKeyArbitrary = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('accountIdFromPublicKey', () => {
  it('gives the id of docs/spec/identity.md for the RFC 8032 TEST 1 key', () => {
    expect(accountIdByHand(rfc8032Test1)).toBe(rfc8032Test1Id);
    expect(accountIdFromPublicKey(rfc8032Test1)).toBe(rfc8032Test1Id);
  });

  it('hashes the multicodec form 0xed 0x01 || key (ED25519_PUB_MULTICODEC)', () => {
    expect([...ED25519_PUB_MULTICODEC]).toEqual([0xed, 0x01]);
    const bareHash =
      'b' + base32LowerNoPad(concatBytes(new Uint8Array([0x12, 0x20]), sha256(rfc8032Test1)));
    expect(accountIdFromPublicKey(rfc8032Test1)).not.toBe(bareHash);
  });

  it('matches the definition for any key: 56 characters beginning "bciq"', () => {
    fc.assert(
      fc.property(publicKeyArbitrary, (publicKey) => {
        const id = accountIdFromPublicKey(publicKey);
        expect(id).toBe(accountIdByHand(publicKey));
        expect(id).toHaveLength(56);
        expect(id.startsWith('bciq')).toBe(true);
      }),
    );
  });

  it.each([0, 31, 33, 64])('throws RangeError for a %i-byte key', (length) => {
    expect(() => accountIdFromPublicKey(new Uint8Array(length))).toThrow(RangeError);
  });
});

describe('parseAccountId', () => {
  it('accepts every id accountIdFromPublicKey makes and returns it unchanged', () => {
    expect(parseAccountId(rfc8032Test1Id)).toBe(rfc8032Test1Id);
    fc.assert(
      fc.property(publicKeyArbitrary, (publicKey) => {
        const id = accountIdFromPublicKey(publicKey);
        expect(parseAccountId(id)).toBe(id);
      }),
    );
  });

  const multihash = multihashOf(rfc8032Test1Id);
  const digest = multihash.subarray(2);
  it.each([
    ['the upper-case multibase form', base32upper.encode(multihash)],
    ['a lower-case prefix with an upper-case body', 'b' + rfc8032Test1Id.slice(1).toUpperCase()],
    [
      'one upper-case letter',
      rfc8032Test1Id.slice(0, 10) +
        rfc8032Test1Id.charAt(10).toUpperCase() +
        rfc8032Test1Id.slice(11),
    ],
    ['base58btc', base58btc.encode(multihash)],
    ['base16', base16.encode(multihash)],
    ['base64url', base64url.encode(multihash)],
    ['no multibase prefix', rfc8032Test1Id.slice(1)],
    [
      'a sha2-512 multihash',
      base32.encode(concatBytes(new Uint8Array([0x13, 0x40]), sha512(rfc8032Test1))),
    ],
    [
      'an identity multihash of the key',
      base32.encode(concatBytes(new Uint8Array([0x00, 0x20]), rfc8032Test1)),
    ],
    [
      'a 31-byte sha2-256 digest',
      base32.encode(concatBytes(new Uint8Array([0x12, 0x1f]), digest.subarray(0, 31))),
    ],
    [
      'a 33-byte sha2-256 digest',
      base32.encode(concatBytes(new Uint8Array([0x12, 0x21]), digest, new Uint8Array([0]))),
    ],
    [
      'a length byte that disagrees with the digest',
      base32.encode(concatBytes(new Uint8Array([0x12, 0x20]), digest.subarray(0, 31))),
    ],
    [
      'a trailing byte after the multihash',
      base32.encode(concatBytes(multihash, new Uint8Array([0]))),
    ],
    ['a trailing character', rfc8032Test1Id + 'a'],
    ['non-zero padding bits in the last character (y → z)', rfc8032Test1Id.slice(0, -1) + 'z'],
    ['padding', rfc8032Test1Id + '===='],
    ['a character outside the alphabet', rfc8032Test1Id.slice(0, -1) + '1'],
    ['surrounding whitespace', ` ${rfc8032Test1Id}`],
    ['the empty string', ''],
    ['the bare prefix', 'b'],
    ['a CID of the same digest', 'bafyrei' + rfc8032Test1Id.slice(4)],
  ])('refuses %s with CORE_ACCOUNT_ID_INVALID', (_, text) => {
    expect(text).not.toBe(rfc8032Test1Id);
    expect(thrownCode(() => parseAccountId(text))).toBe('CORE_ACCOUNT_ID_INVALID');
  });

  it('refuses a non-string with CORE_ACCOUNT_ID_INVALID', () => {
    expect(thrownCode(() => parseAccountId(multihash as unknown as string))).toBe(
      'CORE_ACCOUNT_ID_INVALID',
    );
  });

  it('refuses any single-character change of a valid id, or accepts it as a different valid id', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567ABCDEFGHIJKLMNOPQRSTUVWXYZ0189=';
    fc.assert(
      fc.property(
        publicKeyArbitrary,
        fc.nat(),
        fc.integer({ min: 0, max: alphabet.length - 1 }).map((i) => alphabet.charAt(i)),
        (publicKey, position, character) => {
          const id = accountIdFromPublicKey(publicKey);
          const at = position % id.length;
          const changed = id.slice(0, at) + character + id.slice(at + 1);
          fc.pre(changed !== id);
          let parsed: AccountId;
          try {
            parsed = parseAccountId(changed);
          } catch {
            expect(thrownCode(() => parseAccountId(changed))).toBe('CORE_ACCOUNT_ID_INVALID');
            return;
          }
          expect(parsed).toBe(changed);
          expect(base32LowerNoPad(multihashOf(changed))).toBe(changed.slice(1));
        },
      ),
    );
  });
});

describe('isAccountKey', () => {
  it('is true for the key behind an id and false for any other key or length', () => {
    fc.assert(
      fc.property(publicKeyArbitrary, publicKeyArbitrary, (publicKey, other) => {
        fc.pre(other.some((byte, i) => byte !== publicKey[i]));
        const id = accountIdFromPublicKey(publicKey);
        expect(isAccountKey(id, publicKey)).toBe(true);
        expect(isAccountKey(id, other)).toBe(false);
        expect(isAccountKey(id, publicKey.subarray(0, 31))).toBe(false);
      }),
    );
  });
});
