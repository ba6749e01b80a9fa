/**
 * A hostile relay for the end-to-end tests: a real HTTP server on 127.0.0.1 that forwards every
 * request to a real relay process and, when told to, lies in its answers — drops, reorders or
 * rewrites envelopes of a topic, serves a forked transparency log signed with the relay's own key
 * (a split view), or serves an older checkpoint (a rollback).
 *
 * One proxy stands for the relay as one client sees it: start one proxy per client to lie to
 * (tokens are not mapped to accounts). WebSocket upgrades are piped through untouched; pushes
 * only tell the SDK to fetch over HTTP, where the lies are told, and the hostile scenarios use
 * `sync()` anyway.
 */
import { readFile } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  createCryptoSuite,
  decodeEnvelope,
  formatCheckpoint,
  fromBase64Url,
  leafHash,
  logLeafHash,
  MerkleTree,
  openSignedNote,
  parseCheckpoint,
  readMlsHeader,
  signCheckpoint,
  toBase64Url,
  type Checkpoint,
} from '@parley/core';

/** The real relay behind the proxy: its URL, and its data directory (for its key). */
export interface UpstreamRelay {
  readonly url: string;
  readonly dataDir: string;
}

/** One envelope of a topic: by its CID, or as the nth (1-based) application message of a topic. */
export type EnvelopeSelector =
  { readonly cid: string } | { readonly topic: string; readonly nthApplication: number };

/** What the proxy changed in one answer, for assertions and failure messages. */
export interface TamperRecord {
  readonly kind: 'drop' | 'reorder' | 'rewrite' | 'split-view' | 'rollback';
  readonly topic?: string;
  readonly seq?: number;
  /** The CID the relay gave (for a rewrite: kept in the answer's `cid` field). */
  readonly cid?: string;
  /** For a rewrite: the CID of the bytes actually served. */
  readonly servedCid?: string;
  /** For checkpoint lies: the note served. */
  readonly note?: string;
}

/** One request forwarded or answered. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

/** A running hostile proxy. Every lie is off until switched on; `honest()` switches all off. */
export interface HostileProxy {
  /** `http://127.0.0.1:<port>`: give it to a client as its relay URL. */
  readonly url: string;
  /** Removes the envelope from every page of its topic. */
  drop(selector: EnvelopeSelector): void;
  /**
   * Swaps two envelopes (bytes, cid, leafIndex) wherever both are in one page; each item keeps
   * its seq and receivedAt, so the relay seems to have stored them in the other order.
   */
  reorder(first: EnvelopeSelector, second: EnvelopeSelector): void;
  /**
   * Flips one bit in the last byte of the envelope's payload (inside the MLS ciphertext's AEAD
   * tag) and keeps the relay's `cid` field: the client must find out from the bytes.
   */
  rewrite(selector: EnvelopeSelector): void;
  /**
   * Serves a fork of the log: every checkpoint has the real latest size but the root of the real
   * leaves with leaf `replaceLeaf` (default 0) replaced, signed with the relay's own key; the
   * fork's stored checkpoints, inclusion and consistency proofs are answered from the fork.
   */
  splitView(options?: { replaceLeaf?: number }): void;
  /**
   * Serves the relay's checkpoint of `size` leaves (as this proxy saw it, else as the relay
   * stored it) as the latest one. Rejects if the relay has none of that size.
   */
  rollback(size: number): Promise<string>;
  /** Stops every lie. */
  honest(): void;
  /** The honest checkpoints the relay served through this proxy, by size. */
  checkpointsSeen(): ReadonlyMap<number, string>;
  /** Every lie told so far, in order. */
  readonly tampered: readonly TamperRecord[];
  /** Every request received, in order. */
  readonly requests: readonly ProxiedRequest[];
  /** Stops listening and cuts every connection (HTTP and piped WebSockets). */
  close(): Promise<void>;
}

const suite = createCryptoSuite(globalThis.crypto.subtle);
const TOPIC_PAGE = /^\/v1\/topics\/([A-Za-z0-9_-]+)\/envelopes$/;
/** Headers that belong to one hop, or that change when the body does. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** An envelope as a topic page lists it (fields the relay adds later are kept as they are). */
interface PageItem {
  seq: number;
  cid: string;
  receivedAt: number;
  leafIndex?: number;
  envelope: string;
  [field: string]: unknown;
}

interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Starts a proxy in front of `relay` on 127.0.0.1 and a random port. */
export async function startHostileProxy(relay: UpstreamRelay): Promise<HostileProxy> {
  const target = new URL(relay.url);
  const requests: ProxiedRequest[] = [];
  const tampered: TamperRecord[] = [];
  const seen = new Map<number, string>();
  const sockets = new Set<Socket>();
  let drops: EnvelopeSelector[] = [];
  let swaps: [EnvelopeSelector, EnvelopeSelector][] = [];
  let rewrites: EnvelopeSelector[] = [];
  let fork: Fork | undefined;
  let rolledBack: string | undefined;
  /** nthApplication selectors resolved to CIDs, per topic. */
  const resolved = new Map<EnvelopeSelector, string>();

  const forward = (
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method,
          path,
          headers: { ...headers, host: target.host },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const upstreamGet = (path: string): Promise<Upstream> =>
    forward('GET', path, { accept: '*/*' }, Buffer.alloc(0));

  /** The CID a selector names in `topic`, resolving nthApplication with the caller's session. */
  const cidOf = async (
    selector: EnvelopeSelector,
    topic: string,
    authorization: string | undefined,
  ): Promise<string | undefined> => {
    if ('cid' in selector) return selector.cid;
    if (selector.topic !== topic) return undefined;
    const known = resolved.get(selector);
    if (known !== undefined) return known;
    let after = 0;
    let count = 0;
    for (;;) {
      const answer = await forward(
        'GET',
        `/v1/topics/${topic}/envelopes?after=${after}&limit=100`,
        authorization === undefined ? {} : { authorization },
        Buffer.alloc(0),
      );
      if (answer.status !== 200) return undefined;
      const page = JSON.parse(answer.body.toString('utf8')) as { envelopes: PageItem[] };
      for (const item of page.envelopes) {
        if (isApplication(item.envelope)) count += 1;
        if (count === selector.nthApplication) {
          resolved.set(selector, item.cid);
          return item.cid;
        }
        after = item.seq;
      }
      if (page.envelopes.length < 100) return undefined;
    }
  };

  const tamperPage = async (
    topic: string,
    body: Buffer,
    authorization: string | undefined,
  ): Promise<Buffer> => {
    if (drops.length === 0 && swaps.length === 0 && rewrites.length === 0) return body;
    const page = JSON.parse(body.toString('utf8')) as { envelopes: PageItem[]; lastSeq: number };
    const cids = async (selectors: readonly EnvelopeSelector[]) =>
      new Set(
        (await Promise.all(selectors.map((s) => cidOf(s, topic, authorization)))).filter(
          (cid): cid is string => cid !== undefined,
        ),
      );
    const dropped = await cids(drops);
    page.envelopes = page.envelopes.filter((item) => {
      if (!dropped.has(item.cid)) return true;
      tampered.push({ kind: 'drop', topic, seq: item.seq, cid: item.cid });
      return false;
    });
    const rewritten = await cids(rewrites);
    for (const item of page.envelopes) {
      if (!rewritten.has(item.cid)) continue;
      const bytes = flipPayloadBit(fromBase64Url(item.envelope));
      item.envelope = toBase64Url(bytes);
      tampered.push({
        kind: 'rewrite',
        topic,
        seq: item.seq,
        cid: item.cid,
        servedCid: decodeEnvelope(bytes).cid.toString(),
      });
    }
    for (const [first, second] of swaps) {
      const a = await cidOf(first, topic, authorization);
      const b = await cidOf(second, topic, authorization);
      const i = page.envelopes.findIndex((item) => item.cid === a);
      const j = page.envelopes.findIndex((item) => item.cid === b);
      const left = page.envelopes[i];
      const right = page.envelopes[j];
      if (left === undefined || right === undefined || i === j) continue;
      page.envelopes[i] = { ...right, seq: left.seq, receivedAt: left.receivedAt };
      page.envelopes[j] = { ...left, seq: right.seq, receivedAt: right.receivedAt };
      tampered.push({ kind: 'reorder', topic, seq: left.seq, cid: left.cid });
      tampered.push({ kind: 'reorder', topic, seq: right.seq, cid: right.cid });
    }
    return Buffer.from(JSON.stringify(page));
  };

  /** Answers the proxy makes up instead of asking the relay (checkpoint lies), if any. */
  const invent = async (path: string, query: URLSearchParams): Promise<Answer | undefined> => {
    if (rolledBack !== undefined && path === '/v1/log/checkpoint') {
      tampered.push({ kind: 'rollback', note: rolledBack });
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: rolledBack };
    }
    if (fork === undefined || !path.startsWith('/v1/log/')) return undefined;
    return fork.answer(path, query, (note) => {
      tampered.push({ kind: 'split-view', note });
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    requests.push({ method, path: url.pathname, query: url.searchParams });

    const invented = method === 'GET' ? await invent(url.pathname, url.searchParams) : undefined;
    if (invented !== undefined) {
      res.writeHead(invented.status, {
        'content-type': invented.contentType,
        'content-length': Buffer.byteLength(invented.body),
      });
      res.end(invented.body);
      return;
    }

    const upstream = await forward(method, req.url ?? '/', req.headers, body);
    let out = upstream.body;
    const topic = TOPIC_PAGE.exec(url.pathname)?.[1];
    if (method === 'GET' && upstream.status === 200 && topic !== undefined) {
      out = await tamperPage(topic, upstream.body, req.headers.authorization);
    }
    if (method === 'GET' && upstream.status === 200 && url.pathname === '/v1/log/checkpoint') {
      const note = upstream.body.toString('utf8');
      try {
        seen.set(checkpointOf(note).size, note);
      } catch {
        // Not a checkpoint: the client will say so; the proxy only remembers real ones.
      }
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
    }
    headers['content-length'] = String(out.length);
    res.writeHead(upstream.status, headers);
    res.end(out);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'PROXY_FAILED', message: error instanceof Error ? error.message : '' },
        }),
      );
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // WebSockets: replay the upgrade request to the relay and pipe both ways, untouched.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const upstream = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i] ?? ''}: ${req.rawHeaders[i + 1] ?? ''}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => {
      sockets.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.once('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    tampered,
    requests,
    drop(selector) {
      drops = [...drops, selector];
    },
    reorder(first, second) {
      swaps = [...swaps, [first, second]];
    },
    rewrite(selector) {
      rewrites = [...rewrites, selector];
    },
    splitView(options = {}) {
      fork = new Fork(relay, upstreamGet, options.replaceLeaf ?? 0);
    },
    async rollback(size) {
      let note = seen.get(size);
      if (note === undefined) {
        const answer = await upstreamGet(`/v1/log/checkpoints/${size}`);
        if (answer.status !== 200) {
          throw new Error(`the relay has no checkpoint of size ${size} (HTTP ${answer.status})`);
        }
        note = answer.body.toString('utf8');
      }
      rolledBack = note;
      return note;
    },
    honest() {
      drops = [];
      swaps = [];
      rewrites = [];
      fork = undefined;
      rolledBack = undefined;
    },
    checkpointsSeen: () => seen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/**
 * A fork of the relay's log: the real leaves with one replaced by a hash nobody can open,
 * checkpoints of the real sizes over it, signed with the relay's key read from its data directory.
 * Its answers have the relay's shapes exactly (packages/relay/src/http/routes/log-routes.ts:
 * hashes in base64url), so a client cannot tell them from the relay's by their form.
 */
class Fork {
  readonly #relay: UpstreamRelay;
  readonly #get: (path: string) => Promise<Upstream>;
  readonly #replaceLeaf: number;
  readonly #tree = new MerkleTree();
  readonly #notes = new Map<number, string>();
  #key: { seed: Uint8Array; origin: string } | undefined;

  constructor(relay: UpstreamRelay, get: (path: string) => Promise<Upstream>, replaceLeaf: number) {
    this.#relay = relay;
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
    const file = JSON.parse(
      await readFile(join(this.#relay.dataDir, 'relay-key.json'), 'utf8'),
    ) as { signingSeed: string };
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

/** Whether base64url envelope bytes carry an MLS application message. */
function isApplication(envelope: string): boolean {
  try {
    const header = readMlsHeader(decodeEnvelope(fromBase64Url(envelope)).envelope.payload);
    return 'contentType' in header && header.contentType === 'application';
  } catch {
    return false;
  }
}

/** A copy of envelope bytes with one bit of the payload's last byte flipped. */
function flipPayloadBit(bytes: Uint8Array): Uint8Array {
  const { payload } = decodeEnvelope(bytes).envelope;
  const copy = Uint8Array.from(bytes);
  const offset = indexOf(copy, payload);
  if (offset < 0 || payload.length === 0) throw new Error('payload not found in the envelope');
  const last = offset + payload.length - 1;
  copy[last] = (copy[last] ?? 0) ^ 0x01;
  return copy;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function json(value: unknown): Answer {
  return {
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(value),
  };
}
