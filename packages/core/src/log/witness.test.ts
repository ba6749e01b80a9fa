/**
 * C2SP tlog-witness add-checkpoint: the request text (format and strict parse) and the witness's
 * decision, one test per answer of the spec (404, 403, 400, 409, 422, 200).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../test/support/core-error.js';
import { utf8 } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { formatCheckpoint, signCheckpoint } from './checkpoint.js';
import { MerkleTree } from './merkle-tree.js';
import { leafHash } from './merkle.js';
import {
  MAX_ADD_CHECKPOINT_BYTES,
  MAX_WITNESS_PROOF_HASHES,
  decideAddCheckpoint,
  formatAddCheckpoint,
  parseAddCheckpoint,
  type AddCheckpointRequest,
} from './witness.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const logSeed = new Uint8Array(32).fill(1);
const ORIGIN = 'relay.example.org/log';
const tree = new MerkleTree(Array.from({ length: 40 }, (_, i) => leafHash(utf8(`leaf ${i}`))));
const forked = new MerkleTree(
  Array.from({ length: 40 }, (_, i) => leafHash(utf8(i === 5 ? 'forged' : `leaf ${i}`))),
);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The log's signed checkpoint of the first `size` leaves of `of`. */
function note(size: number, of = tree, seed = logSeed, origin = ORIGIN): Promise<string> {
  const body = formatCheckpoint({ origin, size, rootHash: of.root(size), extensions: [] });
  return signCheckpoint(suite, seed, origin, body);
}

const log = async () => ({ origin: ORIGIN, publicKey: await suite.ed25519.publicKey(logSeed) });
const last = (size: number, of = tree) => ({ size, rootHash: of.root(size) });

describe('formatAddCheckpoint and parseAddCheckpoint', () => {
  it('writes "old N", one base64 proof line each, an empty line, then the note', async () => {
    const signed = await note(20);
    const proof = tree.consistencyProof(15, 20);
    const text = formatAddCheckpoint({ oldSize: 15, proof, note: signed });
    expect(text).toBe(`old 15\n${proof.map((p) => `${b64(p)}\n`).join('')}\n${signed}`);
    expect(parseAddCheckpoint(text)).toEqual({ oldSize: 15, proof, note: signed });
    expect(formatAddCheckpoint({ oldSize: 0, proof: [], note: signed })).toBe(`old 0\n\n${signed}`);
  });

  it('parses what it formats (property)', async () => {
    const signed = await note(40);
    fc.assert(
      fc.property(
        fc.maxSafeNat(),
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
          maxLength: MAX_WITNESS_PROOF_HASHES,
        }),
        (oldSize, proof) => {
          const request = { oldSize, proof, note: signed };
          expect(parseAddCheckpoint(formatAddCheckpoint(request))).toEqual(request);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses each malformed request with CORE_WITNESS_REQUEST_MALFORMED', async () => {
    const signed = await note(20);
    const p = b64(tree.consistencyProof(15, 20)[0] ?? new Uint8Array(32));
    const cases = [
      '',
      'old 15',
      `old 15\n${p}\n`, // no empty line
      `old 15\n${p}\n${signed}`, // no empty line before the note
      `old 015\n\n${signed}`,
      `old -1\n\n${signed}`,
      `old +1\n\n${signed}`,
      `old 9007199254740992\n\n${signed}`,
      `Old 1\n\n${signed}`,
      `old  1\n\n${signed}`,
      `old 1 \n\n${signed}`,
      `old 1\r\n\n${signed}`,
      `old 15\n${p.replace('=', '')}\n\n${signed}`, // unpadded
      `old 15\n${b64(new Uint8Array(31))}\n\n${signed}`,
      `old 15\n${b64(new Uint8Array(33))}\n\n${signed}`,
      `old 15\n${p}x\n\n${signed}`,
      `old 15\n${`${p}\n`.repeat(MAX_WITNESS_PROOF_HASHES + 1)}\n${signed}`,
      `old 15\n\n`, // no note
      `old 15\n\n${signed.slice(0, -1)}`, // note without its final newline
      `old 15\n\n${formatCheckpoint({ origin: ORIGIN, size: 1, rootHash: tree.root(1), extensions: [] })}`, // unsigned
      `old 15\n\n${signed}${'x'.repeat(MAX_ADD_CHECKPOINT_BYTES)}`,
    ];
    for (const text of cases) {
      expect([text, thrownCode(() => parseAddCheckpoint(text))]).toEqual([
        text,
        'CORE_WITNESS_REQUEST_MALFORMED',
      ]);
    }
  });

  it('throws RangeError when asked to format an impossible request', async () => {
    const signed = await note(20);
    const bad: AddCheckpointRequest[] = [
      { oldSize: -1, proof: [], note: signed },
      { oldSize: 1.5, proof: [], note: signed },
      { oldSize: 1, proof: [new Uint8Array(31)], note: signed },
      { oldSize: 1, proof: Array.from({ length: 64 }, () => new Uint8Array(32)), note: signed },
      { oldSize: 1, proof: [], note: signed.slice(0, -1) },
    ];
    for (const request of bad) expect(() => formatAddCheckpoint(request)).toThrow(RangeError);
  });
});

describe('decideAddCheckpoint', () => {
  it('accepts a first checkpoint at old size 0 with no proof (nothing cosigned yet)', async () => {
    const decision = await decideAddCheckpoint(
      suite,
      { oldSize: 0, proof: [], note: await note(20) },
      await log(),
      undefined,
    );
    expect(decision).toMatchObject({ ok: true, checkpoint: { origin: ORIGIN, size: 20 } });
  });

  it('accepts a consistent extension of the last cosigned checkpoint, and a repeat of it', async () => {
    for (const [from, to] of [
      [15, 20],
      [1, 40],
      [20, 20],
      [32, 33],
    ] as const) {
      const request = {
        oldSize: from,
        proof: tree.consistencyProof(from, to),
        note: await note(to),
      };
      const decision = await decideAddCheckpoint(suite, request, await log(), last(from));
      expect(decision, `${from} → ${to}`).toMatchObject({ ok: true, checkpoint: { size: to } });
    }
  });

  it('answers unknown-log for a checkpoint of another origin, even validly signed by it', async () => {
    const request = {
      oldSize: 0,
      proof: [],
      note: await note(3, tree, logSeed, 'other.example/log'),
    };
    expect(await decideAddCheckpoint(suite, request, await log(), undefined)).toEqual({
      ok: false,
      reason: 'unknown-log',
    });
  });

  it('answers bad-signature for a checkpoint not signed by the log key', async () => {
    const request = {
      oldSize: 0,
      proof: [],
      note: await note(3, tree, new Uint8Array(32).fill(7)),
    };
    expect(await decideAddCheckpoint(suite, request, await log(), undefined)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const signed = await note(3);
    const tampered = { ...request, note: signed.replace('\n3\n', '\n4\n') };
    expect(await decideAddCheckpoint(suite, tampered, await log(), undefined)).toMatchObject({
      reason: 'bad-signature',
    });
  });

  it('answers malformed for an old size above the new size or a note that is not a checkpoint', async () => {
    const above = { oldSize: 21, proof: [], note: await note(20) };
    expect(await decideAddCheckpoint(suite, above, await log(), last(21))).toEqual({
      ok: false,
      reason: 'malformed',
    });
    const notCheckpoint = await signCheckpoint(suite, logSeed, ORIGIN, 'hello\n');
    const request = { oldSize: 0, proof: [], note: notCheckpoint };
    expect(await decideAddCheckpoint(suite, request, await log(), undefined)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('answers conflict with the size it holds when the old size is not that size', async () => {
    const cases = [
      [0, last(15)],
      [10, last(15)],
      [15, undefined],
    ] as const;
    for (const [oldSize, held] of cases) {
      const request = {
        oldSize,
        proof: oldSize === 0 ? [] : tree.consistencyProof(oldSize, 20),
        note: await note(20),
      };
      expect(await decideAddCheckpoint(suite, request, await log(), held)).toEqual({
        ok: false,
        reason: 'conflict',
        size: held?.size ?? 0,
      });
    }
  });

  it('answers conflict for the same size with another root (a fork at equal size)', async () => {
    const request = { oldSize: 20, proof: [], note: await note(20, forked) };
    expect(await decideAddCheckpoint(suite, request, await log(), last(20))).toEqual({
      ok: false,
      reason: 'conflict',
      size: 20,
    });
  });

  it('answers bad-proof for an inconsistent new tree, a tampered, truncated or extra proof', async () => {
    const proof = tree.consistencyProof(15, 20);
    const flipped = proof.map((hash, i) =>
      i === 0 ? Uint8Array.from(hash, (b, j) => (j === 0 ? b ^ 1 : b)) : hash,
    );
    const cases: [string, AddCheckpointRequest, number][] = [
      [
        'forked log',
        { oldSize: 15, proof: forked.consistencyProof(15, 20), note: await note(20, forked) },
        15,
      ],
      ['flipped hash', { oldSize: 15, proof: flipped, note: await note(20) }, 15],
      ['truncated', { oldSize: 15, proof: proof.slice(1), note: await note(20) }, 15],
      [
        'extra hash',
        { oldSize: 15, proof: [...proof, proof[0] ?? new Uint8Array(32)], note: await note(20) },
        15,
      ],
      [
        '31-byte hash',
        { oldSize: 15, proof: [new Uint8Array(31), ...proof.slice(1)], note: await note(20) },
        15,
      ],
      ['proof at equal sizes', { oldSize: 20, proof, note: await note(20) }, 20],
    ];
    for (const [what, request, held] of cases) {
      expect(await decideAddCheckpoint(suite, request, await log(), last(held)), what).toEqual({
        ok: false,
        reason: 'bad-proof',
      });
    }
    const first = { oldSize: 0, proof: [proof[0] ?? new Uint8Array(32)], note: await note(20) };
    expect(await decideAddCheckpoint(suite, first, await log(), undefined)).toEqual({
      ok: false,
      reason: 'bad-proof',
    });
  });
});
