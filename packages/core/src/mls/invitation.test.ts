/**
 * Invitations (docs/spec/chats.md §Invitations): sealed with HPKE to the invitee's identity key,
 * bound to the inbox topic as AAD; only that key, for that inbox, opens them unchanged.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import { hpkeSeal } from '../crypto/hpke.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { inboxTopic, newSharedTopic } from '../envelope/inbox.js';
import { generateIdentity, type Identity } from '../identity/identity.js';
import { rejectedCode } from '../../test/support/core-error.js';
import { unsafeSeededRandom } from '../../test/support/seeded-random.js';
import { openInvitation, sealInvitation, type Invitation } from './invitation.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);

let alice: Identity;
let bob: Identity;
let carol: Identity;
let invitation: Invitation;
beforeAll(async () => {
  alice = await generateIdentity(suite, unsafeSeededRandom('invitation alice'));
  bob = await generateIdentity(suite, unsafeSeededRandom('invitation bob'));
  carol = await generateIdentity(suite, unsafeSeededRandom('invitation carol'));
  const welcome = unsafeSeededRandom('invitation welcome')(790);
  invitation = {
    chat: newSharedTopic(unsafeSeededRandom('invitation chat')),
    kind: 'group',
    name: 'Lunch ☕',
    inviter: alice.accountId,
    keyPackageHash: sha256(utf8('bob’s KeyPackage')),
    welcome,
    since: 3,
  };
});

/** Seals the invitation to bob's inbox with fresh seeded randomness. */
function sealToBob(label = 'seal'): Promise<Uint8Array> {
  return sealInvitation(
    invitation,
    bob.hpkePublicKey,
    inboxTopic(bob.accountId),
    unsafeSeededRandom(label),
  );
}

/** The outer `{ v, enc, ct }` map of a sealed invitation. */
function outerOf(sealed: Uint8Array): { v: unknown; enc: Uint8Array; ct: Uint8Array } {
  return decodeCanonical(sealed) as { v: unknown; enc: Uint8Array; ct: Uint8Array };
}

describe('sealInvitation and openInvitation', () => {
  it('round-trips an invitation to the invitee’s HPKE key and inbox', async () => {
    const sealed = await sealToBob();
    const opened = await openInvitation(
      sealed,
      bob.secrets.hpkePrivateKey,
      inboxTopic(bob.accountId),
    );
    expect(opened).toEqual(invitation);
  });

  it('round-trips a pair invitation with an empty name and since = 0', async () => {
    const pair: Invitation = { ...invitation, kind: 'pair', name: '', since: 0 };
    const inbox = inboxTopic(bob.accountId);
    const sealed = await sealInvitation(pair, bob.hpkePublicKey, inbox, unsafeSeededRandom('p'));
    expect(await openInvitation(sealed, bob.secrets.hpkePrivateKey, inbox)).toEqual(pair);
  });

  it('shows the relay only { v: 1, enc, ct }, with a ciphertext that does not contain the Welcome', async () => {
    const sealed = await sealToBob();
    const outer = outerOf(sealed);
    expect(Object.keys(outer).sort()).toEqual(['ct', 'enc', 'v']);
    expect(outer.v).toBe(1);
    expect(outer.enc).toHaveLength(32);
    const head = invitation.welcome.subarray(0, 16);
    const containsHead = outer.ct.some((_, i) => head.every((byte, j) => outer.ct[i + j] === byte));
    expect(containsHead).toBe(false);
  });

  it('draws a fresh encapsulated key from the random source, so two seals differ', async () => {
    const first = outerOf(await sealToBob('one'));
    const second = outerOf(await sealToBob('two'));
    expect(first.enc).not.toEqual(second.enc);
    expect(first.ct).not.toEqual(second.ct);
  });
});

describe('openInvitation refusals', () => {
  it('fails with CORE_HPKE_OPEN_FAILED for another identity’s key', async () => {
    const sealed = await sealToBob();
    expect(
      await rejectedCode(
        openInvitation(sealed, carol.secrets.hpkePrivateKey, inboxTopic(bob.accountId)),
      ),
    ).toBe('CORE_HPKE_OPEN_FAILED');
  });

  it('fails with CORE_HPKE_OPEN_FAILED when opened for another inbox (the AAD)', async () => {
    const sealed = await sealToBob();
    for (const inbox of [inboxTopic(carol.accountId), invitation.chat, new Uint8Array(0)]) {
      expect(await rejectedCode(openInvitation(sealed, bob.secrets.hpkePrivateKey, inbox))).toBe(
        'CORE_HPKE_OPEN_FAILED',
      );
    }
  });

  it('fails with CORE_HPKE_OPEN_FAILED for a tampered ciphertext or encapsulated key', async () => {
    const outer = outerOf(await sealToBob());
    const inbox = inboxTopic(bob.accountId);
    for (const at of [0, 100, outer.ct.length - 1]) {
      const ct = Uint8Array.from(outer.ct);
      ct[at] = (ct[at] ?? 0) ^ 0x80;
      const tampered = encodeCanonical({ ...outer, ct });
      expect(
        await rejectedCode(openInvitation(tampered, bob.secrets.hpkePrivateKey, inbox)),
        `ct byte ${at}`,
      ).toBe('CORE_HPKE_OPEN_FAILED');
    }
    const truncated = encodeCanonical({ ...outer, ct: outer.ct.subarray(0, -1) });
    expect(await rejectedCode(openInvitation(truncated, bob.secrets.hpkePrivateKey, inbox))).toBe(
      'CORE_HPKE_OPEN_FAILED',
    );
    const enc = Uint8Array.from(outer.enc);
    enc[5] = (enc[5] ?? 0) ^ 0x01;
    expect(
      await rejectedCode(
        openInvitation(encodeCanonical({ ...outer, enc }), bob.secrets.hpkePrivateKey, inbox),
      ),
    ).toBe('CORE_HPKE_OPEN_FAILED');
  });

  it('refuses a sealed invitation of another outer version or shape before opening it', async () => {
    const outer = outerOf(await sealToBob());
    const inbox = inboxTopic(bob.accountId);
    const key = bob.secrets.hpkePrivateKey;
    expect(
      await rejectedCode(openInvitation(encodeCanonical({ ...outer, v: 2 }), key, inbox)),
    ).toBe('CORE_UNKNOWN_VERSION');
    expect(
      await rejectedCode(
        openInvitation(encodeCanonical({ ...outer, enc: outer.enc.subarray(1) }), key, inbox),
      ),
    ).toBe('CORE_SCHEMA_INVALID');
    expect(
      await rejectedCode(openInvitation(encodeCanonical({ v: 1, enc: outer.enc }), key, inbox)),
    ).toBe('CORE_SCHEMA_INVALID');
    expect(await rejectedCode(openInvitation(utf8('not cbor'), key, inbox))).toMatch(/^CORE_CBOR_/);
  });

  /** Seals `plaintext` the way sealInvitation does, to test what openInvitation does with it. */
  async function sealRaw(plaintext: Record<string, unknown>): Promise<Uint8Array> {
    const sealed = await hpkeSeal({
      recipientPublicKey: bob.hpkePublicKey,
      info: utf8('parley/invitation/v1'),
      aad: inboxTopic(bob.accountId),
      plaintext: encodeCanonical(plaintext),
      random: unsafeSeededRandom('raw'),
    });
    return encodeCanonical({ v: 1, enc: sealed.enc, ct: sealed.ciphertext });
  }

  it('refuses a correctly sealed invitation of an unknown kind, a bad inviter, hash or since', async () => {
    const inbox = inboxTopic(bob.accountId);
    const key = bob.secrets.hpkePrivateKey;
    const kind = await sealRaw({ v: 1, ...invitation, kind: 'broadcast' });
    expect(await rejectedCode(openInvitation(kind, key, inbox))).toBe('CORE_SCHEMA_INVALID');
    const inviter = await sealRaw({ v: 1, ...invitation, inviter: 'alice' });
    expect(await rejectedCode(openInvitation(inviter, key, inbox))).toBe('CORE_ACCOUNT_ID_INVALID');
    const shortHash = await sealRaw({ v: 1, ...invitation, keyPackageHash: new Uint8Array(31) });
    expect(await rejectedCode(openInvitation(shortHash, key, inbox))).toBe('CORE_SCHEMA_INVALID');
    for (const since of [-1, 1.5, '3']) {
      const badSince = await sealRaw({ v: 1, ...invitation, since });
      expect(await rejectedCode(openInvitation(badSince, key, inbox)), String(since)).toBe(
        'CORE_SCHEMA_INVALID',
      );
    }
    const { since: _since, ...withoutSince } = invitation;
    const noSince = await sealRaw({ v: 1, ...withoutSince });
    expect(await rejectedCode(openInvitation(noSince, key, inbox))).toBe('CORE_SCHEMA_INVALID');
  });

  it('refuses a correctly sealed invitation whose inner version is not 1', async () => {
    const sealed = await sealRaw({ v: 2, ...invitation });
    expect(
      await rejectedCode(
        openInvitation(sealed, bob.secrets.hpkePrivateKey, inboxTopic(bob.accountId)),
      ),
    ).toBe('CORE_UNKNOWN_VERSION');
  });
});
