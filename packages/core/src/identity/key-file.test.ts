import { describe, expect, it } from 'vitest';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { isCoreError, type CoreErrorCode } from '../errors.js';
import type { RandomSource } from '../random.js';
import { generateIdentity } from './identity.js';
import { DEFAULT_SCRYPT_PARAMS, exportKeyFile, importKeyFile } from './key-file.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const random: RandomSource = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
// Cheap parameters keep the suite fast; the default is exercised once below.
const unsafeFastScrypt = { logN: 10, r: 8, p: 1 };

async function exported(passphrase = 'correct horse battery staple') {
  const identity = await generateIdentity(suite, random);
  const bytes = await exportKeyFile({ identity, passphrase, random, scrypt: unsafeFastScrypt });
  return { identity, bytes, passphrase };
}

async function importFails(bytes: Uint8Array, passphrase: string): Promise<CoreErrorCode> {
  try {
    await importKeyFile(suite, bytes, passphrase);
  } catch (error) {
    if (isCoreError(error)) return error.code;
    throw error;
  }
  throw new Error('import unexpectedly succeeded');
}

function rewrite(bytes: Uint8Array, change: (file: Record<string, unknown>) => void): Uint8Array {
  const file = decodeCanonical(bytes) as Record<string, unknown>;
  change(file);
  return encodeCanonical(file);
}

describe('key file', () => {
  it('round-trips an identity: importing on a new machine gives the same account', async () => {
    const { identity, bytes, passphrase } = await exported();
    expect(await importKeyFile(suite, bytes, passphrase)).toEqual(identity);
  });

  it('uses scrypt N=2^17, r=8, p=1 by default and still opens', async () => {
    const identity = await generateIdentity(suite, random);
    const bytes = await exportKeyFile({ identity, passphrase: 'pw', random });
    const file = decodeCanonical(bytes) as { kdf: Record<string, unknown> };
    expect(file.kdf).toMatchObject({ alg: 'scrypt', ...DEFAULT_SCRYPT_PARAMS });
    expect((await importKeyFile(suite, bytes, 'pw')).accountId).toBe(identity.accountId);
  });

  it('treats differently-normalised spellings of a passphrase as the same (NFKC)', async () => {
    const { identity, bytes } = await exported('caf\u00e9');
    expect((await importKeyFile(suite, bytes, 'cafe\u0301')).accountId).toBe(identity.accountId);
  });

  it('reports a wrong passphrase as CORE_KEYFILE_WRONG_PASSPHRASE', async () => {
    const { bytes } = await exported();
    expect(await importFails(bytes, 'wrong')).toBe('CORE_KEYFILE_WRONG_PASSPHRASE');
  });

  it('reports a modified ciphertext, nonce or header as CORE_KEYFILE_TAMPERED', async () => {
    const { bytes, passphrase } = await exported();
    const flipCiphertext = rewrite(bytes, (file) => {
      const ct = (file.ciphertext as Uint8Array).slice();
      ct[0] = (ct[0] ?? 0) ^ 1;
      file.ciphertext = ct;
    });
    expect(await importFails(flipCiphertext, passphrase)).toBe('CORE_KEYFILE_TAMPERED');
    const flipNonce = rewrite(bytes, (file) => {
      const nonce = (file.nonce as Uint8Array).slice();
      nonce[3] = (nonce[3] ?? 0) ^ 0x80;
      file.nonce = nonce;
    });
    expect(await importFails(flipNonce, passphrase)).toBe('CORE_KEYFILE_TAMPERED');
  });

  it('reports every truncation as CORE_KEYFILE_MALFORMED', async () => {
    const { bytes, passphrase } = await exported();
    for (const length of [0, 1, 10, bytes.length >> 1, bytes.length - 1]) {
      expect(await importFails(bytes.subarray(0, length), passphrase)).toBe(
        'CORE_KEYFILE_MALFORMED',
      );
    }
  });

  it('reports bytes that are not a key file as CORE_KEYFILE_MALFORMED', async () => {
    const notAKeyFile = encodeCanonical({ format: 'something-else', v: 1 });
    expect(await importFails(notAKeyFile, 'pw')).toBe('CORE_KEYFILE_MALFORMED');
    expect(await importFails(new TextEncoder().encode('{"json": true}'), 'pw')).toBe(
      'CORE_KEYFILE_MALFORMED',
    );
  });

  it('reports an unknown version as CORE_KEYFILE_UNSUPPORTED_VERSION, before anything else', async () => {
    const { bytes, passphrase } = await exported();
    expect(
      await importFails(
        rewrite(bytes, (file) => (file.v = 2)),
        passphrase,
      ),
    ).toBe('CORE_KEYFILE_UNSUPPORTED_VERSION');
    const future = encodeCanonical({ format: 'parley-key-file', v: 9, argon2id: { m: 1 } });
    expect(await importFails(future, passphrase)).toBe('CORE_KEYFILE_UNSUPPORTED_VERSION');
  });

  it('refuses to run scrypt with parameters that would exhaust memory', async () => {
    const { bytes, passphrase } = await exported();
    const huge = rewrite(bytes, (file) => {
      (file.kdf as Record<string, unknown>).logN = 30;
    });
    expect(await importFails(huge, passphrase)).toBe('CORE_KEYFILE_UNSUPPORTED_PARAMS');
    const otherKdf = rewrite(bytes, (file) => {
      (file.kdf as Record<string, unknown>).alg = 'pbkdf2';
    });
    expect(await importFails(otherKdf, passphrase)).toBe('CORE_KEYFILE_UNSUPPORTED_PARAMS');
  });

  it('never writes the same file twice: fresh salt and nonce each time', async () => {
    const identity = await generateIdentity(suite, random);
    const a = await exportKeyFile({ identity, passphrase: 'pw', random, scrypt: unsafeFastScrypt });
    const b = await exportKeyFile({ identity, passphrase: 'pw', random, scrypt: unsafeFastScrypt });
    expect(a).not.toEqual(b);
  });

  it('refuses an empty passphrase when exporting', async () => {
    const identity = await generateIdentity(suite, random);
    await expect(exportKeyFile({ identity, passphrase: '', random })).rejects.toThrow(RangeError);
  });
});
