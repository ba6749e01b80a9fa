/** Logs an identity in to the relay (challenge → signed login → token) and opens authed sockets. */
import { randomBytes } from 'node:crypto';
import {
  answerChallenge,
  checkWire,
  createCryptoSuite,
  generateIdentity,
  identityLoginSigner,
  sessionAnswerSchema,
  type CryptoSuite,
} from '@parley/core';
import WebSocket from 'ws';

/** A CryptoSuite on Node's WebCrypto. */
export const suite: CryptoSuite = createCryptoSuite(globalThis.crypto.subtle);

/** Fresh bytes from the OS (the RandomSource the benchmark passes to core). */
export function random(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Creates a new identity and logs it in (core's `answerChallenge`); returns its session token.
 * Throws on refusal.
 */
export async function login(relayUrl: string): Promise<string> {
  const identity = await generateIdentity(suite, random);
  const challenge = await postJson(`${relayUrl}/v1/auth/challenge`, {});
  const request = await answerChallenge(challenge, identityLoginSigner(suite, identity));
  if (!request.ok) throw new Error(`login challenge refused: ${request.detail ?? request.reason}`);
  const session = checkWire(
    sessionAnswerSchema,
    await postJson(`${relayUrl}/v1/auth/session`, request.value),
    'session',
  );
  if (!session.ok) throw new Error(`login answer refused: ${session.detail ?? session.reason}`);
  return session.value.token;
}

/** A relay → client frame, as far as the generators read it. */
export interface Frame {
  readonly type: string;
  readonly ref?: string;
  readonly topic?: string;
  readonly cid?: string;
  readonly seq?: number;
  readonly envelope?: string;
  readonly code?: string;
}

/**
 * Opens a WebSocket, sends the auth frame and resolves once the relay answers `ready`; every
 * later frame goes to `onFrame` with its arrival time. Rejects on an error or close before that.
 */
export function openSocket(
  wsUrl: string,
  token: string,
  onFrame: (frame: Frame, atMs: number) => void,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
    let isReady = false;
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'auth', token }));
    });
    socket.on('message', (data: Buffer) => {
      const atMs = performance.timeOrigin + performance.now();
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      if (!isReady) {
        if (frame.type === 'ready') {
          isReady = true;
          resolve(socket);
        } else if (frame.type === 'error') {
          reject(new Error(`auth refused: ${frame.code ?? '?'}`));
        }
        return;
      }
      onFrame(frame, atMs);
    });
    socket.on('error', (error) => {
      if (!isReady) reject(error);
    });
    socket.on('close', (code) => {
      if (!isReady) reject(new Error(`socket closed before ready (${code})`));
    });
  });
}

/** Runs `task` over `items` with at most `limit` at a time, in order of start. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
