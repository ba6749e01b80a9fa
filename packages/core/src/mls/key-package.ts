/**
 * KeyPackages of Parley devices (RFC 9420 §10; docs/spec/chats.md §Credentials): generating one
 * for this device, and checking one claimed from the directory before it is added to a group —
 * a KeyPackage MLSMessage, with a Parley credential of the expected account, whose leaf is signed
 * by the device key the credential names.
 */
import {
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  type KeyPackage,
} from 'ts-mls';
// Not in ts-mls's root exports; its package exports allow the module path.
import { verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { equalBytes } from '../bytes.js';
import { sha256 } from '../crypto/sha256.js';
import type { AccountId } from '../identity/account-id.js';
import { fail, ok, type Result } from '../result.js';
import {
  memberCredential,
  readMemberCredential,
  type MemberIdentity,
} from './member-credential.js';
import { decodeMls } from './mls-header.js';
import type { MlsContext } from './mls-suite.js';

declare const checkedKeyPackageBrand: unique symbol;

/** A KeyPackage that `checkKeyPackage` accepted: the only kind `commitChanges` adds. */
export type CheckedKeyPackage = KeyPackage & { readonly [checkedKeyPackageBrand]: true };

/** The private keys of a KeyPackage, to keep until a Welcome for it arrives. */
export interface KeyPackageSecrets {
  readonly initPrivateKey: Uint8Array;
  readonly hpkePrivateKey: Uint8Array;
  readonly signaturePrivateKey: Uint8Array;
}

/** A KeyPackage of this device: its MLSMessage bytes, their hash (its reference) and secrets. */
export interface GeneratedKeyPackage {
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`: how invitations name the KeyPackage their Welcome is for. */
  readonly hash: Uint8Array;
  readonly secrets: KeyPackageSecrets;
}

/** This device, as the owner of its KeyPackages. */
export interface MemberDevice {
  readonly account: AccountId;
  /** The device's Ed25519 seed: its MLS signature key. */
  readonly deviceSeed: Uint8Array;
  readonly deviceKey: Uint8Array;
}

/** Why a claimed KeyPackage was refused. */
export type KeyPackageFailure =
  'not-a-key-package' | 'foreign-credential' | 'wrong-account' | 'wrong-signer' | 'bad-signature';

/** A checked KeyPackage and the device it is for. */
export interface ClaimedKeyPackage {
  readonly keyPackage: CheckedKeyPackage;
  readonly device: Uint8Array;
}

/** A fresh KeyPackage of `device`, with the default capabilities and lifetime. Never throws for valid keys. */
export function generateKeyPackage(
  mls: MlsContext,
  device: MemberDevice,
): Promise<GeneratedKeyPackage> {
  return buildKeyPackage(
    mls,
    { account: device.account, device: device.deviceKey },
    { seed: device.deviceSeed, publicKey: device.deviceKey },
  );
}

/**
 * A KeyPackage whose credential claims `claimed` (an account and a device key) but whose leaf
 * `signer` signs, with the default capabilities and lifetime: what a forger publishes. Nothing
 * here checks the claim; it is for tests of the checks that refuse such a KeyPackage
 * (`checkKeyPackage`, the authentication service). `generateKeyPackage` is the honest case.
 * Never throws for valid keys.
 */
export function unsafeForgeKeyPackage(
  mls: MlsContext,
  claimed: MemberIdentity,
  signer: { readonly seed: Uint8Array; readonly publicKey: Uint8Array },
): Promise<GeneratedKeyPackage> {
  return buildKeyPackage(mls, claimed, signer);
}

/** A KeyPackage with the credential of `identity`, signed by `signer`, as MLSMessage bytes. */
async function buildKeyPackage(
  mls: MlsContext,
  identity: MemberIdentity,
  signer: { readonly seed: Uint8Array; readonly publicKey: Uint8Array },
): Promise<GeneratedKeyPackage> {
  const generated = await generateKeyPackageWithKey(
    memberCredential(identity),
    defaultCapabilities(),
    defaultLifetime,
    [],
    { signKey: signer.seed, publicKey: signer.publicKey },
    mls.cipherSuite,
  );
  const bytes = encodeMlsMessage({
    version: 'mls10',
    wireformat: 'mls_key_package',
    keyPackage: generated.publicPackage,
  });
  return {
    bytes,
    hash: sha256(bytes),
    secrets: {
      initPrivateKey: generated.privatePackage.initPrivateKey,
      hpkePrivateKey: generated.privatePackage.hpkePrivateKey,
      signaturePrivateKey: generated.privatePackage.signaturePrivateKey,
    },
  };
}

/**
 * Checks KeyPackage bytes claimed for `account`: one KeyPackage MLSMessage, a Parley credential
 * of that account, a leaf signature key equal to the credential's device, a valid signature.
 * Whether the device is certified is the caller's check (against the directory). Never throws.
 */
export async function checkKeyPackage(
  mls: MlsContext,
  bytes: Uint8Array,
  account: string,
): Promise<Result<ClaimedKeyPackage, KeyPackageFailure>> {
  let message;
  try {
    message = decodeMls(bytes);
  } catch {
    return fail('not-a-key-package');
  }
  if (message.wireformat !== 'mls_key_package') return fail('not-a-key-package');
  const { keyPackage } = message;
  let identity;
  try {
    identity = readMemberCredential(keyPackage.leafNode.credential);
  } catch {
    return fail('foreign-credential');
  }
  if (identity.account !== account) return fail('wrong-account');
  if (!equalBytes(keyPackage.leafNode.signaturePublicKey, identity.device)) {
    return fail('wrong-signer');
  }
  if (!(await verifyKeyPackage(keyPackage, mls.cipherSuite.signature))) {
    return fail('bad-signature');
  }
  return ok({ keyPackage: keyPackage as CheckedKeyPackage, device: identity.device });
}
