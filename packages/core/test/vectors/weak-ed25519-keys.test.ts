/**
 * Weak Ed25519 keys at every core entry point (docs/spec/crypto.md §Ed25519 signatures): the 8
 * small-order points in canonical and the 6 non-canonical encodings, with the all-zero signature
 * and small-order R, refused by verify itself, by login, directory entries and device
 * certificates, checkpoints, cosignatures, relay receipts, MLS leaf signatures and the MLS
 * authentication service.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../../src/bytes.js';
import { checkEd25519PublicKey } from '../../src/crypto/ed25519.js';
import {
  isAcceptableEd25519Input,
  isStrictPointEncoding,
} from '../../src/crypto/ed25519-policy.js';
import { createCryptoSuite } from '../../src/crypto/suite.js';
import { encodeCanonical } from '../../src/encoding/canonical.js';
import { verifyDirectoryEntry } from '../../src/directory/directory-entry.js';
import { accountIdFromPublicKey } from '../../src/identity/account-id.js';
import { generateIdentity } from '../../src/identity/identity.js';
import { signFor, verifyFor } from '../../src/identity/signature.js';
import { formatCheckpoint, verifyCheckpointSignature } from '../../src/log/checkpoint.js';
import { cosignatureKeyId, verifyCosignature } from '../../src/log/cosignature.js';
import { verifyRelayReceipt } from '../../src/log/receipt.js';
import { noteKeyId, toBase64 } from '../../src/log/signed-note.js';
import { createAuthenticationService, memberCredential } from '../../src/mls/member-credential.js';
import { loadMlsCipherSuite } from '../../src/mls/mls-suite.js';
import { thrownCode } from '../support/core-error.js';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import {
  WEAK_ED25519_KEYS,
  WEAK_ED25519_SIGNATURES,
  WEAK_TRIES,
} from '@parley/test-support/weak-ed25519';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const messages = Array.from({ length: WEAK_TRIES }, (_, i) => utf8(`message ${i}`));
const zeroSignature = new Uint8Array(64);
const checkpointBody = formatCheckpoint({
  origin: 'relay.example/log',
  size: 1,
  rootHash: new Uint8Array(32),
  extensions: [],
});

describe('the policy refuses every weak encoding', () => {
  for (const weak of WEAK_ED25519_KEYS) {
    it(`${weak.title}: not a strict point, refused as a key and as R`, () => {
      expect(isStrictPointEncoding(weak.bytes)).toBe(false);
      expect(
        thrownCode(() => {
          checkEd25519PublicKey(weak.bytes);
        }),
      ).toBe(weak.canonical ? 'CORE_KEY_WEAK' : 'CORE_KEY_INVALID');
      const signature = concatBytes(weak.bytes, new Uint8Array(32));
      expect(isAcceptableEd25519Input(weak.bytes, signature)).toBe(false);
    });
  }

  it('accepts a real key and its signature', async () => {
    const seed = new Uint8Array(32).fill(7);
    const publicKey = await suite.ed25519.publicKey(seed);
    const signature = await suite.ed25519.sign(seed, messages[0] ?? new Uint8Array());
    expect(isStrictPointEncoding(publicKey)).toBe(true);
    expect(isAcceptableEd25519Input(publicKey, signature)).toBe(true);
  });
});

describe('suite.ed25519.verify refuses every weak key with every weak signature', () => {
  for (const key of WEAK_ED25519_KEYS) {
    it(`key ${key.title}: no signature of the table verifies on ${WEAK_TRIES} messages`, async () => {
      for (const signature of WEAK_ED25519_SIGNATURES) {
        for (const message of messages) {
          expect(await suite.ed25519.verify(key.bytes, message, signature.bytes)).toBe(false);
        }
      }
    });
  }

  it('refuses an R of small order beside a real key', async () => {
    const publicKey = await suite.ed25519.publicKey(new Uint8Array(32).fill(9));
    for (const signature of WEAK_ED25519_SIGNATURES) {
      expect(await suite.ed25519.verify(publicKey, messages[0] ?? utf8(''), signature.bytes)).toBe(
        false,
      );
    }
  });
});

describe('entry points refuse weak keys', () => {
  it('login: the all-zero key and signature never verify for a login statement', async () => {
    for (const key of WEAK_ED25519_KEYS) {
      for (const message of messages) {
        const verified = await verifyFor(suite, 'login', key.bytes, message, zeroSignature);
        expect(verified.ok, key.title).toBe(false);
      }
    }
  });

  it('directory entries: a weak identity key is refused as weak-key', async () => {
    for (const key of WEAK_ED25519_KEYS) {
      const bytes = encodeCanonical({
        v: 1,
        account: accountIdFromPublicKey(key.bytes),
        identityKey: key.bytes,
        devices: [],
        lastResort: new Uint8Array([1]),
        updatedAt: 1,
        signature: zeroSignature,
      });
      const verified = await verifyDirectoryEntry(suite, bytes);
      expect(verified.ok ? 'accepted' : verified.reason, key.title).toBe('weak-key');
    }
  });

  it('device certificates: a weak device key certified by a real identity is refused', async () => {
    const identity = await generateIdentity(suite, unsafeSeededRandom('weak-keys'));
    for (const key of WEAK_ED25519_KEYS) {
      const device = { deviceKey: key.bytes, hpkeKey: new Uint8Array(32).fill(3), createdAt: 1 };
      const certificate = await signFor(
        suite,
        'device-certificate',
        identity.secrets.signingSeed,
        encodeCanonical({ v: 1, account: identity.accountId, ...device }),
      );
      const unsigned = {
        v: 1,
        account: identity.accountId,
        identityKey: identity.signingPublicKey,
        devices: [{ ...device, signature: certificate }],
        lastResort: new Uint8Array([1]),
        updatedAt: 1,
      };
      const signature = await signFor(
        suite,
        'directory-entry',
        identity.secrets.signingSeed,
        encodeCanonical(unsigned),
      );
      const verified = await verifyDirectoryEntry(
        suite,
        encodeCanonical({ ...unsigned, signature }),
      );
      expect(verified.ok ? 'accepted' : verified.reason, key.title).toBe('weak-key');
    }
  });

  it('checkpoints: a log key of small order never signs a checkpoint', async () => {
    for (const key of WEAK_ED25519_KEYS) {
      for (const signature of WEAK_ED25519_SIGNATURES) {
        const line = toBase64(concatBytes(noteKeyId('log', key.bytes), signature.bytes));
        const note = `${checkpointBody}\n\u2014 log ${line}\n`;
        const verified = await verifyCheckpointSignature(suite, note, 'log', key.bytes);
        expect(verified.ok ? 'accepted' : verified.reason, key.title).toBe('bad-signature');
      }
    }
  });

  it('cosignatures: a witness key of small order never cosigns', async () => {
    for (const key of WEAK_ED25519_KEYS) {
      for (let time = 0; time < WEAK_TRIES; time++) {
        const stamp = new Uint8Array(8);
        new DataView(stamp.buffer).setBigUint64(0, BigInt(time));
        const payload = concatBytes(cosignatureKeyId('witness', key.bytes), stamp, zeroSignature);
        const note = `${checkpointBody}\n\u2014 witness ${toBase64(payload)}\n`;
        const verified = await verifyCosignature(suite, note, 'witness', key.bytes);
        expect(verified.ok ? 'accepted' : verified.reason, key.title).toBe('bad-signature');
      }
    }
  });

  it('relay receipts: a relay whose key is of small order never signs a receipt', async () => {
    for (const key of WEAK_ED25519_KEYS) {
      for (let seq = 0; seq < WEAK_TRIES; seq++) {
        const receipt = {
          relay: accountIdFromPublicKey(key.bytes),
          cid: 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
          topic: new Uint8Array(32),
          seq,
          receivedAt: 1,
          leafIndex: seq,
          mergeBy: 2,
        };
        expect(await verifyRelayReceipt(suite, key.bytes, receipt, zeroSignature)).toBe(false);
      }
    }
  });

  it('MLS: the ciphersuite never verifies a leaf signature by a weak key', async () => {
    const mls = await loadMlsCipherSuite();
    for (const key of WEAK_ED25519_KEYS) {
      for (const signature of WEAK_ED25519_SIGNATURES) {
        for (const message of messages) {
          expect(await mls.signature.verify(key.bytes, message, signature.bytes)).toBe(false);
        }
      }
    }
  });

  it('MLS: the authentication service refuses a weak leaf key even if the directory lists it', async () => {
    for (const key of WEAK_ED25519_KEYS) {
      const account = accountIdFromPublicKey(new Uint8Array(32).fill(5));
      const service = createAuthenticationService(() => Promise.resolve([key.bytes]));
      const credential = memberCredential({ account, device: key.bytes });
      expect(await service.validateCredential(credential, key.bytes), key.title).toBe(false);
    }
  });
});
