/**
 * Shared setup of the client scenarios: SDK clients in this process, each on its own SQLite file
 * sealed under its identity's store key (as the CLI opens it), talking to a real relay process; plus readers of what a client stored (history, MLS state).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAuthenticationService,
  createCryptoSuite,
  decodeEnvelope,
  decodeGroupState,
  deriveTopicWriteKey,
  generateIdentity,
  loadMlsCipherSuite,
  mlsClientConfig,
  signWrite,
  toBase64Url,
  type GroupState,
  type Identity,
  type MlsContext,
} from '@parley/core';
import { WebSocket } from 'ws';
import { loadChat, type ChatRecord } from '../../../src/chats/records.js';
import {
  Client,
  deriveStoreKey,
  openSealedStore,
  type Chat,
  type ClientEvents,
  type ClientStore,
  type StoredMessage,
  type WitnessKey,
  messageText,
} from '../../../src/index.js';
import { openSqliteClientStore } from '../../../src/node/index.js';

/** The crypto suite the scenarios use (Node's WebCrypto). */
export const suite = createCryptoSuite(globalThis.crypto.subtle);

/** Cryptographically random bytes. */
export function random(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** A client with the store and file behind it, so a scenario can close and reopen it. */
export interface TestClient {
  readonly client: Client;
  /** The sealed store the client uses. */
  readonly store: ClientStore;
  readonly path: string;
  readonly identity: Identity;
}

/** How `openClient` builds a client. */
export interface OpenClientOptions {
  readonly relayUrl: string;
  /** Reuse an identity (a reopened client); a fresh one by default. */
  readonly identity?: Identity;
  /** Reuse a store file (a reopened client); a fresh one by default. */
  readonly path?: string;
  /** Publish the directory entry (default true for a fresh client, false for a reopened one). */
  readonly register?: boolean;
  readonly fetch?: typeof fetch;
  readonly clock?: () => number;
  /** Witnesses whose cosignatures checkpoints need, and how many. */
  readonly witnesses?: readonly WitnessKey[];
  readonly requiredCosignatures?: number;
}

const open = new Set<TestClient>();
const dirs = new Set<string>();

/** Opens a client on a SQLite store (a new file unless `path` is given); registers new ones. */
export async function openClient(options: OpenClientOptions): Promise<TestClient> {
  const identity = options.identity ?? (await generateIdentity(suite, random));
  let path = options.path;
  if (path === undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'parley-client-'));
    dirs.add(dir);
    path = join(dir, 'client.db');
  }
  const store = await openSealedStore(openSqliteClientStore(path), {
    key: await deriveStoreKey(suite, identity),
    random,
  });
  const client = await Client.create({
    relayUrl: options.relayUrl,
    identity,
    store,
    WebSocket,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.witnesses === undefined ? {} : { witnesses: options.witnesses }),
    ...(options.requiredCosignatures === undefined
      ? {}
      : { requiredCosignatures: options.requiredCosignatures }),
  });
  const opened: TestClient = { client, store, path, identity };
  open.add(opened);
  if (options.register ?? options.path === undefined) await client.register();
  return opened;
}

/** Closes a client and its store (as an app that quits). */
export async function closeClient(opened: TestClient): Promise<void> {
  if (!open.delete(opened)) return;
  await opened.client.close();
  await opened.store.close();
}

/** Closes every client still open and removes their files. For afterEach. */
export async function cleanupClients(): Promise<void> {
  for (const opened of [...open]) await closeClient(opened);
  const removing = [...dirs];
  dirs.clear();
  await Promise.all(removing.map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Polls `read` until `check` holds or `timeoutMs` passes; returns the last value either way. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The texts of messages, in order. */
export function texts(messages: readonly StoredMessage[]): string[] {
  return messages.map((message) => messageText(message) ?? '');
}

/** A whole chat history (far more than any scenario writes), oldest first. */
export function fullHistory(chat: Chat): Promise<StoredMessage[]> {
  return chat.history({ limit: 10_000 });
}

/** Every payload of `event` a client emits from now on. */
export function record<K extends keyof ClientEvents>(client: Client, event: K): ClientEvents[K][] {
  const seen: ClientEvents[K][] = [];
  client.on(event, (payload) => {
    seen.push(payload);
  });
  return seen;
}

/** The stored record of a chat. Throws if the client has no such chat. */
export async function chatRecord(store: ClientStore, chatId: string): Promise<ChatRecord> {
  const chat = await loadChat(store, chatId);
  if (chat === undefined) throw new Error(`no chat ${chatId} in this store`);
  return chat;
}

/**
 * The MLS context scenarios read and use stored states with: ciphersuite 1 and an authentication
 * service that knows no device (a test that processes a message with it checks no credential).
 */
export async function scenarioMls(): Promise<MlsContext> {
  return {
    cipherSuite: await loadMlsCipherSuite(),
    config: mlsClientConfig(createAuthenticationService(() => Promise.resolve([]))),
  };
}

/** The MLS group state a client stored for a chat, decoded with `scenarioMls`. */
export async function groupState(store: ClientStore, chatId: string): Promise<GroupState> {
  return decodeGroupState((await chatRecord(store, chatId)).state, await scenarioMls());
}

/** What members must agree on: the epoch and its authenticator (hex). */
export async function epochView(
  store: ClientStore,
  chatId: string,
): Promise<{ epoch: bigint; authenticator: string }> {
  const state = await groupState(store, chatId);
  return {
    epoch: state.groupContext.epoch,
    authenticator: Buffer.from(state.keySchedule.epochAuthenticator).toString('hex'),
  };
}

/** Alice, Bob and Carol on one relay, in a group named "team" that all three have joined. */
export async function groupOfThree(relayUrl: string) {
  const alice = await openClient({ relayUrl });
  const bob = await openClient({ relayUrl });
  const carol = await openClient({ relayUrl });
  const group = await alice.client.chats.createGroup({
    name: 'team',
    members: [bob.client.accountId, carol.client.accountId],
  });
  await bob.client.sync();
  await carol.client.sync();
  return { alice, bob, carol, group };
}

/**
 * Posts envelope bytes to a chat topic as a member in the MLS state `state` would: with the write
 * proof of that state's epoch (docs/spec/chats.md §Write keys). Returns the relay's receipt.
 */
export async function publishAsMember(
  relayUrl: string,
  token: string,
  bytes: Uint8Array,
  state: GroupState,
): Promise<{ seq: number; cid: string }> {
  const { envelope, cid } = decodeEnvelope(bytes);
  const key = await deriveTopicWriteKey(suite, await loadMlsCipherSuite(), state, envelope.topic);
  const proof = await signWrite(suite, key, { topic: envelope.topic, cid: cid.bytes });
  const response = await fetch(`${relayUrl}/v1/envelopes`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/cbor',
      'parley-writer': toBase64Url(proof.writer),
      'parley-sig': toBase64Url(proof.sig),
    },
    body: new Uint8Array(bytes),
  });
  const text = await response.text();
  if (response.status !== 200 && response.status !== 201)
    throw new Error(`publish refused: ${response.status} ${text}`);
  return JSON.parse(text) as { seq: number; cid: string };
}

/** The MLS state of a chat as a device's store holds it, usable with core's MLS operations. */
export async function usableState(store: ClientStore, chatId: string): Promise<GroupState> {
  return groupState(store, chatId);
}
