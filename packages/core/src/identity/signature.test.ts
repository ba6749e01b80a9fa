import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import type { RandomSource } from '../random.js';
import { generateIdentity } from './identity.js';
import { SIGNATURE_CONTEXTS, signFor, signingInput, verifyFor } from './signature.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const random: RandomSource = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

describe('domain-separated signatures', () => {
  it('verifies a signature in the context it was made for', async () => {
    const alice = await generateIdentity(suite, random);
    const message = utf8('challenge bytes');
    const signature = await signFor(suite, 'login', alice.secrets.signingSeed, message);
    const result = await verifyFor(suite, 'login', alice.signingPublicKey, message, signature);
    expect(result).toEqual({ ok: true, value: true });
  });

  it('rejects a signature made for one context in every other context', async () => {
    const alice = await generateIdentity(suite, random);
    const message = utf8('same bytes, different purpose');
    for (const signedAs of SIGNATURE_CONTEXTS) {
      const signature = await signFor(suite, signedAs, alice.secrets.signingSeed, message);
      for (const checkedAs of SIGNATURE_CONTEXTS) {
        const result = await verifyFor(
          suite,
          checkedAs,
          alice.signingPublicKey,
          message,
          signature,
        );
        expect(result.ok, `${signedAs} checked as ${checkedAs}`).toBe(signedAs === checkedAs);
      }
    }
  });

  it('rejects a plain Ed25519 signature over the bare message', async () => {
    const alice = await generateIdentity(suite, random);
    const message = utf8('no context');
    const bare = await suite.ed25519.sign(alice.secrets.signingSeed, message);
    const result = await verifyFor(suite, 'chat-entry', alice.signingPublicKey, message, bare);
    expect(result).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects another key, a changed message and a changed signature', async () => {
    const alice = await generateIdentity(suite, random);
    const bob = await generateIdentity(suite, random);
    const message = utf8('hello');
    const signature = await signFor(suite, 'chat-entry', alice.secrets.signingSeed, message);
    expect(
      (await verifyFor(suite, 'chat-entry', bob.signingPublicKey, message, signature)).ok,
    ).toBe(false);
    expect(
      (await verifyFor(suite, 'chat-entry', alice.signingPublicKey, utf8('hellO'), signature)).ok,
    ).toBe(false);
    const flipped = signature.slice();
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(
      (await verifyFor(suite, 'chat-entry', alice.signingPublicKey, message, flipped)).ok,
    ).toBe(false);
    expect(
      (await verifyFor(suite, 'chat-entry', alice.signingPublicKey, message, signature.subarray(1)))
        .ok,
    ).toBe(false);
  });

  it('length-prefixes the context so no two (context, message) pairs share signed bytes', () => {
    const a = signingInput('login', utf8('x'));
    const b = signingInput('chat-entry', utf8('x'));
    expect(a).not.toEqual(b);
    expect(Array.from(signingInput('login', new Uint8Array()).subarray(0, 14))).toEqual(
      Array.from(utf8('parley-sig/v1\u0000')),
    );
    expect(() => signingInput('unknown' as never, utf8('x'))).toThrow(RangeError);
  });
});
