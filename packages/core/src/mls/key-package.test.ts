/** KeyPackages of Parley devices (RFC 9420 §10): honest ones pass the check, forged ones say how they lie. */
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../crypto/sha256.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { unsafeTestMember, type TestMember } from '@parley/test-support/mls-members';
import {
  checkKeyPackage,
  generateKeyPackage,
  unsafeForgeKeyPackage,
  type GeneratedKeyPackage,
} from './key-package.js';
import { createAuthenticationService, readMemberCredential } from './member-credential.js';
import { decodeMls } from './mls-header.js';
import { createMlsContext, type MlsContext } from './mls-suite.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);

let mls: MlsContext;
let alice: TestMember;
let mallory: TestMember;

beforeAll(async () => {
  mls = await createMlsContext(createAuthenticationService(() => Promise.resolve(undefined)));
  alice = await unsafeTestMember(suite, 'alice');
  mallory = await unsafeTestMember(suite, 'mallory');
});

/** The leaf of a KeyPackage: who its credential claims and which key signs it. */
function leafOf(generated: GeneratedKeyPackage) {
  const message = decodeMls(generated.bytes);
  if (message.wireformat !== 'mls_key_package') throw new Error('expected a KeyPackage');
  const { leafNode } = message.keyPackage;
  return {
    claimed: readMemberCredential(leafNode.credential),
    signer: leafNode.signaturePublicKey,
  };
}

const signerOf = (member: TestMember) => ({ seed: member.deviceSeed, publicKey: member.device });

describe('generateKeyPackage', () => {
  it('gives a KeyPackage of the device that the check accepts, named by the hash of its bytes', async () => {
    const generated = await generateKeyPackage(mls, {
      account: alice.account,
      deviceSeed: alice.deviceSeed,
      deviceKey: alice.device,
    });
    expect(generated.hash).toEqual(sha256(generated.bytes));
    expect(generated.secrets.signaturePrivateKey).toEqual(alice.deviceSeed);
    expect(leafOf(generated)).toEqual({
      claimed: { account: alice.account, device: alice.device },
      signer: alice.device,
    });
    const checked = await checkKeyPackage(mls, generated.bytes, alice.account);
    expect(checked.ok && checked.value.device).toEqual(alice.device);
  });
});

describe('unsafeForgeKeyPackage', () => {
  it('claims what it is told and is signed by the signer, so the check sees the lie', async () => {
    const claimed = { account: alice.account, device: alice.device };
    const forged = await unsafeForgeKeyPackage(mls, claimed, signerOf(mallory));
    expect(forged.hash).toEqual(sha256(forged.bytes));
    expect(leafOf(forged)).toEqual({ claimed, signer: mallory.device });
    const checked = await checkKeyPackage(mls, forged.bytes, alice.account);
    expect(checked.ok || checked.reason).toBe('wrong-signer');
  });

  it('names another account than the one it is claimed for: wrong-account', async () => {
    const claimed = { account: alice.account, device: mallory.device };
    const forged = await unsafeForgeKeyPackage(mls, claimed, signerOf(mallory));
    const checked = await checkKeyPackage(mls, forged.bytes, mallory.account);
    expect(checked.ok || checked.reason).toBe('wrong-account');
  });

  it('is an honest KeyPackage when the claim is the signer’s own', async () => {
    const own = { account: mallory.account, device: mallory.device };
    const forged = await unsafeForgeKeyPackage(mls, own, signerOf(mallory));
    const checked = await checkKeyPackage(mls, forged.bytes, mallory.account);
    expect(checked.ok && checked.value.device).toEqual(mallory.device);
  });
});
