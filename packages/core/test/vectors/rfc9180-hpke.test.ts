/**
 * HPKE (RFC 9180) known answers for Parley's suite, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
 * AES-128-GCM (kem 0x0020, kdf 0x0001, aead 0x0001), in all four modes (§5): through the hpke-js
 * suite from `createHpkeSuite`, and for base mode through `hpkeSeal` / `hpkeOpen` as well.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { CipherSuite } from '@hpke/core';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { createHpkeSuite, hpkeOpen, hpkeSeal, HPKE_SUITE } from '../../src/crypto/hpke.js';
import { CoreError } from '../../src/errors.js';
import type { RandomSource } from '../../src/random.js';
import { sharedVectorUrl } from './wycheproof.js';

interface HpkeEncryption {
  readonly aad: string;
  readonly ct: string;
  readonly nonce: string;
  readonly pt: string;
}

interface HpkeExport {
  readonly exporter_context: string;
  readonly L: number;
  readonly exported_value: string;
}

/** One entry of the RFC 9180 test-vectors.json (fields of the auth and psk modes optional). */
interface HpkeEntry {
  readonly mode: number;
  readonly kem_id: number;
  readonly kdf_id: number;
  readonly aead_id: number;
  readonly info: string;
  readonly ikmR: string;
  readonly ikmE: string;
  readonly ikmS?: string;
  readonly skRm: string;
  readonly pkRm: string;
  readonly skEm: string;
  readonly pkEm: string;
  readonly skSm?: string;
  readonly pkSm?: string;
  readonly psk?: string;
  readonly psk_id?: string;
  readonly enc: string;
  readonly encryptions: readonly HpkeEncryption[];
  readonly exports: readonly HpkeExport[];
}

const MODE_NAMES = ['mode_base', 'mode_psk', 'mode_auth', 'mode_auth_psk'] as const;

const allEntries = JSON.parse(
  gunzipSync(readFileSync(sharedVectorUrl('hpke/vectors_rfc9180_5f503c5.json.gz'))).toString(
    'utf8',
  ),
) as readonly HpkeEntry[];
const entries = allEntries.filter(
  (entry) =>
    entry.kem_id === HPKE_SUITE.kemId &&
    entry.kdf_id === HPKE_SUITE.kdfId &&
    entry.aead_id === HPKE_SUITE.aeadId,
);
const cases = entries.map((entry) => ({
  entry,
  title: MODE_NAMES[entry.mode] ?? `mode ${entry.mode}`,
}));

/** Returns `value`, failing the test if the vectors lack something a mode needs. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the vectors lack ${what}`);
  return value;
}

/** The PSK parameters of psk and auth_psk modes, or nothing for the others. */
function pskParams(entry: HpkeEntry) {
  if (entry.mode !== 1 && entry.mode !== 3) return {};
  return {
    psk: {
      key: fromHex(required(entry.psk, 'psk')),
      id: fromHex(required(entry.psk_id, 'psk_id')),
    },
  };
}

/** The sender key pair of auth and auth_psk modes (derived from ikmS), or undefined. */
async function senderKeyPair(
  suite: CipherSuite,
  entry: HpkeEntry,
): Promise<CryptoKeyPair | undefined> {
  if (entry.mode !== 2 && entry.mode !== 3) return undefined;
  return suite.kem.deriveKeyPair(fromHex(required(entry.ikmS, 'ikmS')));
}

/** Sets up both contexts from the vector's ikm values, as RFC 9180 Appendix A derives them. */
async function setUpContexts(entry: HpkeEntry) {
  const suite = createHpkeSuite();
  const recipientKeys = await suite.kem.deriveKeyPair(fromHex(entry.ikmR));
  const senderKeys = await senderKeyPair(suite, entry);
  const info = fromHex(entry.info);
  const sender = await suite.createSenderContext({
    recipientPublicKey: recipientKeys.publicKey,
    info,
    ekm: fromHex(entry.ikmE),
    ...pskParams(entry),
    ...(senderKeys === undefined ? {} : { senderKey: senderKeys }),
  });
  const recipient = await suite.createRecipientContext({
    recipientKey: recipientKeys,
    enc: sender.enc,
    info,
    ...pskParams(entry),
    ...(senderKeys === undefined ? {} : { senderPublicKey: senderKeys.publicKey }),
  });
  return { sender, recipient };
}

describe(`RFC 9180 test vectors for DHKEM(X25519)/HKDF-SHA256/AES-128-GCM through hpke-js (${cases.length} entries)`, () => {
  it('finds one entry per mode (0..3) among the 128, each with 257 encryptions and 3 exports', () => {
    expect(allEntries).toHaveLength(128);
    expect(entries.map((entry) => entry.mode)).toEqual([0, 1, 2, 3]);
    expect(entries.map((entry) => entry.encryptions.length)).toEqual([257, 257, 257, 257]);
    expect(entries.map((entry) => entry.exports.length)).toEqual([3, 3, 3, 3]);
  });

  for (const { entry, title } of cases) {
    describe(title, () => {
      it('derives skRm/pkRm, skEm/pkEm (and skSm/pkSm) from the ikm values (§7.1.3)', async () => {
        const suite = createHpkeSuite();
        const pairs: [string, string, string][] = [[entry.ikmR, entry.skRm, entry.pkRm]];
        pairs.push([entry.ikmE, entry.skEm, entry.pkEm]);
        if (entry.mode === 2 || entry.mode === 3) {
          const ikmS = required(entry.ikmS, 'ikmS');
          pairs.push([ikmS, required(entry.skSm, 'skSm'), required(entry.pkSm, 'pkSm')]);
        }
        for (const [ikm, sk, pk] of pairs) {
          const keys = await suite.kem.deriveKeyPair(fromHex(ikm));
          expect(toHex(new Uint8Array(await suite.kem.serializePrivateKey(keys.privateKey)))).toBe(
            sk,
          );
          expect(toHex(new Uint8Array(await suite.kem.serializePublicKey(keys.publicKey)))).toBe(
            pk,
          );
        }
        expect(pairs).toHaveLength(entry.mode >= 2 ? 3 : 2);
      });

      it('encapsulates with ekm = ikmE to the vector enc', async () => {
        const { sender } = await setUpContexts(entry);
        expect(toHex(new Uint8Array(sender.enc))).toBe(entry.enc);
        expect(entry.enc).toBe(entry.pkEm);
      });

      it('seals every encryption, in sequence, to the vector ct, and the recipient opens each', async () => {
        const { sender, recipient } = await setUpContexts(entry);
        let ran = 0;
        for (const encryption of entry.encryptions) {
          const ct = await sender.seal(fromHex(encryption.pt), fromHex(encryption.aad));
          expect(toHex(new Uint8Array(ct)), `sequence ${ran}`).toBe(encryption.ct);
          const pt = await recipient.open(fromHex(encryption.ct), fromHex(encryption.aad));
          expect(toHex(new Uint8Array(pt)), `sequence ${ran}`).toBe(encryption.pt);
          ran += 1;
        }
        expect(ran).toBe(257);
      });

      it('exports every exporter value on both sides (§5.3)', async () => {
        const { sender, recipient } = await setUpContexts(entry);
        let ran = 0;
        for (const exported of entry.exports) {
          const context = fromHex(exported.exporter_context);
          const fromSender = await sender.export(context, exported.L);
          const fromRecipient = await recipient.export(context, exported.L);
          expect(toHex(new Uint8Array(fromSender)), `export ${ran}`).toBe(exported.exported_value);
          expect(toHex(new Uint8Array(fromRecipient)), `export ${ran}`).toBe(
            exported.exported_value,
          );
          ran += 1;
        }
        expect(ran).toBe(3);
      });
    });
  }
});

describe('RFC 9180 mode_base vector through hpkeSeal / hpkeOpen', () => {
  const entry = required(
    entries.find((candidate) => candidate.mode === 0),
    'a mode_base entry',
  );
  const first = required(entry.encryptions[0], 'encryptions[0]');
  const seal = (random: RandomSource) =>
    hpkeSeal({
      recipientPublicKey: fromHex(entry.pkRm),
      info: fromHex(entry.info),
      aad: fromHex(first.aad),
      plaintext: fromHex(first.pt),
      random,
    });

  it('seals with randomness ikmE to the vector enc and first ciphertext (sequence 0)', async () => {
    const requested: number[] = [];
    const sealed = await seal((length) => {
      requested.push(length);
      return fromHex(entry.ikmE);
    });
    expect(requested).toEqual([32]);
    expect(toHex(sealed.enc)).toBe(entry.enc);
    expect(toHex(sealed.ciphertext)).toBe(first.ct);
  });

  it('opens the vector ciphertext with skRm', async () => {
    const opened = await hpkeOpen({
      recipientPrivateKey: fromHex(entry.skRm),
      enc: fromHex(entry.enc),
      info: fromHex(entry.info),
      aad: fromHex(first.aad),
      ciphertext: fromHex(first.ct),
    });
    expect(toHex(opened)).toBe(first.pt);
  });

  it('refuses the ciphertext with a bit flipped (first byte, last body bit, tag): CORE_HPKE_OPEN_FAILED', async () => {
    const ciphertext = fromHex(first.ct);
    const bits = [0, 7, 8 * ciphertext.length - 129, 8 * ciphertext.length - 1];
    for (const bit of bits) {
      const flipped = ciphertext.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      const opening = hpkeOpen({
        recipientPrivateKey: fromHex(entry.skRm),
        enc: fromHex(entry.enc),
        info: fromHex(entry.info),
        aad: fromHex(first.aad),
        ciphertext: flipped,
      });
      await expect(opening, `bit ${bit}`).rejects.toBeInstanceOf(CoreError);
      await expect(opening, `bit ${bit}`).rejects.toHaveProperty('code', 'CORE_HPKE_OPEN_FAILED');
    }
  });
});
