/** Relay receipts: signed by the relay identity key for context `relay-receipt`, every field bound. */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { cidForBytes } from '../encoding/cid.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { accountIdFromPublicKey } from '../identity/account-id.js';
import { signFor } from '../identity/signature.js';
import {
  createRelayReceiptSigner,
  signRelayReceipt,
  verifyRelayReceipt,
  type RelayReceipt,
} from './receipt.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const relaySeed = new Uint8Array(32).fill(3);
const otherSeed = new Uint8Array(32).fill(4);
const relayKey = await suite.ed25519.publicKey(relaySeed);
const otherKey = await suite.ed25519.publicKey(otherSeed);
const cid = cidForBytes(encodeCanonical({ envelope: 1 })).toString();
const receipt: RelayReceipt = {
  relay: accountIdFromPublicKey(relayKey),
  cid,
  topic: new Uint8Array(32).fill(5),
  seq: 7,
  receivedAt: 1_767_225_600_000,
  leafIndex: 41,
  mergeBy: 1_767_225_601_000,
};

describe('signRelayReceipt and verifyRelayReceipt', () => {
  it('verifies a receipt signed for relay-receipt over canonical { v: 1, ...receipt }', async () => {
    const signature = await signRelayReceipt(suite, relaySeed, receipt);
    expect(signature).toHaveLength(64);
    expect(signature).toEqual(
      await signFor(suite, 'relay-receipt', relaySeed, encodeCanonical({ v: 1, ...receipt })),
    );
    expect(await verifyRelayReceipt(suite, relayKey, receipt, signature)).toBe(true);
  });

  it('refuses a receipt with any field changed', async () => {
    const signature = await signRelayReceipt(suite, relaySeed, receipt);
    const changes: Partial<RelayReceipt>[] = [
      { relay: accountIdFromPublicKey(otherKey) },
      { cid: cidForBytes(utf8('other')).toString() },
      { topic: new Uint8Array(32).fill(6) },
      { seq: 8 },
      { receivedAt: receipt.receivedAt + 1 },
      { leafIndex: 40 },
      { mergeBy: receipt.mergeBy + 1 },
    ];
    for (const change of changes) {
      const verified = await verifyRelayReceipt(
        suite,
        relayKey,
        { ...receipt, ...change },
        signature,
      );
      expect(verified, Object.keys(change).join()).toBe(false);
    }
  });

  it('refuses another key, a signature for another context, and a flipped or short signature', async () => {
    const signature = await signRelayReceipt(suite, relaySeed, receipt);
    expect(await verifyRelayReceipt(suite, otherKey, receipt, signature)).toBe(false);
    const login = await signFor(suite, 'login', relaySeed, encodeCanonical({ v: 1, ...receipt }));
    expect(await verifyRelayReceipt(suite, relayKey, receipt, login)).toBe(false);
    const flipped = Uint8Array.from(signature, (b, i) => (i === 0 ? b ^ 1 : b));
    expect(await verifyRelayReceipt(suite, relayKey, receipt, flipped)).toBe(false);
    expect(await verifyRelayReceipt(suite, relayKey, receipt, signature.subarray(1))).toBe(false);
    expect(await verifyRelayReceipt(suite, relayKey.subarray(1), receipt, signature)).toBe(false);
  });

  it('refuses a key that signs correctly but is not the key of receipt.relay', async () => {
    // Another relay signs a receipt naming the first relay.
    const forged = await signFor(
      suite,
      'relay-receipt',
      otherSeed,
      encodeCanonical({ v: 1, ...receipt }),
    );
    expect(await verifyRelayReceipt(suite, otherKey, receipt, forged)).toBe(false);
  });

  it.each([
    ['a relay that is not an account id', { relay: 'relay' }],
    ['another relay than the seed’s', { relay: accountIdFromPublicKey(otherKey) }],
    ['a cid that is not a CID', { cid: 'nope' }],
    ['a cid in a non-canonical spelling', { cid: cid.toUpperCase() }],
    ['a topic of 31 bytes', { topic: new Uint8Array(31) }],
    ['a negative seq', { seq: -1 }],
    ['a fractional leafIndex', { leafIndex: 1.5 }],
    ['a mergeBy beyond 2^53', { mergeBy: 2 ** 53 }],
  ])('throws RangeError when signing %s, and verification says false', async (_what, change) => {
    const bad: RelayReceipt = { ...receipt, ...change };
    await expect(signRelayReceipt(suite, relaySeed, bad)).rejects.toThrow(RangeError);
    const signature = await signFor(
      suite,
      'relay-receipt',
      relaySeed,
      encodeCanonical({ v: 1, ...receipt }),
    );
    expect(await verifyRelayReceipt(suite, relayKey, bad, signature)).toBe(false);
  });
});

describe('createRelayReceiptSigner', () => {
  it('imports the key once and signs exactly as signRelayReceipt does', async () => {
    const sign = await createRelayReceiptSigner(suite, relaySeed);
    for (const leafIndex of [0, 1, 41, 2 ** 40]) {
      const each = { ...receipt, leafIndex };
      expect(await sign(each)).toEqual(await signRelayReceipt(suite, relaySeed, each));
    }
  });

  it('refuses what signRelayReceipt refuses, as a rejected promise', async () => {
    const sign = await createRelayReceiptSigner(suite, relaySeed);
    await expect(sign({ ...receipt, relay: accountIdFromPublicKey(otherKey) })).rejects.toThrow(
      RangeError,
    );
    await expect(sign({ ...receipt, seq: -1 })).rejects.toThrow(RangeError);
    await expect(sign({ ...receipt, topic: new Uint8Array(31) })).rejects.toThrow(RangeError);
  });
});

describe('Ed25519 signer', () => {
  it('derives the same public key and signatures as the one-shot calls', async () => {
    const signer = await suite.ed25519.signer(relaySeed);
    expect(signer.publicKey).toEqual(relayKey);
    const message = utf8('a message');
    expect(await signer.sign(message)).toEqual(await suite.ed25519.sign(relaySeed, message));
    await expect(suite.ed25519.signer(new Uint8Array(31))).rejects.toThrow(RangeError);
  });
});
