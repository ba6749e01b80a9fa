/**
 * Asks witnesses to cosign a checkpoint (C2SP tlog-witness `add-checkpoint`): one request per
 * witness, in parallel, from the size it last cosigned, retried once from the size a 409 names.
 * A witness that fails or times out is reported, never fatal: the checkpoint goes out without it.
 */
import {
  addNoteSignatures,
  formatAddCheckpoint,
  verifyCosignature,
  type CryptoSuite,
} from '@parley/core';
import type { WitnessConfig } from '../config/config.js';

/** What `requestCosignatures` needs. */
export interface CosignRequest {
  readonly suite: CryptoSuite;
  readonly fetch: typeof fetch;
  readonly witnesses: readonly WitnessConfig[];
  /** The size each witness (by name) last cosigned for this log; absent: 0. */
  readonly sizes: ReadonlyMap<string, number>;
  /** The signed checkpoint to cosign. */
  readonly note: string;
  readonly size: number;
  /** Consistency proof from an older size to `size` (0 < from ≤ size). */
  readonly proof: (from: number) => Promise<Uint8Array[]>;
  /** The whole exchange with one witness, both tries, ends within this many ms. */
  readonly timeoutMs: number;
  readonly onFailure: (witness: string, reason: string) => void;
}

/** The verified cosignature lines and each witness's new size (only for those that cosigned). */
export interface Cosignatures {
  readonly lines: string[];
  readonly sizes: Map<string, number>;
}

/** Collects cosignatures from every configured witness; never throws for a witness's failure. */
export async function requestCosignatures(request: CosignRequest): Promise<Cosignatures> {
  const results = await Promise.all(
    request.witnesses.map(async (witness) => {
      try {
        return { witness, lines: await cosignOnce(request, witness) };
      } catch (error) {
        request.onFailure(witness.name, error instanceof Error ? error.message : String(error));
        return { witness, lines: [] };
      }
    }),
  );
  const lines: string[] = [];
  const sizes = new Map<string, number>();
  for (const result of results) {
    if (result.lines.length === 0) continue;
    lines.push(...result.lines);
    sizes.set(result.witness.name, request.size);
  }
  return { lines, sizes };
}

const SIZE_BODY = /^(0|[1-9][0-9]{0,15})\n?$/;

async function cosignOnce(request: CosignRequest, witness: WitnessConfig): Promise<string[]> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  let oldSize = request.sizes.get(witness.name) ?? 0;
  for (let attempt = 0; ; attempt++) {
    if (oldSize > request.size) {
      throw new Error(`the witness holds size ${oldSize}, beyond this checkpoint's`);
    }
    const proof = oldSize === 0 ? [] : await request.proof(oldSize);
    const response = await request.fetch(`${witness.url}/v1/witness/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: formatAddCheckpoint({ oldSize, proof, note: request.note }),
      signal,
    });
    const text = await response.text();
    if (response.status === 409 && attempt === 0) {
      // C2SP: the body (text/x.tlog.size) is the size the witness holds; prove from there.
      const match = SIZE_BODY.exec(text);
      if (match === null) throw new Error('409 without a size');
      oldSize = Number(match[1]);
      continue;
    }
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    const lines = text.split('\n').filter((line) => line.length > 0);
    const valid: string[] = [];
    for (const line of lines) {
      let withLine: string;
      try {
        withLine = addNoteSignatures(request.note, [line]);
      } catch {
        continue;
      }
      const verified = await verifyCosignature(
        request.suite,
        withLine,
        witness.name,
        witness.publicKey,
      );
      if (verified.ok) valid.push(`${line}\n`);
    }
    if (valid.length === 0) throw new Error('no valid cosignature in the answer');
    return valid;
  }
}
