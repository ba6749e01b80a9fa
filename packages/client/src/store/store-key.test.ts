/** The store key: HKDF of the identity's signing seed, bound to its account. */
import { describe, expect, it } from 'vitest';
import { testDevice, suite } from '../../test/support/unit-fixtures.js';
import { deriveStoreKey } from './store-key.js';

describe('deriveStoreKey', () => {
  it('derives the same 32-byte key for the same identity every time', async () => {
    const { identity } = await testDevice('alice');
    const first = await deriveStoreKey(suite, identity);
    expect(first).toHaveLength(32);
    expect(await deriveStoreKey(suite, identity)).toEqual(first);
  });

  it('derives different keys for different identities', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    expect(await deriveStoreKey(suite, alice.identity)).not.toEqual(
      await deriveStoreKey(suite, bob.identity),
    );
  });

  it('binds the key to the account id as well as the seed', async () => {
    const { identity } = await testDevice('alice');
    const renamed = { ...identity, accountId: (await testDevice('bob')).account };
    expect(await deriveStoreKey(suite, renamed)).not.toEqual(await deriveStoreKey(suite, identity));
  });
});
