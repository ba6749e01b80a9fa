/**
 * Directory entries (docs/spec/directory.md): the signed key bundle an account publishes on a
 * relay — identity key, device certificates and the last-resort MLS KeyPackage. One-time
 * KeyPackages travel beside it (each is signed inside MLS), so a relay can hand each out once.
 */
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { cidForBytes, type Cid } from '../encoding/cid.js';
import { expectBytes, expectFields, expectString, expectUint } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import { checkEd25519PublicKey, ED25519_SIGNATURE_BYTES } from '../crypto/ed25519.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { X25519_KEY_BYTES } from '../crypto/x25519.js';
import { accountIdFromPublicKey, parseAccountId, type AccountId } from '../identity/account-id.js';
import type { Identity } from '../identity/identity.js';
import { signFor, verifyFor } from '../identity/signature.js';
import { fail, ok, type Result } from '../result.js';

/** The directory-entry version this code writes and reads. */
export const DIRECTORY_ENTRY_VERSION = 1;
/** Largest encoded directory entry. */
export const MAX_DIRECTORY_ENTRY_BYTES = 64 * 1024;
/** Largest MLS KeyPackage the directory stores. */
export const MAX_KEY_PACKAGE_BYTES = 16 * 1024;
/** Most devices one entry may list. */
export const MAX_DEVICES = 16;

/** A device key certified by the identity key (context `device-certificate`). */
export interface DeviceCertificate {
  readonly deviceKey: Uint8Array;
  readonly hpkeKey: Uint8Array;
  readonly createdAt: number;
  readonly signature: Uint8Array;
}

/** A signed directory entry. */
export interface DirectoryEntry {
  readonly v: typeof DIRECTORY_ENTRY_VERSION;
  readonly account: AccountId;
  readonly identityKey: Uint8Array;
  readonly devices: readonly DeviceCertificate[];
  readonly lastResort: Uint8Array;
  readonly updatedAt: number;
  readonly signature: Uint8Array;
}

/** Signs a device certificate for a device's signing and HPKE keys. */
export async function certifyDevice(
  suite: CryptoSuite,
  identity: Identity,
  device: { deviceKey: Uint8Array; hpkeKey: Uint8Array; createdAt: number },
): Promise<DeviceCertificate> {
  const signature = await signFor(
    suite,
    'device-certificate',
    identity.secrets.signingSeed,
    deviceStatement(identity.accountId, device),
  );
  return { ...device, signature };
}

/** Builds and signs a directory entry; returns it with its canonical bytes and CID. */
export async function createDirectoryEntry(
  suite: CryptoSuite,
  identity: Identity,
  fields: { devices: readonly DeviceCertificate[]; lastResort: Uint8Array; updatedAt: number },
): Promise<{ entry: DirectoryEntry; bytes: Uint8Array; cid: Cid }> {
  const unsigned = {
    v: DIRECTORY_ENTRY_VERSION as typeof DIRECTORY_ENTRY_VERSION,
    account: identity.accountId,
    identityKey: identity.signingPublicKey,
    devices: fields.devices.map((device) => ({ ...device })),
    lastResort: fields.lastResort,
    updatedAt: fields.updatedAt,
  };
  const signature = await signFor(
    suite,
    'directory-entry',
    identity.secrets.signingSeed,
    encodeCanonical(unsigned),
  );
  const entry: DirectoryEntry = { ...unsigned, signature };
  const bytes = encodeCanonical(entry);
  return { entry, bytes, cid: cidForBytes(bytes) };
}

/** Why a directory entry was refused. */
export type DirectoryEntryFailure =
  'malformed' | 'wrong-account' | 'weak-key' | 'bad-signature' | 'bad-device-certificate';

/**
 * Decodes and fully verifies a directory entry: canonical bytes, schema, account id = hash of the
 * identity key, usable (canonical, not small-order) identity and device keys, the entry
 * signature, and every device certificate. Never throws for bad bytes.
 */
export async function verifyDirectoryEntry(
  suite: CryptoSuite,
  bytes: Uint8Array,
): Promise<Result<{ entry: DirectoryEntry; cid: Cid }, DirectoryEntryFailure>> {
  let entry: DirectoryEntry;
  try {
    entry = parseEntry(
      decodeCanonical(bytes, { maxBytes: MAX_DIRECTORY_ENTRY_BYTES, maxDepth: 4 }),
    );
  } catch (error) {
    if (error instanceof CoreError) return fail('malformed', error.message);
    throw error;
  }
  if (accountIdFromPublicKey(entry.identityKey) !== entry.account) return fail('wrong-account');
  try {
    // Every key the entry makes an identity or device key: weak or non-canonical keys never.
    checkEd25519PublicKey(entry.identityKey);
    for (const device of entry.devices) checkEd25519PublicKey(device.deviceKey);
  } catch {
    return fail('weak-key');
  }
  const { signature, ...unsigned } = entry;
  const signed = await verifyFor(
    suite,
    'directory-entry',
    entry.identityKey,
    encodeCanonical(unsigned),
    signature,
  );
  if (!signed.ok) return fail('bad-signature');
  for (const device of entry.devices) {
    const certified = await verifyFor(
      suite,
      'device-certificate',
      entry.identityKey,
      deviceStatement(entry.account, device),
      device.signature,
    );
    if (!certified.ok) return fail('bad-device-certificate');
  }
  return ok({ entry, cid: cidForBytes(bytes) });
}

function deviceStatement(
  account: AccountId,
  device: { deviceKey: Uint8Array; hpkeKey: Uint8Array; createdAt: number },
): Uint8Array {
  return encodeCanonical({
    v: 1,
    account,
    deviceKey: device.deviceKey,
    hpkeKey: device.hpkeKey,
    createdAt: device.createdAt,
  });
}

function parseEntry(value: unknown): DirectoryEntry {
  const what = 'directory entry';
  const version = expectFields(value, what, ['v'], Object.keys(value ?? {})).v;
  if (version !== DIRECTORY_ENTRY_VERSION) {
    throw new CoreError('CORE_UNKNOWN_VERSION', `(directory entry version ${String(version)})`);
  }
  const fields = expectFields(value, what, [
    'v',
    'account',
    'identityKey',
    'devices',
    'lastResort',
    'updatedAt',
    'signature',
  ]);
  const devices = fields.devices;
  if (!Array.isArray(devices) || devices.length > MAX_DEVICES) {
    throw new CoreError(
      'CORE_SCHEMA_INVALID',
      `(devices must be a list of at most ${MAX_DEVICES})`,
    );
  }
  const lastResort = expectBytes(fields, 'lastResort', what);
  if (lastResort.length === 0 || lastResort.length > MAX_KEY_PACKAGE_BYTES) {
    throw new CoreError('CORE_SCHEMA_INVALID', '(lastResort size)');
  }
  return {
    v: DIRECTORY_ENTRY_VERSION,
    account: parseAccountId(expectString(fields, 'account', what)),
    identityKey: expectBytes(fields, 'identityKey', what, 32),
    devices: devices.map((device: unknown) => {
      const d = expectFields(device, 'device certificate', [
        'deviceKey',
        'hpkeKey',
        'createdAt',
        'signature',
      ]);
      return {
        deviceKey: expectBytes(d, 'deviceKey', 'device certificate', 32),
        hpkeKey: expectBytes(d, 'hpkeKey', 'device certificate', X25519_KEY_BYTES),
        createdAt: expectUint(d, 'createdAt', 'device certificate'),
        signature: expectBytes(d, 'signature', 'device certificate', ED25519_SIGNATURE_BYTES),
      };
    }),
    lastResort,
    updatedAt: expectUint(fields, 'updatedAt', what),
    signature: expectBytes(fields, 'signature', what, ED25519_SIGNATURE_BYTES),
  };
}
