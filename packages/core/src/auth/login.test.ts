/** The login answer: a session request the relay's check accepts, and refusals of bad challenges. */
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../crypto/base64url.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { generateIdentity } from '../identity/identity.js';
import { verifyFor } from '../identity/signature.js';
import type { RandomSource } from '../random.js';
import { answerChallenge, identityLoginSigner, loginMessage } from './login.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const random: RandomSource = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

function challenge(nonce = random(32)) {
  return { relayId: 'relay-1', nonce: toBase64Url(nonce), expiresAt: 1_700_000_000_000 };
}

describe('answerChallenge', () => {
  it('signs the login statement of the challenge with the identity key', async () => {
    const alice = await generateIdentity(suite, random);
    const asked = challenge();
    const answer = await answerChallenge(asked, identityLoginSigner(suite, alice));
    if (!answer.ok) throw new Error(answer.reason);
    expect(answer.value.accountId).toBe(alice.accountId);
    expect(answer.value.nonce).toBe(asked.nonce);
    expect(answer.value.publicKey).toBe(toBase64Url(alice.signingPublicKey));
    expect(answer.value).not.toHaveProperty('inviteCode');
    const statement = loginMessage({
      relay: asked.relayId,
      account: alice.accountId,
      nonce: fromBase64Url(asked.nonce),
      expiresAt: asked.expiresAt,
    });
    const verified = await verifyFor(
      suite,
      'login',
      alice.signingPublicKey,
      statement,
      fromBase64Url(answer.value.signature),
    );
    expect(verified.ok).toBe(true);
  });

  it('carries an invite code when one is given', async () => {
    const alice = await generateIdentity(suite, random);
    const answer = await answerChallenge(challenge(), identityLoginSigner(suite, alice), {
      inviteCode: 'welcome',
    });
    expect(answer.ok && answer.value.inviteCode).toBe('welcome');
  });

  it.for([
    { name: 'a missing relay id', value: { nonce: 'AAAA', expiresAt: 1 } },
    { name: 'a string expiry', value: { ...challenge(), expiresAt: 'soon' } },
    { name: 'a nonce that is not base64url', value: { ...challenge(), nonce: '***' } },
    { name: 'a 16-byte nonce', value: challenge(new Uint8Array(16)) },
    { name: 'not an object', value: 'challenge' },
  ])('refuses $name as wire-invalid without signing', async ({ value }) => {
    const alice = await generateIdentity(suite, random);
    let signed = 0;
    const signer = {
      ...identityLoginSigner(suite, alice),
      sign: () => {
        signed += 1;
        return Promise.resolve(new Uint8Array(64));
      },
    };
    const answer = await answerChallenge(value, signer);
    expect(answer.ok ? 'ok' : answer.reason).toBe('wire-invalid');
    expect(signed).toBe(0);
  });
});
