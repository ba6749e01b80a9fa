/**
 * MLS credentials of Parley members (docs/spec/chats.md §Credentials): a basic credential whose
 * identity is canonical DAG-CBOR `{ v: 1, account, device }`, and the authentication service that
 * accepts a leaf only if its signature key is that device key and the account's directory entry
 * certifies the device.
 */
import type { AuthenticationService, Credential } from 'ts-mls';
import { equalBytes } from '../bytes.js';
import { isStrictPointEncoding } from '../crypto/ed25519-policy.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { expectBytes, expectFields, expectString } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import { parseAccountId, type AccountId } from '../identity/account-id.js';

/** Who a leaf says it is: an account and one of its devices (its MLS signature key). */
export interface MemberIdentity {
  readonly account: AccountId;
  readonly device: Uint8Array;
}

/** The basic credential of a member. */
export function memberCredential(identity: MemberIdentity): Credential {
  return {
    credentialType: 'basic',
    identity: encodeCanonical({ v: 1, account: identity.account, device: identity.device }),
  };
}

/**
 * Reads the member identity out of a credential.
 * @throws CoreError CORE_SCHEMA_INVALID | CORE_ACCOUNT_ID_INVALID | CORE_CBOR_* for a foreign credential
 */
export function readMemberCredential(credential: Credential): MemberIdentity {
  if (credential.credentialType !== 'basic') {
    throw new CoreError('CORE_SCHEMA_INVALID', '(not a basic credential)');
  }
  const fields = expectFields(
    decodeCanonical(credential.identity, { maxBytes: 256, maxDepth: 2 }),
    'member credential',
    ['v', 'account', 'device'],
  );
  if (fields.v !== 1) throw new CoreError('CORE_UNKNOWN_VERSION', '(member credential)');
  return {
    account: parseAccountId(expectString(fields, 'account', 'member credential')),
    device: expectBytes(fields, 'device', 'member credential', 32),
  };
}

/**
 * The device keys an account's verified directory entry certifies, or undefined if the account
 * has no entry. Supplied by the client (it fetches and verifies entries from the relay).
 */
export type DeviceLookup = (account: AccountId) => Promise<readonly Uint8Array[] | undefined>;

/**
 * Parley's MLS authentication service (RFC 9420 §5.3.1), backed by the directory: a leaf whose
 * signature key is weak (small-order or non-canonical) is refused before the directory is asked.
 */
export function createAuthenticationService(devicesOf: DeviceLookup): AuthenticationService {
  return {
    async validateCredential(credential, signaturePublicKey) {
      let identity: MemberIdentity;
      try {
        identity = readMemberCredential(credential);
      } catch {
        return false;
      }
      if (!equalBytes(identity.device, signaturePublicKey)) return false;
      if (!isStrictPointEncoding(signaturePublicKey)) return false;
      const devices = await devicesOf(identity.account);
      return devices?.some((device) => equalBytes(device, identity.device)) ?? false;
    },
  };
}
