import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../test/support/core-error.js';
import { concatBytes, toHex, utf8 } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import {
  MAX_CHECKPOINT_BYTES,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpointSignature,
  type Checkpoint,
} from './checkpoint.js';
import { emptyRoot, leafHash, rootOf } from './merkle.js';
import {
  MAX_SIGNED_NOTE_BYTES,
  noteKeyId,
  openSignedNote,
  verifyNoteSignature,
} from './signed-note.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const seedA = new Uint8Array(32).fill(1);
const seedB = new Uint8Array(32).fill(2);
const root = rootOf([leafHash(utf8('a')), leafHash(utf8('b')), leafHash(utf8('c'))]);
const checkpoint: Checkpoint = {
  origin: 'relay.example.org/log',
  size: 3,
  rootHash: root,
  extensions: [],
};
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('checkpoint text (C2SP tlog-checkpoint)', () => {
  it('formats origin, decimal size and base64 root, one per line', () => {
    expect(formatCheckpoint(checkpoint)).toBe(`relay.example.org/log\n3\n${b64(root)}\n`);
    // The example of docs/spec/log.md.
    expect(b64(root)).toBe('NmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=');
    expect(formatCheckpoint({ ...checkpoint, size: 0, rootHash: emptyRoot() })).toBe(
      'relay.example.org/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n',
    );
  });

  it('parses what it formats, extension lines included', () => {
    const line = fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((s) => !/[\p{Cc}\p{Cs}]/u.test(s));
    fc.assert(
      fc.property(
        line,
        fc.maxSafeNat(),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(line, { maxLength: 4 }),
        (origin, size, rootHash, extensions) => {
          const cp = { origin, size, rootHash, extensions };
          expect(parseCheckpoint(formatCheckpoint(cp))).toEqual(cp);
        },
      ),
    );
  });

  it('refuses each malformed checkpoint with its code', () => {
    const r = b64(root);
    const cases: [string, string][] = [
      ['CORE_CHECKPOINT_MALFORMED', `origin\n3\n${r}`], // no final newline
      ['CORE_CHECKPOINT_MALFORMED', 'origin\n3\n'], // no root line
      ['CORE_CHECKPOINT_MALFORMED', `\n3\n${r}\n`], // empty origin
      ['CORE_CHECKPOINT_MALFORMED', `origin\n3\n${r}\n\next\n`], // empty extension line
      ['CORE_CHECKPOINT_MALFORMED', `origin\r\n3\n${r}\n`], // CR
      ['CORE_CHECKPOINT_MALFORMED', `orig\tin\n3\n${r}\n`], // control character
      ['CORE_CHECKPOINT_SIZE_INVALID', `origin\n03\n${r}\n`], // leading zero
      ['CORE_CHECKPOINT_SIZE_INVALID', `origin\n+3\n${r}\n`],
      ['CORE_CHECKPOINT_SIZE_INVALID', `origin\n-1\n${r}\n`],
      ['CORE_CHECKPOINT_SIZE_INVALID', `origin\n3.0\n${r}\n`],
      ['CORE_CHECKPOINT_SIZE_INVALID', `origin\n 3\n${r}\n`],
      ['CORE_CHECKPOINT_SIZE_INVALID', `origin\n9007199254740992\n${r}\n`], // 2^53
      ['CORE_CHECKPOINT_ROOT_INVALID', `origin\n3\n${b64(root.slice(1))}\n`], // 31 bytes
      ['CORE_CHECKPOINT_ROOT_INVALID', `origin\n3\n${b64(concatBytes(root, root))}\n`],
      ['CORE_CHECKPOINT_ROOT_INVALID', `origin\n3\n${r.replace('=', '')}\n`], // no padding
      [
        'CORE_CHECKPOINT_ROOT_INVALID',
        `origin\n3\n${r.replaceAll('+', '-').replaceAll('/', '_')}\n`,
      ],
      ['CORE_CHECKPOINT_TOO_LARGE', `origin\n3\n${r}\n${'x'.repeat(MAX_CHECKPOINT_BYTES)}\n`],
    ];
    expect(r).toMatch(/[+/]/); // so that the base64url case differs from the real root
    for (const [code, text] of cases)
      expect([code, thrownCode(() => parseCheckpoint(text))]).toEqual([code, code]);
  });

  it('throws RangeError when asked to format an impossible checkpoint', () => {
    expect(() => formatCheckpoint({ ...checkpoint, origin: 'a\nb' })).toThrow(RangeError);
    expect(() => formatCheckpoint({ ...checkpoint, size: -1 })).toThrow(RangeError);
    expect(() => formatCheckpoint({ ...checkpoint, rootHash: root.slice(1) })).toThrow(RangeError);
    expect(() => formatCheckpoint({ ...checkpoint, extensions: [''] })).toThrow(RangeError);
  });
});

describe('signed checkpoints (C2SP signed-note, Ed25519)', () => {
  it('computes the key id as SHA-256(name || 0x0A || 0x01 || key)[:4]', async () => {
    const publicKey = await suite.ed25519.publicKey(seedA);
    const byHand = sha256(
      concatBytes(utf8('relay.example.org/log'), new Uint8Array([0x0a, 0x01]), publicKey),
    ).slice(0, 4);
    expect(noteKeyId('relay.example.org/log', publicKey)).toEqual(byHand);
  });

  it('matches the PeterNeumann example of golang.org/x/mod/sumdb/note (key id c74f20a3)', async () => {
    // Verifier key PeterNeumann+c74f20a3+ARpc2…: type byte 0x01 then the 32-byte Ed25519 key.
    const vkey = Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64');
    const publicKey = Uint8Array.from(vkey.subarray(1));
    expect(toHex(noteKeyId('PeterNeumann', publicKey))).toBe('c74f20a3');
    const note =
      'If you think cryptography is the answer to your problem,\n' +
      "then you don't know what your problem is.\n" +
      '\n' +
      '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
    const result = await verifyNoteSignature(suite, note, 'PeterNeumann', publicKey);
    expect(result.ok).toBe(true);
    expect(openSignedNote(note).signatures[0]?.keyId).toEqual(
      Uint8Array.from([0xc7, 0x4f, 0x20, 0xa3]),
    );
  });

  it('signs the body bytes and verifies, returning the parsed checkpoint', async () => {
    const body = formatCheckpoint(checkpoint);
    const note = await signCheckpoint(suite, seedA, 'relay.example.org/log', body);
    expect(note.startsWith(`${body}\n— relay.example.org/log `)).toBe(true);
    const opened = openSignedNote(note);
    expect(opened.body).toBe(body);
    expect(opened.signatures).toHaveLength(1);
    const sig = opened.signatures[0]?.signature ?? new Uint8Array(0);
    const publicKey = await suite.ed25519.publicKey(seedA);
    expect(await suite.ed25519.verify(publicKey, utf8(body), sig)).toBe(true);
    const result = await verifyCheckpointSignature(suite, note, 'relay.example.org/log', publicKey);
    expect(result).toEqual({ ok: true, value: checkpoint });
    // The same note as bytes verifies too.
    expect(
      (await verifyCheckpointSignature(suite, utf8(note), 'relay.example.org/log', publicKey)).ok,
    ).toBe(true);
  });

  it('rejects a signature by another key and a changed body', async () => {
    const name = 'relay.example.org/log';
    const body = formatCheckpoint(checkpoint);
    const keyA = await suite.ed25519.publicKey(seedA);
    const byB = await signCheckpoint(suite, seedB, name, body);
    expect(await verifyCheckpointSignature(suite, byB, name, keyA)).toMatchObject({
      ok: false,
      reason: 'no-signature-by-key',
    });
    // B's signature relabelled with A's key id: found, and refused.
    const line = openSignedNote(byB).signatures[0];
    const forged = `${body}\n— ${name} ${b64(concatBytes(noteKeyId(name, keyA), line?.signature ?? new Uint8Array(64)))}\n`;
    expect(await verifyCheckpointSignature(suite, forged, name, keyA)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    const byA = await signCheckpoint(suite, seedA, name, body);
    const changed = byA.replace('\n3\n', '\n4\n');
    expect(await verifyCheckpointSignature(suite, changed, name, keyA)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(await verifyCheckpointSignature(suite, byA, 'other.example/log', keyA)).toMatchObject({
      ok: false,
      reason: 'no-signature-by-key',
    });
    // A valid signature over a body that is not a checkpoint.
    const notCheckpoint = await signCheckpoint(suite, seedA, name, 'hello\n');
    expect(await verifyCheckpointSignature(suite, notCheckpoint, name, keyA)).toEqual({
      ok: false,
      reason: 'malformed-checkpoint',
      detail: 'CORE_CHECKPOINT_MALFORMED',
    });
  });

  it('ignores lines of unknown keys and keeps them when opening (room for cosignatures)', async () => {
    const name = 'relay.example.org/log';
    const body = formatCheckpoint(checkpoint);
    const byA = await signCheckpoint(suite, seedA, name, body);
    const cosigned = `${byA}— witness.example ${b64(new Uint8Array(4 + 72).fill(4))}\n`;
    expect(openSignedNote(cosigned).signatures.map((s) => s.keyName)).toEqual([
      name,
      'witness.example',
    ]);
    const keyA = await suite.ed25519.publicKey(seedA);
    expect((await verifyCheckpointSignature(suite, cosigned, name, keyA)).ok).toBe(true);
  });

  it('refuses each malformed signed note with its code, and verification says malformed-note', async () => {
    const body = formatCheckpoint(checkpoint);
    const sig = b64(new Uint8Array(68).fill(7));
    const cases: [string, string | Uint8Array][] = [
      ['CORE_NOTE_MALFORMED', `${body}— k ${sig}\n`], // no blank line
      ['CORE_NOTE_MALFORMED', `${body}\n`], // no signature
      ['CORE_NOTE_MALFORMED', `${body}\n— k ${sig}`], // no final newline
      ['CORE_NOTE_MALFORMED', `${body}\n- k ${sig}\n`], // hyphen, not em dash
      ['CORE_NOTE_MALFORMED', `${body}\n— k+1 ${sig}\n`], // '+' in the key name
      ['CORE_NOTE_MALFORMED', `${body}\n— k  ${sig}\n`], // two spaces
      ['CORE_NOTE_MALFORMED', `${body}\n— k ${sig.replace('=', '')}\n`], // bad base64
      ['CORE_NOTE_MALFORMED', `${body}\n— k ${b64(new Uint8Array(4))}\n`], // only a key id
      ['CORE_NOTE_MALFORMED', `${body.replace('\n3', '\r3')}\n— k ${sig}\n`],
      ['CORE_NOTE_MALFORMED', `${body}\n${`— k ${sig}\n`.repeat(101)}`],
      [
        'CORE_NOTE_MALFORMED',
        concatBytes(utf8(body), new Uint8Array([0xff]), utf8(`\n\n— k ${sig}\n`)),
      ],
      ['CORE_NOTE_MALFORMED', `${body}\ud800\n\n— k ${sig}\n`], // lone surrogate
      ['CORE_NOTE_TOO_LARGE', `${body}\n${'x'.repeat(MAX_SIGNED_NOTE_BYTES)}\n`],
    ];
    const key = await suite.ed25519.publicKey(seedA);
    for (const [code, note] of cases) {
      expect([code, thrownCode(() => openSignedNote(note))]).toEqual([code, code]);
      expect(await verifyCheckpointSignature(suite, note, 'k', key)).toMatchObject({
        ok: false,
        reason: 'malformed-note',
        detail: code,
      });
    }
  });

  it('throws RangeError for an invalid key name when signing or computing a key id', async () => {
    const body = formatCheckpoint(checkpoint);
    await expect(signCheckpoint(suite, seedA, 'has space', body)).rejects.toThrow(RangeError);
    await expect(signCheckpoint(suite, seedA, 'k', 'no newline')).rejects.toThrow(RangeError);
    expect(() => noteKeyId('', new Uint8Array(32))).toThrow(RangeError);
    expect(() => noteKeyId('k', new Uint8Array(31))).toThrow(RangeError);
  });
});
