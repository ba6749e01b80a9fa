/**
 * Passphrase-encrypted key files (docs/spec/key-file.md): scrypt (RFC 7914) derives a key and a
 * check value from the passphrase; XChaCha20-Poly1305 seals the identity's secrets with the
 * header as associated data. The check value tells a wrong passphrase apart from a tampered file.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { equalBytes, utf8 } from '../bytes.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import {
  expectBytes,
  expectFields,
  expectString,
  expectUint,
  type Fields,
} from '../encoding/schema.js';
import { CoreError, isCoreError } from '../errors.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { ED25519_SEED_BYTES } from '../crypto/ed25519.js';
import { X25519_KEY_BYTES } from '../crypto/x25519.js';
import {
  XCHACHA_KEY_BYTES,
  XCHACHA_NONCE_BYTES,
  xchachaOpen,
  xchachaSeal,
} from '../crypto/xchacha20-poly1305.js';
import type { RandomSource } from '../random.js';
import { identityFromSecrets, type Identity } from './identity.js';

/** The `format` field every key file carries. */
export const KEY_FILE_FORMAT = 'parley-key-file';
/** The key-file version this code writes and reads. */
export const KEY_FILE_VERSION = 1;
/** scrypt cost parameters. */
export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}
/** Default cost: N = 2^17, r = 8, p = 1 (128 MiB), the OWASP recommendation for scrypt. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { logN: 17, r: 8, p: 1 };
/** Largest memory a key file may ask scrypt to use (256 MiB), so opening one cannot exhaust a device. */
const MAX_SCRYPT_MEMORY_BYTES = 256 * 1024 * 1024;
const MAX_KEY_FILE_BYTES = 4096;
const SALT_BYTES = 16;
const CHECK_BYTES = 32;

/** Options of `exportKeyFile`. */
export interface ExportKeyFileInput {
  readonly identity: Identity;
  readonly passphrase: string;
  readonly random: RandomSource;
  /** Lower only in tests (`unsafe` costs make guessing cheap). */
  readonly scrypt?: ScryptParams;
}

/**
 * Writes an identity as a key file (canonical DAG-CBOR bytes).
 * Throws RangeError on an empty passphrase or scrypt parameters out of range.
 */
export async function exportKeyFile(input: ExportKeyFileInput): Promise<Uint8Array> {
  if (input.passphrase.length === 0) throw new RangeError('the passphrase must not be empty');
  const params = input.scrypt ?? DEFAULT_SCRYPT_PARAMS;
  if (!areParamsAllowed(params)) throw new RangeError('scrypt parameters out of range');
  const salt = input.random(SALT_BYTES);
  const nonce = input.random(XCHACHA_NONCE_BYTES);
  const { key, check } = await deriveKeys(input.passphrase, salt, params);
  const header = {
    format: KEY_FILE_FORMAT,
    v: KEY_FILE_VERSION,
    kdf: { alg: 'scrypt', logN: params.logN, r: params.r, p: params.p, salt },
    check,
    nonce,
  };
  const plaintext = encodeCanonical({
    signingSeed: input.identity.secrets.signingSeed,
    hpkePrivateKey: input.identity.secrets.hpkePrivateKey,
  });
  const ciphertext = xchachaSeal(key, nonce, plaintext, encodeCanonical(header));
  return encodeCanonical({ ...header, ciphertext });
}

/**
 * Reads a key file and rebuilds the identity in it.
 * @throws CoreError CORE_KEYFILE_MALFORMED (truncated, not a key file) |
 *   CORE_KEYFILE_UNSUPPORTED_VERSION | CORE_KEYFILE_UNSUPPORTED_PARAMS |
 *   CORE_KEYFILE_WRONG_PASSPHRASE | CORE_KEYFILE_TAMPERED
 */
export async function importKeyFile(
  suite: CryptoSuite,
  bytes: Uint8Array,
  passphrase: string,
): Promise<Identity> {
  const file = readStructure(bytes);
  const { key, check } = await deriveKeys(passphrase, file.salt, file.params);
  if (!equalBytes(check, file.check)) throw new CoreError('CORE_KEYFILE_WRONG_PASSPHRASE');
  let plaintext: Uint8Array;
  try {
    plaintext = xchachaOpen(key, file.nonce, file.ciphertext, encodeCanonical(file.header));
  } catch (cause) {
    throw new CoreError('CORE_KEYFILE_TAMPERED', undefined, { cause });
  }
  // Authenticated by the AEAD, so a failure here is a writer's bug, still reported as tampering.
  try {
    const secrets = expectFields(decodeCanonical(plaintext), 'key file secrets', [
      'signingSeed',
      'hpkePrivateKey',
    ]);
    return await identityFromSecrets(suite, {
      signingSeed: expectBytes(secrets, 'signingSeed', 'key file secrets', ED25519_SEED_BYTES),
      hpkePrivateKey: expectBytes(secrets, 'hpkePrivateKey', 'key file secrets', X25519_KEY_BYTES),
    });
  } catch (cause) {
    throw new CoreError('CORE_KEYFILE_TAMPERED', '(the sealed secrets are not valid)', { cause });
  }
}

interface KeyFileStructure {
  readonly header: Fields;
  readonly params: ScryptParams;
  readonly salt: Uint8Array;
  readonly check: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function readStructure(bytes: Uint8Array): KeyFileStructure {
  let decoded: unknown;
  try {
    decoded = decodeCanonical(bytes, { maxBytes: MAX_KEY_FILE_BYTES, maxDepth: 4 });
  } catch (cause) {
    if (!isCoreError(cause)) throw cause;
    throw new CoreError('CORE_KEYFILE_MALFORMED', `(${cause.code})`, { cause });
  }
  try {
    // Format and version first: a future version may have any other fields.
    const loose = expectFields(decoded, 'key file', ['format', 'v'], Object.keys(decoded ?? {}));
    if (expectString(loose, 'format', 'key file') !== KEY_FILE_FORMAT) {
      throw new CoreError('CORE_KEYFILE_MALFORMED', '(not a Parley key file)');
    }
    const version = expectUint(loose, 'v', 'key file');
    if (version !== KEY_FILE_VERSION) {
      throw new CoreError('CORE_KEYFILE_UNSUPPORTED_VERSION', `(version ${version})`);
    }
    const fields = expectFields(decoded, 'key file', [
      'format',
      'v',
      'kdf',
      'check',
      'nonce',
      'ciphertext',
    ]);
    const kdf = expectFields(fields.kdf, 'key file kdf', ['alg', 'logN', 'r', 'p', 'salt']);
    if (expectString(kdf, 'alg', 'key file kdf') !== 'scrypt') {
      throw new CoreError('CORE_KEYFILE_UNSUPPORTED_PARAMS', '(unknown key derivation)');
    }
    const params = {
      logN: expectUint(kdf, 'logN', 'key file kdf'),
      r: expectUint(kdf, 'r', 'key file kdf'),
      p: expectUint(kdf, 'p', 'key file kdf'),
    };
    const { ciphertext: _sealed, ...header } = fields;
    const structure = {
      header,
      params,
      salt: expectBytes(kdf, 'salt', 'key file kdf', SALT_BYTES),
      check: expectBytes(fields, 'check', 'key file', CHECK_BYTES),
      nonce: expectBytes(fields, 'nonce', 'key file', XCHACHA_NONCE_BYTES),
      ciphertext: expectBytes(fields, 'ciphertext', 'key file'),
    };
    if (!areParamsAllowed(params)) throw new CoreError('CORE_KEYFILE_UNSUPPORTED_PARAMS');
    return structure;
  } catch (cause) {
    if (isCoreError(cause, 'CORE_SCHEMA_INVALID')) {
      throw new CoreError('CORE_KEYFILE_MALFORMED', cause.message, { cause });
    }
    throw cause;
  }
}

function areParamsAllowed(params: ScryptParams): boolean {
  const { logN, r, p } = params;
  if (!Number.isInteger(logN) || logN < 1 || logN > 22) return false;
  if (!Number.isInteger(r) || r < 1 || r > 32) return false;
  if (!Number.isInteger(p) || p < 1 || p > 16) return false;
  return 128 * r * 2 ** logN <= MAX_SCRYPT_MEMORY_BYTES;
}

async function deriveKeys(
  passphrase: string,
  salt: Uint8Array,
  params: ScryptParams,
): Promise<{ key: Uint8Array; check: Uint8Array }> {
  // NFKC so the same passphrase typed on two keyboards derives the same key.
  const derived = await scryptAsync(utf8(passphrase.normalize('NFKC')), salt, {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    dkLen: XCHACHA_KEY_BYTES + CHECK_BYTES,
    maxmem: MAX_SCRYPT_MEMORY_BYTES + 1024 * 1024,
  });
  return { key: derived.slice(0, XCHACHA_KEY_BYTES), check: derived.slice(XCHACHA_KEY_BYTES) };
}
