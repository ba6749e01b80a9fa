import { describe, expect, it } from 'vitest';
import { createCryptoSuite } from '../crypto/suite.js';
import { accountIdFromPublicKey, isAccountKey, parseAccountId } from './account-id.js';
import { generateIdentity, identityFromSecrets } from './identity.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);

/** A RandomSource that replays fixed bytes, so identities are reproducible. */
function replay(...chunks: Uint8Array[]) {
  return (length: number): Uint8Array => {
    const chunk = chunks.shift();
    if (chunk?.length !== length) throw new Error('replay: unexpected request');
    return chunk;
  };
}

describe('identity', () => {
  it('derives the RFC 8032 test 1 public key from its seed', async () => {
    // RFC 8032 §7.1, TEST 1.
    const seed = Uint8Array.from(
      Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
    );
    const identity = await generateIdentity(suite, replay(seed, new Uint8Array(32).fill(7)));
    expect(Buffer.from(identity.signingPublicKey).toString('hex')).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
  });

  it('derives the RFC 7748 §6.1 X25519 public key of Alice', async () => {
    const alicePrivate = Uint8Array.from(
      Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex'),
    );
    const identity = await generateIdentity(
      suite,
      replay(new Uint8Array(32).fill(1), alicePrivate),
    );
    expect(Buffer.from(identity.hpkePublicKey).toString('hex')).toBe(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
  });

  it('names the account by the hash of its identity key, and parses that name back', async () => {
    const identity = await generateIdentity(suite, (n) =>
      globalThis.crypto.getRandomValues(new Uint8Array(n)),
    );
    expect(identity.accountId).toBe(accountIdFromPublicKey(identity.signingPublicKey));
    expect(parseAccountId(identity.accountId)).toBe(identity.accountId);
    expect(isAccountKey(identity.accountId, identity.signingPublicKey)).toBe(true);
    expect(isAccountKey(identity.accountId, identity.hpkePublicKey)).toBe(false);
  });

  it('rebuilds the same identity from its secrets', async () => {
    const identity = await generateIdentity(suite, (n) =>
      globalThis.crypto.getRandomValues(new Uint8Array(n)),
    );
    const again = await identityFromSecrets(suite, identity.secrets);
    expect(again).toEqual(identity);
  });

  it('refuses secrets of the wrong length', async () => {
    await expect(
      identityFromSecrets(suite, {
        signingSeed: new Uint8Array(31),
        hpkePrivateKey: new Uint8Array(32),
      }),
    ).rejects.toThrow(RangeError);
  });
});
