/**
 * Invitations (docs/spec/chats.md §Invitations): signed by the inviter's device over every field
 * (the Welcome by its hash), sealed with HPKE to the invitee's device key and bound to the inbox
 * topic as AAD; only that key, for that inbox and that invitee, opens them unchanged.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import { hpkeSeal } from '../crypto/hpke.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { inboxTopic, newSharedTopic } from '../envelope/inbox.js';
import { generateIdentity, type Identity } from '../identity/identity.js';
import { signFor } from '../identity/signature.js';
import { rejectedCode } from '../../test/support/core-error.js';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { openInvitation, sealInvitation, type Invitation } from './invitation.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);

let alice: Identity;
let bob: Identity;
let carol: Identity;
let deviceSeed: Uint8Array;
let otherSeed: Uint8Array;
let invitation: Invitation;
beforeAll(async () => {
  alice = await generateIdentity(suite, unsafeSeededRandom('invitation alice'));
  bob = await generateIdentity(suite, unsafeSeededRandom('invitation bob'));
  carol = await generateIdentity(suite, unsafeSeededRandom('invitation carol'));
  deviceSeed = unsafeSeededRandom('alice device')(32);
  otherSeed = unsafeSeededRandom('mallory device')(32);
  const welcome = unsafeSeededRandom('invitation welcome')(790);
  invitation = {
    chat: newSharedTopic(unsafeSeededRandom('invitation chat')),
    kind: 'group',
    name: 'Lunch ☕',
    inviter: alice.accountId,
    inviterDevice: await suite.ed25519.publicKey(deviceSeed),
    invitee: bob.accountId,
    keyPackageHash: sha256(utf8('bob’s KeyPackage')),
    welcome,
    since: 3,
    sentAt: 1_765_000_000_000,
  };
});

/** Seals `value` to bob's inbox, signed with alice's device seed. */
function sealToBob(value: Invitation = invitation, label = 'seal'): Promise<Uint8Array> {
  return sealInvitation(
    suite,
    value,
    deviceSeed,
    bob.hpkePublicKey,
    inboxTopic(bob.accountId),
    unsafeSeededRandom(label),
  );
}

/** Opens as bob, in bob's inbox. */
function openAsBob(sealed: Uint8Array) {
  return openInvitation(
    suite,
    sealed,
    bob.secrets.hpkePrivateKey,
    inboxTopic(bob.accountId),
    bob.accountId,
  );
}

/** The outer `{ v, enc, ct }` map of a sealed invitation. */
function outerOf(sealed: Uint8Array): { v: unknown; enc: Uint8Array; ct: Uint8Array } {
  return decodeCanonical(sealed) as { v: unknown; enc: Uint8Array; ct: Uint8Array };
}

/** Seals `plaintext` the way sealInvitation does (info v2, inbox AAD), without signing. */
async function sealRaw(plaintext: Record<string, unknown>, v = 2): Promise<Uint8Array> {
  const sealed = await hpkeSeal({
    recipientPublicKey: bob.hpkePublicKey,
    info: utf8(`parley/invitation/v${String(v)}`),
    aad: inboxTopic(bob.accountId),
    plaintext: encodeCanonical(plaintext),
    random: unsafeSeededRandom('raw'),
  });
  return encodeCanonical({ v, enc: sealed.enc, ct: sealed.ciphertext });
}

/** The signed part as sealInvitation builds it, for forging variants. */
function signedPartOf(value: Invitation): Uint8Array {
  const { welcome, ...rest } = value;
  return encodeCanonical({ v: 2, ...rest, welcomeHash: sha256(welcome) });
}

describe('sealInvitation and openInvitation', () => {
  it('round-trips an invitation signed by the inviter’s device to the invitee', async () => {
    expect(await openAsBob(await sealToBob())).toEqual({ ok: true, value: invitation });
  });

  it('round-trips a pair invitation with an empty name and since = 0', async () => {
    const pair: Invitation = { ...invitation, kind: 'pair', name: '', since: 0 };
    expect(await openAsBob(await sealToBob(pair))).toEqual({ ok: true, value: pair });
  });

  it('shows the relay only { v: 2, enc, ct }, with a ciphertext that does not contain the Welcome', async () => {
    const outer = outerOf(await sealToBob());
    expect(Object.keys(outer).sort()).toEqual(['ct', 'enc', 'v']);
    expect(outer.v).toBe(2);
    expect(outer.enc).toHaveLength(32);
    const head = invitation.welcome.subarray(0, 16);
    const containsHead = outer.ct.some((_, i) => head.every((byte, j) => outer.ct[i + j] === byte));
    expect(containsHead).toBe(false);
  });

  it('draws a fresh encapsulated key from the random source, so two seals differ', async () => {
    const first = outerOf(await sealToBob(invitation, 'one'));
    const second = outerOf(await sealToBob(invitation, 'two'));
    expect(first.enc).not.toEqual(second.enc);
    expect(first.ct).not.toEqual(second.ct);
  });

  it('refuses to seal with a seed that is not the named inviter device’s', async () => {
    await expect(
      sealInvitation(
        suite,
        invitation,
        otherSeed,
        bob.hpkePublicKey,
        inboxTopic(bob.accountId),
        unsafeSeededRandom('x'),
      ),
    ).rejects.toThrow(RangeError);
  });
});

describe('openInvitation authentication', () => {
  it('refuses with bad-signature an invitation signed by a device other than the one it names', async () => {
    const signature = await signFor(suite, 'invitation', otherSeed, signedPartOf(invitation));
    const sealed = await sealRaw({ v: 2, ...invitation, signature });
    expect(await openAsBob(sealed)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('verifies a forger’s signature only for the forger’s own device, never under alice’s', async () => {
    // Mallory names herself as the device but claims alice as the inviter: the signature holds
    // for her device, and it is the invitee who finds that device is not alice's (client check).
    const forged: Invitation = {
      ...invitation,
      inviterDevice: await suite.ed25519.publicKey(otherSeed),
    };
    const sealed = await sealInvitation(
      suite,
      forged,
      otherSeed,
      bob.hpkePublicKey,
      inboxTopic(bob.accountId),
      unsafeSeededRandom('m'),
    );
    const opened = await openAsBob(sealed);
    expect(opened.ok && opened.value.inviterDevice).toEqual(forged.inviterDevice);
    // Swapping alice's device back in under mallory's signature does not verify.
    const signature = await signFor(suite, 'invitation', otherSeed, signedPartOf(forged));
    const swapped = await sealRaw({ v: 2, ...invitation, signature });
    expect(await openAsBob(swapped)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses with bad-signature when any signed field or the Welcome changed after signing', async () => {
    const signature = await signFor(suite, 'invitation', deviceSeed, signedPartOf(invitation));
    const flipped = (bytes: Uint8Array, at: number) => {
      const copy = Uint8Array.from(bytes);
      copy[at] = (copy[at] ?? 0) ^ 0x01;
      return copy;
    };
    const variants: Record<string, Partial<Invitation>> = {
      chat: { chat: newSharedTopic(unsafeSeededRandom('other chat')) },
      kind: { kind: 'pair' },
      name: { name: 'Dinner' },
      inviter: { inviter: carol.accountId },
      keyPackageHash: { keyPackageHash: flipped(invitation.keyPackageHash, 0) },
      welcome: { welcome: flipped(invitation.welcome, 400) },
      since: { since: 4 },
      sentAt: { sentAt: invitation.sentAt + 1 },
    };
    for (const [field, change] of Object.entries(variants)) {
      const sealed = await sealRaw({ v: 2, ...invitation, ...change, signature });
      expect(await openAsBob(sealed), field).toEqual({ ok: false, reason: 'bad-signature' });
    }
    for (const at of [0, 31, 63]) {
      const sealed = await sealRaw({ v: 2, ...invitation, signature: flipped(signature, at) });
      expect(await openAsBob(sealed), `signature byte ${at}`).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
  });

  it('refuses with wrong-invitee an invitation signed for another account', async () => {
    const forCarol: Invitation = { ...invitation, invitee: carol.accountId };
    expect(await openAsBob(await sealToBob(forCarol))).toEqual({
      ok: false,
      reason: 'wrong-invitee',
    });
  });

  it('refuses a v1 invitation (self-asserted inviter) as unauthenticated-version, unopened', async () => {
    const { inviterDevice: _d, invitee: _i, sentAt: _s, ...v1 } = invitation;
    const sealed = await sealRaw({ v: 1, ...v1 }, 1);
    expect(await openAsBob(sealed)).toEqual({ ok: false, reason: 'unauthenticated-version' });
  });
});

describe('openInvitation refusals', () => {
  it('fails with CORE_HPKE_OPEN_FAILED for another identity’s key or another inbox (the AAD)', async () => {
    const sealed = await sealToBob();
    expect(
      await rejectedCode(
        openInvitation(
          suite,
          sealed,
          carol.secrets.hpkePrivateKey,
          inboxTopic(bob.accountId),
          bob.accountId,
        ),
      ),
    ).toBe('CORE_HPKE_OPEN_FAILED');
    for (const inbox of [inboxTopic(carol.accountId), invitation.chat, new Uint8Array(0)]) {
      expect(
        await rejectedCode(
          openInvitation(suite, sealed, bob.secrets.hpkePrivateKey, inbox, bob.accountId),
        ),
      ).toBe('CORE_HPKE_OPEN_FAILED');
    }
  });

  it('fails with CORE_HPKE_OPEN_FAILED for a tampered ciphertext or encapsulated key', async () => {
    const outer = outerOf(await sealToBob());
    for (const at of [0, 100, outer.ct.length - 1]) {
      const ct = Uint8Array.from(outer.ct);
      ct[at] = (ct[at] ?? 0) ^ 0x80;
      expect(await rejectedCode(openAsBob(encodeCanonical({ ...outer, ct }))), `ct ${at}`).toBe(
        'CORE_HPKE_OPEN_FAILED',
      );
    }
    const enc = Uint8Array.from(outer.enc);
    enc[5] = (enc[5] ?? 0) ^ 0x01;
    expect(await rejectedCode(openAsBob(encodeCanonical({ ...outer, enc })))).toBe(
      'CORE_HPKE_OPEN_FAILED',
    );
  });

  it('refuses a sealed invitation of another outer version or shape before opening it', async () => {
    const outer = outerOf(await sealToBob());
    expect(await rejectedCode(openAsBob(encodeCanonical({ ...outer, v: 3 })))).toBe(
      'CORE_UNKNOWN_VERSION',
    );
    expect(
      await rejectedCode(openAsBob(encodeCanonical({ ...outer, enc: outer.enc.subarray(1) }))),
    ).toBe('CORE_SCHEMA_INVALID');
    expect(await rejectedCode(openAsBob(encodeCanonical({ v: 2, enc: outer.enc })))).toBe(
      'CORE_SCHEMA_INVALID',
    );
    expect(await rejectedCode(openAsBob(utf8('not cbor')))).toMatch(/^CORE_CBOR_/);
  });

  it('refuses a correctly sealed invitation of an unknown kind, a bad account, hash, since or a missing signature', async () => {
    const signature = await signFor(suite, 'invitation', deviceSeed, signedPartOf(invitation));
    const base = { v: 2, ...invitation, signature };
    const code = async (plaintext: Record<string, unknown>) =>
      rejectedCode(openAsBob(await sealRaw(plaintext)));
    expect(await code({ ...base, kind: 'broadcast' })).toBe('CORE_SCHEMA_INVALID');
    expect(await code({ ...base, inviter: 'alice' })).toBe('CORE_ACCOUNT_ID_INVALID');
    expect(await code({ ...base, invitee: 'bob' })).toBe('CORE_ACCOUNT_ID_INVALID');
    expect(await code({ ...base, keyPackageHash: new Uint8Array(31) })).toBe('CORE_SCHEMA_INVALID');
    expect(await code({ ...base, inviterDevice: new Uint8Array(31) })).toBe('CORE_SCHEMA_INVALID');
    for (const since of [-1, 1.5, '3']) {
      expect(await code({ ...base, since }), String(since)).toBe('CORE_SCHEMA_INVALID');
    }
    const { signature: _signature, ...unsigned } = base;
    expect(await code(unsigned)).toBe('CORE_SCHEMA_INVALID');
    expect(await code({ ...base, v: 3 })).toBe('CORE_UNKNOWN_VERSION');
  });
});
