/**
 * Claiming another account's KeyPackage: accepted only if it is a valid KeyPackage of that
 * account from a device its newest directory entry certifies (fake relay API and lookup).
 */
import { certifyDevice, toHex, type DeviceCertificate, type MlsContext } from '@parley/core';
import { describe, expect, it } from 'vitest';
import {
  checkedKeyPackageOf,
  fakeClock,
  mlsFor,
  suite,
  testDevice,
  type TestDevice,
} from '../../test/support/unit-fixtures.js';
import { claimKeyPackage, type ClaimDeps } from './claims.js';

/** A claim whose relay hands out `served` and whose directory certifies `certified`. */
function claimDeps(
  mls: MlsContext,
  served: Uint8Array,
  certified: DeviceCertificate[] | undefined,
) {
  const claims: { account: string; now: number }[] = [];
  const lookups: { account: string; fresh: boolean | undefined }[] = [];
  const deps: ClaimDeps = {
    api: {
      claimKeyPackage: (account, now) => {
        claims.push({ account, now });
        return Promise.resolve({ keyPackage: served, lastResort: false });
      },
    },
    mls,
    lookup: {
      devicesOf: (account, fresh) => {
        lookups.push({ account, fresh });
        return Promise.resolve(certified);
      },
    },
    clock: fakeClock(1234),
  };
  return { deps, claims, lookups };
}

function certificateOf(member: TestDevice): Promise<DeviceCertificate> {
  return certifyDevice(suite, member.identity, {
    deviceKey: member.device.publicKey,
    hpkeKey: member.device.hpkePublicKey,
    createdAt: 1,
  });
}

describe('claimKeyPackage', () => {
  it('returns the checked KeyPackage and the HPKE key its certified device names', async () => {
    const bob = await testDevice('bob');
    const mls = await mlsFor([bob]);
    const { generated } = await checkedKeyPackageOf(mls, bob);
    const { deps, claims, lookups } = claimDeps(mls, generated.bytes, [await certificateOf(bob)]);
    const claimed = await claimKeyPackage(deps, bob.account);
    expect(claimed.bytes).toEqual(generated.bytes);
    expect(toHex(claimed.hpkeKey)).toBe(toHex(bob.device.hpkePublicKey));
    expect(claims).toEqual([{ account: bob.account, now: 1234 }]);
    // Never a cached device list: a superseded device gets no new chat.
    expect(lookups).toEqual([{ account: bob.account, fresh: true }]);
  });

  it('refuses a KeyPackage of another account as CLIENT_KEY_PACKAGE_INVALID', async () => {
    const bob = await testDevice('bob');
    const mallory = await testDevice('mallory');
    const mls = await mlsFor([bob, mallory]);
    const { generated } = await checkedKeyPackageOf(mls, mallory);
    const { deps } = claimDeps(mls, generated.bytes, [await certificateOf(bob)]);
    await expect(claimKeyPackage(deps, bob.account)).rejects.toMatchObject({
      code: 'CLIENT_KEY_PACKAGE_INVALID',
    });
  });

  it('refuses bytes that are no KeyPackage as CLIENT_KEY_PACKAGE_INVALID', async () => {
    const bob = await testDevice('bob');
    const mls = await mlsFor([bob]);
    const { deps, lookups } = claimDeps(mls, new Uint8Array([1, 2, 3]), [await certificateOf(bob)]);
    await expect(claimKeyPackage(deps, bob.account)).rejects.toMatchObject({
      code: 'CLIENT_KEY_PACKAGE_INVALID',
    });
    expect(lookups).toEqual([]);
  });

  it('refuses a KeyPackage of a device the newest entry no longer certifies', async () => {
    const bob = await testDevice('bob');
    const bobsOtherDevice = await testDevice('bob, second device');
    const mls = await mlsFor([bob]);
    const { generated } = await checkedKeyPackageOf(mls, bob);
    const other = await certifyDevice(suite, bob.identity, {
      deviceKey: bobsOtherDevice.device.publicKey,
      hpkeKey: bobsOtherDevice.device.hpkePublicKey,
      createdAt: 2,
    });
    for (const certified of [[other], undefined]) {
      const { deps } = claimDeps(mls, generated.bytes, certified);
      await expect(claimKeyPackage(deps, bob.account)).rejects.toMatchObject({
        code: 'CLIENT_KEY_PACKAGE_INVALID',
      });
    }
  });

  it('lets the relay’s refusal through', async () => {
    const bob = await testDevice('bob');
    const mls = await mlsFor([bob]);
    const deps: ClaimDeps = {
      ...claimDeps(mls, new Uint8Array(), undefined).deps,
      api: { claimKeyPackage: () => Promise.reject(new RangeError('no KeyPackage left')) },
    };
    await expect(claimKeyPackage(deps, bob.account)).rejects.toBeInstanceOf(RangeError);
  });
});
