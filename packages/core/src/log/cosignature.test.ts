/**
 * C2SP tlog-cosignature v1 (Ed25519, type 0x04): key ids, the signed message, verification beside
 * the log's own signature, and adding signature lines to a note.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../test/support/core-error.js';
import { concatBytes, utf8 } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { formatCheckpoint, signCheckpoint, verifyCheckpointSignature } from './checkpoint.js';
import {
  NOTE_COSIGNATURE_TYPE,
  addNoteSignatures,
  cosignCheckpoint,
  cosignatureKeyId,
  verifyCosignature,
} from './cosignature.js';
import { leafHash, rootOf } from './merkle.js';
import { MAX_NOTE_SIGNATURES, noteKeyId, openSignedNote } from './signed-note.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const logSeed = new Uint8Array(32).fill(1);
const witnessSeed = new Uint8Array(32).fill(9);
const otherSeed = new Uint8Array(32).fill(10);
const ORIGIN = 'relay.example.org/log';
const WITNESS = 'witness.example.com/w1';
const TIME = 1_679_315_147;
const body = formatCheckpoint({
  origin: ORIGIN,
  size: 3,
  rootHash: rootOf([leafHash(utf8('a')), leafHash(utf8('b')), leafHash(utf8('c'))]),
  extensions: [],
});
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => Uint8Array.from(Buffer.from(text, 'base64'));

/** The log-signed note with one cosignature by the witness key. */
async function cosigned(time = TIME): Promise<{ note: string; line: string; key: Uint8Array }> {
  const logNote = await signCheckpoint(suite, logSeed, ORIGIN, body);
  const line = await cosignCheckpoint(suite, witnessSeed, WITNESS, body, time);
  const key = await suite.ed25519.publicKey(witnessSeed);
  return { note: addNoteSignatures(logNote, [line]), line, key };
}

describe('cosignature key ids', () => {
  it('are SHA-256(name || 0x0A || 0x04 || key)[:4], unlike the 0x01 key id of the same key', async () => {
    const key = await suite.ed25519.publicKey(witnessSeed);
    expect(NOTE_COSIGNATURE_TYPE).toBe(0x04);
    const byHand = sha256(concatBytes(utf8(WITNESS), Uint8Array.from([0x0a, 0x04]), key));
    expect(cosignatureKeyId(WITNESS, key)).toEqual(byHand.slice(0, 4));
    expect(cosignatureKeyId(WITNESS, key)).not.toEqual(noteKeyId(WITNESS, key));
  });

  it('throw RangeError for an invalid name or a key that is not 32 bytes', () => {
    expect(() => cosignatureKeyId('has space', new Uint8Array(32))).toThrow(RangeError);
    expect(() => cosignatureKeyId('', new Uint8Array(32))).toThrow(RangeError);
    expect(() => cosignatureKeyId('w', new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('cosignCheckpoint and verifyCosignature', () => {
  it('writes one line: name, then base64 of key id || u64 big-endian time || Ed25519 signature', async () => {
    const { line, key } = await cosigned();
    expect(line).toMatch(new RegExp(`^— ${WITNESS} [A-Za-z0-9+/]+=*\\n$`));
    const payload = fromB64(line.slice(`— ${WITNESS} `.length, -1));
    expect(payload).toHaveLength(4 + 8 + 64);
    expect(payload.subarray(0, 4)).toEqual(cosignatureKeyId(WITNESS, key));
    expect(new DataView(payload.buffer).getBigUint64(4)).toBe(BigInt(TIME));
    // The signed message: "cosignature/v1\ntime <t>\n" then the whole body.
    const message = utf8(`cosignature/v1\ntime ${TIME}\n${body}`);
    expect(await suite.ed25519.verify(key, message, payload.subarray(12))).toBe(true);
  });

  it('verifies, returning the checkpoint and time, beside the log signature that still verifies', async () => {
    const { note, key } = await cosigned();
    const result = await verifyCosignature(suite, note, WITNESS, key);
    expect(result).toMatchObject({ ok: true, value: { time: TIME, checkpoint: { size: 3 } } });
    const logKey = await suite.ed25519.publicKey(logSeed);
    expect((await verifyCheckpointSignature(suite, note, ORIGIN, logKey)).ok).toBe(true);
    expect(openSignedNote(note).signatures.map((s) => s.keyName)).toEqual([ORIGIN, WITNESS]);
  });

  it('round-trips any time up to 2^53 - 1 (property)', async () => {
    const key = await suite.ed25519.publicKey(witnessSeed);
    await fc.assert(
      fc.asyncProperty(fc.maxSafeNat(), async (time) => {
        const line = await cosignCheckpoint(suite, witnessSeed, WITNESS, body, time);
        const result = await verifyCosignature(suite, `${body}\n${line}`, WITNESS, key);
        expect(result.ok && result.value.time).toBe(time);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a changed body, a changed time, another key, or a wrong-length line as bad-signature', async () => {
    const { line, key } = await cosigned();
    const payload = fromB64(line.slice(`— ${WITNESS} `.length, -1));
    const relabel = (bytes: Uint8Array) => `— ${WITNESS} ${b64(bytes)}\n`;
    const laterTime = Uint8Array.from(payload);
    laterTime[11] = (laterTime[11] ?? 0) ^ 1;
    const otherBody = body.replace('\n3\n', '\n4\n');
    const cases: [string, string][] = [
      ['changed body', `${otherBody}\n${line}`],
      ['changed time', `${body}\n${relabel(laterTime)}`],
      [
        'flipped signature',
        `${body}\n${relabel(Uint8Array.from(payload, (b, i) => (i === 40 ? b ^ 1 : b)))}`,
      ],
      ['short line', `${body}\n${relabel(payload.subarray(0, 75))}`],
      ['long line', `${body}\n${relabel(concatBytes(payload, new Uint8Array(1)))}`],
      ['no time', `${body}\n${relabel(concatBytes(payload.subarray(0, 4), payload.subarray(12)))}`],
      [
        'time beyond 2^53',
        `${body}\n${relabel(concatBytes(payload.subarray(0, 4), new Uint8Array(8).fill(0xff), payload.subarray(12)))}`,
      ],
    ];
    for (const [what, note] of cases) {
      expect(await verifyCosignature(suite, note, WITNESS, key), what).toMatchObject({
        ok: false,
        reason: 'bad-signature',
      });
    }
    // Another witness's real cosignature under this witness's key id: found, refused.
    const other = await cosignCheckpoint(suite, otherSeed, WITNESS, body, TIME);
    const forged = concatBytes(
      cosignatureKeyId(WITNESS, key),
      fromB64(other.slice(`— ${WITNESS} `.length, -1)).subarray(4),
    );
    expect(
      await verifyCosignature(suite, `${body}\n${relabel(forged)}`, WITNESS, key),
    ).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('finds no signature by key for another name, another key, or the log signature (type 0x01)', async () => {
    const { note, key } = await cosigned();
    const otherKey = await suite.ed25519.publicKey(otherSeed);
    const logKey = await suite.ed25519.publicKey(logSeed);
    for (const [name, publicKey] of [
      ['witness.example.com/w2', key],
      [WITNESS, otherKey],
      [ORIGIN, logKey],
    ] as const) {
      expect(await verifyCosignature(suite, note, name, publicKey)).toMatchObject({
        ok: false,
        reason: 'no-signature-by-key',
      });
    }
  });

  it('answers malformed-note for a note that is not one, malformed-checkpoint for a cosigned non-checkpoint', async () => {
    const key = await suite.ed25519.publicKey(witnessSeed);
    expect(await verifyCosignature(suite, body, WITNESS, key)).toMatchObject({
      ok: false,
      reason: 'malformed-note',
      detail: 'CORE_NOTE_MALFORMED',
    });
    // A valid cosignature over text that is no checkpoint, made by hand.
    const text = 'hello\n';
    const time = new Uint8Array(8);
    const signature = await suite.ed25519.sign(
      witnessSeed,
      utf8(`cosignature/v1\ntime 0\n${text}`),
    );
    const line = `— ${WITNESS} ${b64(concatBytes(cosignatureKeyId(WITNESS, key), time, signature))}\n`;
    expect(await verifyCosignature(suite, `${text}\n${line}`, WITNESS, key)).toMatchObject({
      ok: false,
      reason: 'malformed-checkpoint',
    });
  });

  it('throws RangeError when asked to cosign a non-checkpoint, with a bad name, or at a bad time', async () => {
    for (const [name, text, time] of [
      [WITNESS, 'hello\n', TIME],
      [WITNESS, body.slice(0, -1), TIME],
      ['bad name', body, TIME],
      [WITNESS, body, -1],
      [WITNESS, body, 1.5],
      [WITNESS, body, 2 ** 53],
    ] as const) {
      await expect(cosignCheckpoint(suite, witnessSeed, name, text, time)).rejects.toThrow(
        RangeError,
      );
    }
  });
});

describe('addNoteSignatures', () => {
  it('appends lines after the existing ones, with or without their newline, skipping repeats', async () => {
    const logNote = await signCheckpoint(suite, logSeed, ORIGIN, body);
    const a = await cosignCheckpoint(suite, witnessSeed, WITNESS, body, TIME);
    const b = await cosignCheckpoint(suite, otherSeed, 'w2', body, TIME);
    const logLine = logNote.slice(body.length + 1);
    const added = addNoteSignatures(logNote, [a, b.slice(0, -1), a, logLine]);
    expect(added).toBe(`${logNote}${a}${b}`);
    expect(addNoteSignatures(added, [a, b])).toBe(added);
    expect(addNoteSignatures(logNote, [])).toBe(logNote);
  });

  it('throws CORE_NOTE_MALFORMED for a non-note or a line that is not one signature line', async () => {
    const logNote = await signCheckpoint(suite, logSeed, ORIGIN, body);
    const a = await cosignCheckpoint(suite, witnessSeed, WITNESS, body, TIME);
    const cases: [string, readonly string[]][] = [
      [body, [a]],
      [logNote, ['hello']],
      [logNote, ['']],
      [logNote, [`- ${WITNESS} AAAAAAAA\n`]],
      [logNote, [`— ${WITNESS} AAAA\n`]], // only a key id
      [logNote, [`${a}${a}`]], // two lines as one
      [logNote, [`— bad+name ${a.split(' ')[2] ?? ''}`]],
    ];
    for (const [note, lines] of cases) {
      expect(thrownCode(() => addNoteSignatures(note, lines))).toBe('CORE_NOTE_MALFORMED');
    }
  });

  it('refuses to go past MAX_NOTE_SIGNATURES lines', async () => {
    const logNote = await signCheckpoint(suite, logSeed, ORIGIN, body);
    const lines = Array.from(
      { length: MAX_NOTE_SIGNATURES },
      (_, i) => `— w${i} ${b64(new Uint8Array(76).fill(i))}\n`,
    );
    expect(thrownCode(() => addNoteSignatures(logNote, lines))).toBe('CORE_NOTE_MALFORMED');
    expect(openSignedNote(addNoteSignatures(logNote, lines.slice(1))).signatures).toHaveLength(
      MAX_NOTE_SIGNATURES,
    );
  });
});
