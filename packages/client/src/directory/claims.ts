/**
 * Claims a one-time KeyPackage of another account and checks it: a valid KeyPackage of that
 * account, signed by a device its newest directory entry certifies, whose HPKE key it names.
 */
import {
  checkKeyPackage,
  toHex,
  type CheckedKeyPackage,
  type KeyPackageFailure,
  type MlsContext,
} from '@parley/core';
import { ClientError } from '../errors.js';
import type { RelayApi } from '../relay/relay-api.js';
import type { DeviceLookup } from './device-lookup.js';

/** A claimed and checked KeyPackage, with the HPKE key of its device (for the invitation). */
export interface ClaimedKeyPackage {
  readonly keyPackage: CheckedKeyPackage;
  readonly bytes: Uint8Array;
  readonly hpkeKey: Uint8Array;
}

/** What a claim needs. */
export interface ClaimDeps {
  readonly api: Pick<RelayApi, 'claimKeyPackage'>;
  readonly mls: MlsContext;
  readonly lookup: Pick<DeviceLookup, 'devicesOf'>;
  readonly clock: () => number;
}

/** What a refused KeyPackage's error says (CLIENT_KEY_PACKAGE_INVALID). */
const KEY_PACKAGE_REFUSALS: Record<KeyPackageFailure, string> = {
  'not-a-key-package': 'not a KeyPackage',
  'foreign-credential': 'foreign credential',
  'wrong-account': 'wrong account',
  'wrong-signer': 'signed by a key other than its device',
  'bad-signature': 'bad signature',
};

/**
 * Claims and checks a KeyPackage of `account`, and finds its device's HPKE key.
 * @throws ClientError CLIENT_KEY_PACKAGE_INVALID, and the relay's and directory's errors
 */
export async function claimKeyPackage(
  deps: ClaimDeps,
  account: string,
): Promise<ClaimedKeyPackage> {
  const claimed = await deps.api.claimKeyPackage(account, deps.clock());
  const checked = await checkKeyPackage(deps.mls, claimed.keyPackage, account);
  if (!checked.ok) {
    throw new ClientError(
      'CLIENT_KEY_PACKAGE_INVALID',
      `(${KEY_PACKAGE_REFUSALS[checked.reason]})`,
    );
  }
  const identity = checked.value;
  // The newest entry, never a cached list: a superseded device gets no new chat.
  const device = (await deps.lookup.devicesOf(account, true))?.find(
    (cert) => toHex(cert.deviceKey) === toHex(identity.device),
  );
  if (device === undefined) {
    throw new ClientError('CLIENT_KEY_PACKAGE_INVALID', '(device not in the directory)');
  }
  return { keyPackage: identity.keyPackage, bytes: claimed.keyPackage, hpkeKey: device.hpkeKey };
}
