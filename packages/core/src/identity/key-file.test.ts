/**
 * Key files (docs/spec/key-file.md): export and import, and each refusal in the spec's order.
 * scrypt runs at logN 10 here (the `unsafe` cost of tests); the format is the same.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { xchachaSeal } from '../crypto/xchacha20-poly1305.js';
import { rejectedCode } from '../../test/support/core-error.js';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { generateIdentity } from './identity.js';
import { KEY_FILE_FORMAT, KEY_FILE_VERSION, exportKeyFile, importKeyFile } from './key-file.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const unsafeFastScrypt = { logN: 10, r: 8, p: 1 };
const passphrase = 'correct horse battery staple';
const identity = await generateIdentity(suite, unsafeSeededRandom('key-file identity'));
const file = await exportKeyFile({
  identity,
  passphrase,
  random: unsafeSeededRandom('key-file salt and nonce'),
  scrypt: unsafeFastScrypt,
});

type KeyFileMap = Record<string, unknown> & { kdf: Record<string, unknown> };

/** The key file as a map, to rewrite fields of. */
function fields(): KeyFileMap {
  return decodeCanonical(file) as KeyFileMap;
}

/** The canonical bytes of an edited key file. */
function rewritten(edit: (map: KeyFileMap) => void): Uint8Array {
  const map = fields();
  edit(map);
  return encodeCanonical(map);
}

/** A copy of `bytes` with the bits of `mask` flipped at `index`. */
function flipped(bytes: unknown, index: number, mask: number): Uint8Array {
  const out = Uint8Array.from(bytes as Uint8Array);
  out[index] = (out[index] ?? 0) ^ mask;
  return out;
}

describe('exportKeyFile and importKeyFile', () => {
  it('import gives back the exported identity', async () => {
    const imported = await importKeyFile(suite, file, passphrase);
    expect(imported.accountId).toBe(identity.accountId);
    expect(imported.signingPublicKey).toEqual(identity.signingPublicKey);
    expect(imported.hpkePublicKey).toEqual(identity.hpkePublicKey);
    expect(imported.secrets).toEqual(identity.secrets);
  });

  it('writes the version-1 fields of the spec, with their sizes', () => {
    const map = fields();
    expect(Object.keys(map).sort()).toEqual(['check', 'ciphertext', 'format', 'kdf', 'nonce', 'v']);
    expect(map.format).toBe(KEY_FILE_FORMAT);
    expect(map.v).toBe(KEY_FILE_VERSION);
    expect(map.kdf).toMatchObject({ alg: 'scrypt', ...unsafeFastScrypt });
    expect(map.kdf.salt).toHaveLength(16);
    expect(map.check).toHaveLength(32);
    expect(map.nonce).toHaveLength(24);
    // The sealed map { signingSeed, hpkePrivateKey } of two 32-byte strings is 96 bytes, plus a 16-byte tag.
    expect(map.ciphertext).toHaveLength(112);
  });

  it('is a function of the random source: same source, same bytes; another source, another salt and nonce', async () => {
    const again = await exportKeyFile({
      identity,
      passphrase,
      random: unsafeSeededRandom('key-file salt and nonce'),
      scrypt: unsafeFastScrypt,
    });
    expect(again).toEqual(file);
    const other = decodeCanonical(
      await exportKeyFile({
        identity,
        passphrase,
        random: unsafeSeededRandom('other'),
        scrypt: unsafeFastScrypt,
      }),
    ) as KeyFileMap;
    expect(other.kdf.salt).not.toEqual(fields().kdf.salt);
    expect(other.nonce).not.toEqual(fields().nonce);
  });

  it('derives the same key from a passphrase typed composed or decomposed (NFKC)', async () => {
    const composed = await exportKeyFile({
      identity,
      passphrase: 'mot de passe \u00e9t\u00e9',
      random: unsafeSeededRandom('nfkc'),
      scrypt: unsafeFastScrypt,
    });
    const imported = await importKeyFile(suite, composed, 'mot de passe e\u0301te\u0301');
    expect(imported.accountId).toBe(identity.accountId);
  });

  it('refuses an empty passphrase or out-of-range scrypt parameters with RangeError', async () => {
    const random = unsafeSeededRandom('x');
    await expect(
      exportKeyFile({ identity, passphrase: '', random, scrypt: unsafeFastScrypt }),
    ).rejects.toThrow(RangeError);
    await expect(
      exportKeyFile({ identity, passphrase, random, scrypt: { logN: 23, r: 8, p: 1 } }),
    ).rejects.toThrow(RangeError);
  });
});

describe('importKeyFile refusals', () => {
  it('refuses a wrong passphrase with CORE_KEYFILE_WRONG_PASSPHRASE', async () => {
    expect(await rejectedCode(importKeyFile(suite, file, 'Correct horse battery staple'))).toBe(
      'CORE_KEYFILE_WRONG_PASSPHRASE',
    );
  });

  it(`refuses every truncation of the file (all ${file.length}) with CORE_KEYFILE_MALFORMED`, async () => {
    for (let length = 0; length < file.length; length++) {
      expect(await rejectedCode(importKeyFile(suite, file.subarray(0, length), passphrase))).toBe(
        'CORE_KEYFILE_MALFORMED',
      );
    }
  });

  it.each<[string, (map: KeyFileMap) => void]>([
    ['another format', (map) => (map.format = 'parley-backup')],
    ['no format', (map) => delete map.format],
    ['no kdf', (map) => Reflect.deleteProperty(map, 'kdf')],
    ['no check', (map) => delete map.check],
    ['no nonce', (map) => delete map.nonce],
    ['no ciphertext', (map) => delete map.ciphertext],
    ['no kdf salt', (map) => delete map.kdf.salt],
    ['an extra field', (map) => (map.hint = 'my usual one')],
    ['an extra kdf field', (map) => (map.kdf.pepper = 1)],
    ['a 15-byte salt', (map) => (map.kdf.salt = new Uint8Array(15))],
    ['a 31-byte check', (map) => (map.check = new Uint8Array(31))],
    ['a 23-byte nonce', (map) => (map.nonce = new Uint8Array(23))],
    ['a text ciphertext', (map) => (map.ciphertext = 'sealed')],
    ['a text v', (map) => (map.v = '1')],
    ['a text logN', (map) => (map.kdf.logN = '10')],
  ])('refuses %s with CORE_KEYFILE_MALFORMED', async (_, edit) => {
    expect(await rejectedCode(importKeyFile(suite, rewritten(edit), passphrase))).toBe(
      'CORE_KEYFILE_MALFORMED',
    );
  });

  it('refuses bytes that are not a canonical map, or over 4 KiB, with CORE_KEYFILE_MALFORMED', async () => {
    for (const bytes of [
      encodeCanonical([1, 2]),
      encodeCanonical('parley-key-file'),
      Uint8Array.of(0xa0, 0x00),
    ]) {
      expect(await rejectedCode(importKeyFile(suite, bytes, passphrase))).toBe(
        'CORE_KEYFILE_MALFORMED',
      );
    }
    const large = rewritten((map) => (map.ciphertext = new Uint8Array(4096)));
    expect(await rejectedCode(importKeyFile(suite, large, passphrase))).toBe(
      'CORE_KEYFILE_MALFORMED',
    );
  });

  it('refuses version 2 with CORE_KEYFILE_UNSUPPORTED_VERSION, even when its other fields differ', async () => {
    const v2 = rewritten((map) => {
      map.v = 2;
      map.kdf = { alg: 'argon2id' };
      delete map.check;
    });
    expect(await rejectedCode(importKeyFile(suite, v2, passphrase))).toBe(
      'CORE_KEYFILE_UNSUPPORTED_VERSION',
    );
  });

  it('refuses version 2 with a field version 1 lacks with CORE_KEYFILE_UNSUPPORTED_VERSION', async () => {
    const v2 = rewritten((map) => {
      map.v = 2;
      map.hint = 'the usual';
    });
    expect(await rejectedCode(importKeyFile(suite, v2, passphrase))).toBe(
      'CORE_KEYFILE_UNSUPPORTED_VERSION',
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['alg argon2id', { alg: 'argon2id' }],
    ['logN 0', { logN: 0 }],
    ['logN 23', { logN: 23 }],
    ['r 0', { r: 0 }],
    ['r 33', { r: 33 }],
    ['p 0', { p: 0 }],
    ['p 17', { p: 17 }],
    ['128·r·2^logN over 256 MiB (logN 18, r 9)', { logN: 18, r: 9 }],
  ])('refuses %s with CORE_KEYFILE_UNSUPPORTED_PARAMS', async (_, kdf) => {
    const bytes = rewritten((map) => Object.assign(map.kdf, kdf));
    expect(await rejectedCode(importKeyFile(suite, bytes, passphrase))).toBe(
      'CORE_KEYFILE_UNSUPPORTED_PARAMS',
    );
  });

  it('checks field sizes before scrypt parameters (spec steps 3, then 4)', async () => {
    const bytes = rewritten((map) => {
      map.kdf.logN = 30;
      map.nonce = new Uint8Array(23);
    });
    expect(await rejectedCode(importKeyFile(suite, bytes, passphrase))).toBe(
      'CORE_KEYFILE_MALFORMED',
    );
  });

  it('refuses allowed but different scrypt parameters or salt with CORE_KEYFILE_WRONG_PASSPHRASE', async () => {
    const logN = rewritten((map) => (map.kdf.logN = 11));
    expect(await rejectedCode(importKeyFile(suite, logN, passphrase))).toBe(
      'CORE_KEYFILE_WRONG_PASSPHRASE',
    );
    const salt = rewritten((map) => (map.kdf.salt = new Uint8Array(16)));
    expect(await rejectedCode(importKeyFile(suite, salt, passphrase))).toBe(
      'CORE_KEYFILE_WRONG_PASSPHRASE',
    );
  });

  it.each<[string, (map: KeyFileMap) => void]>([
    ['a flipped ciphertext bit', (map) => (map.ciphertext = flipped(map.ciphertext, 0, 0x01))],
    ['a flipped tag bit', (map) => (map.ciphertext = flipped(map.ciphertext, 111, 0x80))],
    [
      'a shortened ciphertext',
      (map) => (map.ciphertext = (map.ciphertext as Uint8Array).subarray(0, 100)),
    ],
    ['another nonce', (map) => (map.nonce = new Uint8Array(24))],
  ])('refuses %s with CORE_KEYFILE_TAMPERED', async (_, edit) => {
    expect(await rejectedCode(importKeyFile(suite, rewritten(edit), passphrase))).toBe(
      'CORE_KEYFILE_TAMPERED',
    );
  });

  it('refuses a file that opens but does not hold valid secrets with CORE_KEYFILE_TAMPERED', async () => {
    // Written with the right key, as a buggy writer would: the AEAD opens, the plaintext is wrong.
    const map = fields();
    const derived = await scryptAsync(utf8(passphrase), map.kdf.salt as Uint8Array, {
      N: 2 ** unsafeFastScrypt.logN,
      r: unsafeFastScrypt.r,
      p: unsafeFastScrypt.p,
      dkLen: 64,
    });
    expect(derived.subarray(32)).toEqual(map.check);
    const { ciphertext: _ciphertext, ...header } = map;
    const plaintext = encodeCanonical({
      signingSeed: new Uint8Array(31),
      hpkePrivateKey: new Uint8Array(32),
    });
    map.ciphertext = xchachaSeal(
      derived.subarray(0, 32),
      map.nonce as Uint8Array,
      plaintext,
      encodeCanonical(header),
    );
    expect(await rejectedCode(importKeyFile(suite, encodeCanonical(map), passphrase))).toBe(
      'CORE_KEYFILE_TAMPERED',
    );
  });

  it('refuses any single flipped bit with a CORE_KEYFILE_* code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: file.length * 8 - 1 }), async (bit) => {
        const mutated = flipped(file, bit >>> 3, 1 << (bit & 7));
        expect(await rejectedCode(importKeyFile(suite, mutated, passphrase))).toMatch(
          /^CORE_KEYFILE_/,
        );
      }),
      { numRuns: 150 },
    );
  });
});
