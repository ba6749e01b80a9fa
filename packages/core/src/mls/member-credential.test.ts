/**
 * Member credentials (docs/spec/chats.md §Credentials): the basic credential's identity is
 * canonical DAG-CBOR `{ v: 1, account, device }`; anything else is refused with a code, and the
 * authentication service accepts a leaf only for a device its account's directory entry certifies.
 */
import type { Credential } from 'ts-mls';
import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { accountIdFromPublicKey, type AccountId } from '../identity/account-id.js';
import { thrownCode } from '../../test/support/core-error.js';
import {
  createAuthenticationService,
  memberCredential,
  readMemberCredential,
  type DeviceLookup,
} from './member-credential.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);

const account = accountIdFromPublicKey(new Uint8Array(32).fill(1));
const otherAccount = accountIdFromPublicKey(new Uint8Array(32).fill(2));
let device: Uint8Array;
let secondDevice: Uint8Array;
beforeAll(async () => {
  device = await suite.ed25519.publicKey(new Uint8Array(32).fill(0x11));
  secondDevice = await suite.ed25519.publicKey(new Uint8Array(32).fill(0x22));
});

/** A basic credential whose identity is the canonical encoding of `fields`. */
function basic(fields: unknown): Credential {
  return { credentialType: 'basic', identity: encodeCanonical(fields) };
}

describe('memberCredential and readMemberCredential', () => {
  it('round-trips an account and device through a basic credential', () => {
    const credential = memberCredential({ account, device });
    expect(credential.credentialType).toBe('basic');
    expect(readMemberCredential(credential)).toEqual({ account, device });
  });

  it('puts canonical DAG-CBOR { v: 1, account, device } in the identity', () => {
    const credential = memberCredential({ account, device });
    if (credential.credentialType !== 'basic') throw new Error('expected a basic credential');
    expect(decodeCanonical(credential.identity)).toEqual({ v: 1, account, device });
    expect(credential.identity).toEqual(encodeCanonical({ v: 1, account, device }));
  });

  it('refuses an x509 credential with CORE_SCHEMA_INVALID', () => {
    const x509: Credential = { credentialType: 'x509', certificates: [new Uint8Array([0x30])] };
    expect(thrownCode(() => readMemberCredential(x509))).toBe('CORE_SCHEMA_INVALID');
  });

  it('refuses a basic credential whose identity is not CBOR (a plain name)', () => {
    const foreign: Credential = { credentialType: 'basic', identity: utf8('alice') };
    expect(thrownCode(() => readMemberCredential(foreign))).toBe('CORE_CBOR_MALFORMED');
  });

  it('refuses an empty identity', () => {
    const empty: Credential = { credentialType: 'basic', identity: new Uint8Array(0) };
    expect(thrownCode(() => readMemberCredential(empty))).toMatch(/^CORE_CBOR_/);
  });

  it('refuses an identity that is CBOR but not in canonical form (keys out of order)', () => {
    const canonical = encodeCanonical({ v: 1, device: new Uint8Array(32) });
    // a2 | 61 76 01 ("v": 1) | 66 "device" 58 20 <32 bytes>: canonical order puts "v" first
    // (shorter key); the same two entries the other way round are valid CBOR but not canonical.
    expect(Array.from(canonical.subarray(0, 4))).toEqual([0xa2, 0x61, 0x76, 0x01]);
    const nonCanonical = Uint8Array.from([0xa2, ...canonical.subarray(4), 0x61, 0x76, 0x01]);
    expect(decodeCanonical(canonical)).toEqual({ v: 1, device: new Uint8Array(32) });
    expect(
      thrownCode(() => readMemberCredential({ credentialType: 'basic', identity: nonCanonical })),
    ).toBe('CORE_CBOR_NON_CANONICAL');
  });

  it('refuses an identity over 256 bytes with CORE_CBOR_TOO_LARGE', () => {
    const big = basic({ v: 1, account, device, pad: new Uint8Array(200) });
    expect(thrownCode(() => readMemberCredential(big))).toBe('CORE_CBOR_TOO_LARGE');
  });

  it('refuses another version with CORE_UNKNOWN_VERSION', () => {
    expect(thrownCode(() => readMemberCredential(basic({ v: 2, account, device })))).toBe(
      'CORE_UNKNOWN_VERSION',
    );
    expect(thrownCode(() => readMemberCredential(basic({ v: '1', account, device })))).toBe(
      'CORE_UNKNOWN_VERSION',
    );
  });

  it.each([
    ['not base32 multibase', 'alice'],
    ['upper case', account.toUpperCase()],
    ['a truncated id', account.slice(0, -4)],
    ['empty', ''],
  ])('refuses an account id that is %s with CORE_ACCOUNT_ID_INVALID', (_what, bad) => {
    expect(thrownCode(() => readMemberCredential(basic({ v: 1, account: bad, device })))).toBe(
      'CORE_ACCOUNT_ID_INVALID',
    );
  });

  it.each([
    ['a missing device', { v: 1, account }],
    ['a missing account', { v: 1, device: new Uint8Array(32) }],
    ['a device of 31 bytes', { v: 1, account, device: new Uint8Array(31) }],
    ['a device that is a string', { v: 1, account, device: 'device' }],
    ['an account that is bytes', { v: 1, account: utf8(account), device: new Uint8Array(32) }],
    ['an unknown field', { v: 1, account, device: new Uint8Array(32), name: 'alice' }],
    ['a list instead of a map', [1, account, new Uint8Array(32)]],
  ])('refuses an identity with %s with CORE_SCHEMA_INVALID', (_what, fields) => {
    expect(thrownCode(() => readMemberCredential(basic(fields)))).toBe('CORE_SCHEMA_INVALID');
  });
});

describe('createAuthenticationService', () => {
  /** A directory lookup over a fixed map that records the accounts it is asked about. */
  function lookupOver(entries: ReadonlyMap<AccountId, readonly Uint8Array[]>): {
    devicesOf: DeviceLookup;
    asked: AccountId[];
  } {
    const asked: AccountId[] = [];
    return {
      devicesOf: (queried) => {
        asked.push(queried);
        return Promise.resolve(entries.get(queried));
      },
      asked,
    };
  }

  it('accepts a credential whose device is the signature key and is certified for its account', async () => {
    const lookup = lookupOver(new Map([[account, [secondDevice, device]]]));
    const service = createAuthenticationService(lookup.devicesOf);
    await expect(
      service.validateCredential(memberCredential({ account, device }), device),
    ).resolves.toBe(true);
    expect(lookup.asked).toEqual([account]);
  });

  it('refuses a leaf whose signature key is not the device in its credential, even another device of the account', async () => {
    const service = createAuthenticationService(
      lookupOver(new Map([[account, [device, secondDevice]]])).devicesOf,
    );
    await expect(
      service.validateCredential(memberCredential({ account, device }), secondDevice),
    ).resolves.toBe(false);
  });

  it('refuses a device the account’s directory entry does not certify', async () => {
    const service = createAuthenticationService(
      lookupOver(
        new Map([
          [account, [secondDevice]],
          [otherAccount, [device]],
        ]),
      ).devicesOf,
    );
    await expect(
      service.validateCredential(memberCredential({ account, device }), device),
    ).resolves.toBe(false);
  });

  it('refuses a device of an account that certifies no devices', async () => {
    const service = createAuthenticationService(lookupOver(new Map([[account, []]])).devicesOf);
    await expect(
      service.validateCredential(memberCredential({ account, device }), device),
    ).resolves.toBe(false);
  });

  it('refuses an account the directory has no entry for (lookup gives undefined)', async () => {
    const lookup = lookupOver(new Map([[otherAccount, [device]]]));
    const service = createAuthenticationService(lookup.devicesOf);
    await expect(
      service.validateCredential(memberCredential({ account, device }), device),
    ).resolves.toBe(false);
    expect(lookup.asked).toEqual([account]);
  });

  it('refuses foreign credentials without asking the directory', async () => {
    const lookup = lookupOver(new Map([[account, [device]]]));
    const service = createAuthenticationService(lookup.devicesOf);
    const foreign: Credential[] = [
      { credentialType: 'x509', certificates: [] },
      { credentialType: 'basic', identity: utf8('alice') },
      basic({ v: 2, account, device }),
      basic({ v: 1, account: 'alice', device }),
    ];
    for (const credential of foreign) {
      await expect(service.validateCredential(credential, device)).resolves.toBe(false);
    }
    expect(lookup.asked).toEqual([]);
  });
});
