/**
 * The forked transparency log a hostile relay serves in the split-view scenario: the relay's real
 * leaves with one replaced, checkpoints over them signed with the relay's own key.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import {
  createCryptoSuite,
  formatCheckpoint,
  fromBase64Url,
  leafHash,
  logLeafHash,
  MerkleTree,
  openSignedNote,
  parseCheckpoint,
  signCheckpoint,
  toBase64Url,
  type Checkpoint,
} from '@parley/core';

const suite = createCryptoSuite(globalThis.crypto.subtle);

/** An answer read from the real relay. */
export interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer the proxy makes up. */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * A fork of the relay's log: the real leaves with one replaced by a hash nobody can open,
 * checkpoints of the real sizes over it, signed with the relay's key read from its data directory.
 * Its answers have the relay's shapes exactly (packages/relay/src/http/routes/log-routes.ts:
 * hashes in base64url), so a client cannot tell them from the relay's by their form.
 */
export class Fork {
  readonly #dataDir: string;
  readonly #get: (path: string) => Promise<Upstream>;
  readonly #replaceLeaf: number;
  readonly #tree = new MerkleTree();
  readonly #notes = new Map<number, string>();
  #key: { seed: Uint8Array; origin: string } | undefined;

  constructor(dataDir: string, get: (path: string) => Promise<Upstream>, replaceLeaf: number) {
    this.#dataDir = dataDir;
    this.#get = get;
    this.#replaceLeaf = replaceLeaf;
  }

  /** The fork's answer to a log request, or undefined to let the relay answer honestly. */
  async answer(
    path: string,
    query: URLSearchParams,
    onLie: (note: string) => void,
  ): Promise<Answer | undefined> {
    if (path === '/v1/log/checkpoint') {
      const real = await this.#get('/v1/log/checkpoint');
      if (real.status !== 200) return undefined;
      const size = checkpointOf(real.body.toString('utf8')).size;
      const note = await this.#note(size);
      if (note === undefined) return undefined;
      onLie(note);
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: note };
    }
    const stored = /^\/v1\/log\/checkpoints\/(\d+)$/.exec(path)?.[1];
    if (stored !== undefined) {
      const note = await this.#note(Number(stored));
      return note === undefined
        ? undefined
        : { status: 200, contentType: 'text/plain; charset=utf-8', body: note };
    }
    if (path === '/v1/log/proof/inclusion') {
      const size = Number(query.get('size'));
      const index = Number(query.get('index'));
      if (!(await this.#grow(size)) || !(index >= 0 && index < size)) return undefined;
      return json({
        index,
        size,
        leafHash: toBase64Url(this.#tree.leafHash(index)),
        proof: this.#tree.inclusionProof(index, size).map(toBase64Url),
      });
    }
    if (path === '/v1/log/proof/consistency') {
      const from = Number(query.get('from'));
      const to = Number(query.get('to'));
      if (!(await this.#grow(to)) || !(from > 0 && from <= to)) return undefined;
      return json({ from, to, proof: this.#tree.consistencyProof(from, to).map(toBase64Url) });
    }
    return undefined;
  }

  /** The fork's signed checkpoint of `size` leaves (undefined if the relay has fewer leaves). */
  async #note(size: number): Promise<string | undefined> {
    const known = this.#notes.get(size);
    if (known !== undefined) return known;
    if (size <= this.#replaceLeaf || !(await this.#grow(size))) return undefined;
    const key = await this.#signingKey();
    const checkpoint: Checkpoint = {
      origin: key.origin,
      size,
      rootHash: this.#tree.root(size),
      extensions: [],
    };
    const note = await signCheckpoint(suite, key.seed, key.origin, formatCheckpoint(checkpoint));
    this.#notes.set(size, note);
    return note;
  }

  /** Extends the fork with the relay's leaves up to `size`; false if the relay has fewer. */
  async #grow(size: number): Promise<boolean> {
    if (!Number.isSafeInteger(size) || size <= 0) return false;
    while (this.#tree.size < size) {
      const start = this.#tree.size;
      const end = Math.min(size, start + 1000);
      const answer = await this.#get(`/v1/log/leaves?start=${start}&end=${end}`);
      if (answer.status !== 200) return false;
      const { leaves } = JSON.parse(answer.body.toString('utf8')) as {
        leaves: { index: number; cid: string }[];
      };
      if (leaves.length === 0) return false;
      for (const leaf of leaves) {
        if (leaf.index !== this.#tree.size) throw new Error(`the relay skipped leaf ${leaf.index}`);
        this.#tree.append(
          leaf.index === this.#replaceLeaf
            ? leafHash(new TextEncoder().encode(`forged leaf ${leaf.cid}`))
            : logLeafHash(leaf.cid),
        );
      }
    }
    return true;
  }

  async #signingKey(): Promise<{ seed: Uint8Array; origin: string }> {
    if (this.#key !== undefined) return this.#key;
    const file = JSON.parse(await readFile(join(this.#dataDir, 'relay-key.json'), 'utf8')) as {
      signingSeed: string;
    };
    const info = await this.#get('/v1/info');
    const parsed = JSON.parse(info.body.toString('utf8')) as {
      relayId: string;
      log?: { origin?: string };
    };
    this.#key = {
      seed: fromBase64Url(file.signingSeed),
      origin: parsed.log?.origin ?? `parley-relay/${parsed.relayId}`,
    };
    return this.#key;
  }
}

/** The checkpoint inside a signed note (signature not checked). */
export function checkpointOf(note: string): Checkpoint {
  return parseCheckpoint(openSignedNote(note).body);
}

/** A 200 JSON answer. */
function json(value: unknown): Answer {
  return {
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(value),
  };
}
