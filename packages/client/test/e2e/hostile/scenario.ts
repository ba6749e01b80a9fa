/**
 * Shared setup of the hostile-relay scenarios: a real relay that signs checkpoints quickly, a
 * hostile proxy in front of it for the client being lied to, bounded waits, and the checks every
 * scenario ends with (the relay's signature on a note, an uncorrupted history).
 */
import {
  fromBase64Url,
  openChatEntry,
  verifyCheckpointSignature,
  type Checkpoint,
  type ChatEntry,
} from '@parley/core';
import { expect } from 'vitest';
import { call } from '@parley/test-support/relay-api';
import { startRelay, type RelayProcess } from '@parley/test-support/relay-process';
import { type StoredMessage, messageText } from '../../../src/index.js';
import { openClient, suite, type TestClient } from '../support/clients.js';
import { checkpointOf, startHostileProxy, type HostileProxy } from '../support/hostile-proxy.js';

/** How long a scenario waits for anything (a checkpoint, a message) before failing. */
const WAIT_MS = 20_000;

const proxies = new Set<HostileProxy>();

/** A relay process that signs a checkpoint within 100 ms of a new leaf (default: 1 s). */
export function startFastRelay(): Promise<RelayProcess> {
  return startRelay({ flags: { 'log-batch-interval-ms': 100 } });
}

/** A hostile proxy in front of `relay`, closed by `closeProxies`. */
export async function proxyFor(relay: RelayProcess): Promise<HostileProxy> {
  const proxy = await startHostileProxy(relay);
  proxies.add(proxy);
  return proxy;
}

/** Closes every proxy opened by `proxyFor`. For afterEach. */
export async function closeProxies(): Promise<void> {
  const closing = [...proxies];
  proxies.clear();
  await Promise.all(closing.map((proxy) => proxy.close()));
}

/**
 * Calls `read` every 50 ms until `check` holds for its value and returns that value. Throws
 * naming `what` if it does not hold within `timeoutMs` (20 s by default).
 */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`gave up after ${timeoutMs} ms waiting until ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Alice on the honest relay, Bob behind the proxy, in a group chat "hostile" of the two. */
export async function aliceAndBobBehindProxy(relay: RelayProcess, proxy: HostileProxy) {
  const alice = await openClient({ relayUrl: relay.url });
  const bob = await openClient({ relayUrl: proxy.url });
  const group = await alice.client.chats.createGroup({
    name: 'hostile',
    members: [bob.client.accountId],
  });
  await bob.client.sync();
  const bobChat = await bob.client.chats.get(group.id);
  return { alice, bob, group, bobChat };
}

/** Sends `text` and checks that the relay stored it; returns the message with its seq and CID. */
export async function sendStored(
  client: TestClient,
  chatId: string,
  text: string,
): Promise<StoredMessage & { cid: string; seq: number }> {
  const chat = await client.client.chats.get(chatId);
  const message = await chat.send(text);
  if (message.status !== 'sent' || message.cid === undefined || message.seq === undefined) {
    throw new Error(`"${text}" was not stored by the relay (status ${message.status})`);
  }
  return { ...message, cid: message.cid, seq: message.seq };
}

/** The relay's log key and origin, from GET /v1/info. */
async function relayLogKey(relayUrl: string): Promise<{ publicKey: Uint8Array; origin: string }> {
  const info = (await call(relayUrl, 'GET', '/v1/info')).json as {
    relayId: string;
    publicKey: string;
    log?: { origin?: string };
  };
  return {
    publicKey: fromBase64Url(info.publicKey),
    origin: info.log?.origin ?? `parley-relay/${info.relayId}`,
  };
}

/** The checkpoint of a note, after checking that the relay's key signed it (else the test fails). */
export async function signedByRelay(relayUrl: string, note: string): Promise<Checkpoint> {
  const key = await relayLogKey(relayUrl);
  const verified = await verifyCheckpointSignature(suite, note, key.origin, key.publicKey);
  if (!verified.ok) throw new Error(`not signed by the relay (${verified.reason}):\n${note}`);
  return verified.value;
}

/** The relay's latest checkpoint as it really is (no proxy). */
async function realCheckpoint(relayUrl: string): Promise<Checkpoint> {
  const answer = await call(relayUrl, 'GET', '/v1/log/checkpoint');
  if (answer.status !== 200) throw new Error(`GET /v1/log/checkpoint: ${answer.status}`);
  return checkpointOf(answer.text);
}

/** Waits until the relay's real latest checkpoint has more than `leaves` leaves; returns it. */
export async function checkpointBeyond(relayUrl: string, leaves: number): Promise<Checkpoint> {
  const checkpoint = await waitFor(
    `the relay signs a checkpoint of more than ${leaves} leaves`,
    () => realCheckpoint(relayUrl).catch(() => undefined),
    (found) => found !== undefined && found.size > leaves,
  );
  if (checkpoint === undefined) throw new Error('unreachable: waitFor checked it');
  return checkpoint;
}

/** Opens signed entry bytes (from a problem's evidence) of chat `chatId`; fails if invalid. */
export async function openEvidence(chatId: string, bytes: Uint8Array): Promise<ChatEntry> {
  const opened = await openChatEntry(suite, bytes, fromBase64Url(chatId));
  if (!opened.ok) throw new Error(`evidence is not a valid signed entry (${opened.reason})`);
  return opened.value;
}

/**
 * Checks a history against what the author sent: every message is one of `sent` with its text
 * and CID intact, none twice, and the texts of `inOrder` appear in that order.
 */
export function expectIntact(
  history: readonly StoredMessage[],
  sent: readonly StoredMessage[],
  inOrder: readonly string[],
): void {
  const cidOf = new Map(sent.map((message) => [messageText(message), message.cid]));
  for (const message of history) {
    expect(
      cidOf.get(messageText(message)),
      `"${messageText(message)}" was never sent`,
    ).toBeDefined();
    expect(message.cid).toBe(cidOf.get(messageText(message)));
  }
  const texts = history.map((message) => messageText(message) ?? '');
  expect(new Set(texts).size, `duplicates in ${JSON.stringify(texts)}`).toBe(texts.length);
  expect(texts.filter((text) => inOrder.includes(text))).toEqual(inOrder);
}
