/**
 * A hostile relay for the end-to-end tests: a real HTTP server on 127.0.0.1 that forwards every
 * request to a real relay process and, when told to, lies in its answers — drops, reorders or
 * rewrites envelopes of a topic, serves a forked transparency log signed with the relay's own key
 * (a split view), serves an older checkpoint (a rollback), or serves an account's superseded
 * directory entry.
 *
 * One proxy stands for the relay as one client sees it: start one proxy per client to lie to
 * (tokens are not mapped to accounts). WebSocket upgrades are piped through untouched: pushes
 * carry whole envelopes, so the lies (told over HTTP) reach a client when it pulls, and the
 * hostile scenarios use `sync()`. Every HTTP request is recorded, so a test can count them.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { decodeEnvelope, fromBase64Url, readMlsHeader, toBase64Url } from '@parley/core';
import { checkpointOf, Fork, type Answer, type Upstream } from './forked-log.js';

export { checkpointOf } from './forked-log.js';

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
  readonly kind:
    'drop' | 'reorder' | 'rewrite' | 'split-view' | 'rollback' | 'stale-entry' | 'misplaced-entry';
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
  /**
   * Serves, for `account`, the directory answer (entry, cid, leaf index) this proxy saw with
   * `cid` instead of the relay's newest. Throws if it never saw that answer.
   */
  staleDirectory(account: string, cid: string): void;
  /** Serves `account`'s directory entry as if it were leaf `leafIndex` of the log. */
  misplaceDirectoryLeaf(account: string, leafIndex: number): void;
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

const TOPIC_PAGE = /^\/v1\/topics\/([A-Za-z0-9_-]+)\/envelopes$/;
const DIRECTORY = /^\/v1\/directory\/([a-z0-9]+)$/;
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
  /** Directory answers seen, by account then CID; and the stale one to serve, by account. */
  const directorySeen = new Map<string, Map<string, string>>();
  let staleEntries = new Map<string, string>();
  let misplaced = new Map<string, number>();
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
    const account = DIRECTORY.exec(path)?.[1];
    const stale = account === undefined ? undefined : staleEntries.get(account);
    if (stale !== undefined) {
      tampered.push({ kind: 'stale-entry', cid: (JSON.parse(stale) as { cid: string }).cid });
      return { status: 200, contentType: 'application/json; charset=utf-8', body: stale };
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

    const topic = TOPIC_PAGE.exec(url.pathname)?.[1];
    // The proxy rewrites pages as JSON: it asks for JSON, which the SDK takes when a relay answers it.
    const upstreamHeaders =
      topic === undefined ? req.headers : { ...req.headers, accept: 'application/json' };
    const upstream = await forward(method, req.url ?? '/', upstreamHeaders, body);
    let out = upstream.body;
    if (method === 'GET' && upstream.status === 200 && topic !== undefined) {
      out = await tamperPage(topic, upstream.body, req.headers.authorization);
    }
    const directoryOf = DIRECTORY.exec(url.pathname)?.[1];
    if (method === 'GET' && upstream.status === 200 && directoryOf !== undefined) {
      const text = upstream.body.toString('utf8');
      const answers = directorySeen.get(directoryOf) ?? new Map<string, string>();
      answers.set((JSON.parse(text) as { cid: string }).cid, text);
      directorySeen.set(directoryOf, answers);
      const leafIndex = misplaced.get(directoryOf);
      if (leafIndex !== undefined) {
        const answer = JSON.parse(text) as { cid: string; leafIndex: number };
        out = Buffer.from(JSON.stringify({ ...answer, leafIndex }));
        tampered.push({ kind: 'misplaced-entry', cid: answer.cid });
      }
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
      fork = new Fork(relay.dataDir, upstreamGet, options.replaceLeaf ?? 0);
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
    staleDirectory(account, cid) {
      const answer = directorySeen.get(account)?.get(cid);
      if (answer === undefined) throw new Error(`the proxy never served ${account}'s entry ${cid}`);
      staleEntries = new Map([...staleEntries, [account, answer]]);
    },
    misplaceDirectoryLeaf(account, leafIndex) {
      misplaced = new Map([...misplaced, [account, leafIndex]]);
    },
    honest() {
      staleEntries = new Map();
      misplaced = new Map();
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
