/**
 * The Parley SDK client: one account on one device, talking to one relay. A thin facade over
 * the services of `client-services.ts`. Operations that change state (register, sync, chat
 * changes, sends, pushes as they arrive, verify, export) run one at a time through a serial
 * queue, in the order they were called; reads of the store (chat list, history, members,
 * message proofs, evidence, inclusion) do not wait for them.
 */
import {
  createCryptoSuite,
  inboxTopic,
  loadMlsCipherSuite,
  type AccountId,
  type CryptoSuite,
  type Identity,
  type RandomSource,
  type MessageContent,
} from '@parley/core';
import { ChatDirectory } from './chats/chat-directory.js';
import { listChats } from './chats/chat-list.js';
import type { ChatOperations } from './chats/chat-operations.js';
import { messageOf } from './chats/message-ref.js';
import {
  chatIdOf,
  groupStateOf,
  listChatIds,
  loadChat,
  membersOf,
  requireChat,
  saveChat,
} from './chats/records.js';
import { createClientServices, type ClientServices } from './client-services.js';
import { loadDeviceKeys } from './device/device-keys.js';
import type { StoredDirectoryEvidence } from './directory/key-transparency.js';
import { KEY_PACKAGE_TARGET } from './directory/publisher.js';
import { Emitter, type ClientEvents } from './events.js';
import { exportTranscript } from './history/transcript-export.js';
import { messageProof } from './history/message-proof.js';
import { verifyChat } from './history/verification.js';
import type { HeldCheckpoint, WitnessKey } from './log/checkpoints.js';
import type { StoredEvidence } from './log/evidence.js';
import type { InclusionStatus } from './log/inclusions.js';
import { LiveConnection, type WebSocketConstructor } from './relay/live.js';
import { RelayApi, type TopicEnvelope } from './relay/relay-api.js';
import { unlessTransient } from './relay/transient.js';
import { SerialQueue } from './serial-queue.js';
import type { ClientStore, StoredMessage } from './store/client-store.js';
import { refreshLog } from './sync/log-sync.js';

export { KEY_PACKAGE_TARGET } from './directory/publisher.js';
export type { ChatSummary } from './chats/chat-operations.js';
export type { MessageProof } from './history/message-proof.js';
export type { ChatVerification } from './history/verification.js';
export { ChatDirectory } from './chats/chat-directory.js';

/** Options of Client.create. */
export interface ClientOptions {
  readonly relayUrl: string;
  readonly identity: Identity;
  readonly store: ClientStore;
  readonly suite?: CryptoSuite;
  readonly random?: RandomSource;
  readonly clock?: () => number;
  readonly fetch?: typeof fetch;
  /** A WebSocket constructor for live pushes (browsers: the global; Node 20: the `ws` package). */
  readonly WebSocket?: WebSocketConstructor;
  readonly inviteCode?: string;
  /** How long to wait for each relay answer (default 20 s). */
  readonly requestTimeoutMs?: number;
  /** Pins the relay's account id; without it the key seen first is trusted and kept. */
  readonly relayId?: string;
  /** Witnesses whose cosignatures checkpoints need (see `requiredCosignatures`). */
  readonly witnesses?: readonly WitnessKey[];
  /** Adopt only checkpoints with this many valid witness cosignatures (default 0). */
  readonly requiredCosignatures?: number;
}

/** One account on one device. */
export class Client extends Emitter<ClientEvents> {
  readonly accountId: AccountId;
  readonly identity: Identity;
  readonly chats: ChatDirectory;
  readonly #options: ClientOptions;
  readonly #store: ClientStore;
  readonly #clock: () => number;
  readonly #api: RelayApi;
  readonly #s: ClientServices;
  readonly #queue = new SerialQueue();
  #live: LiveConnection | undefined;

  private constructor(
    options: ClientOptions,
    api: RelayApi,
    build: (client: Client) => ClientServices,
  ) {
    super();
    this.#options = options;
    this.identity = options.identity;
    this.accountId = options.identity.accountId;
    this.#store = options.store;
    this.#clock = options.clock ?? (() => Date.now());
    this.#api = api;
    this.#s = build(this);
    this.chats = new ChatDirectory(this.#operations());
  }

  /** Opens a client; creates this device's keys on first use. Does not contact the relay. */
  static async create(options: ClientOptions): Promise<Client> {
    const suite = options.suite ?? createCryptoSuite(globalThis.crypto.subtle);
    const random =
      options.random ??
      ((length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length)));
    const clock = options.clock ?? (() => Date.now());
    const device = await loadDeviceKeys(options.store, suite, random);
    const cipherSuite = await loadMlsCipherSuite();
    const api = new RelayApi({
      relayUrl: options.relayUrl,
      identity: options.identity,
      suite,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      inviteCode: options.inviteCode,
      requestTimeoutMs: options.requestTimeoutMs,
    });
    return new Client({ ...options, clock }, api, (client) =>
      createClientServices({
        identity: options.identity,
        store: options.store,
        suite,
        random,
        clock,
        cipherSuite,
        device,
        api,
        relayId: options.relayId,
        witnesses: options.witnesses,
        requiredCosignatures: options.requiredCosignatures,
        emit: (event, payload) => {
          client.emit(event, payload);
        },
        follow: (topic, after) => {
          client.#live?.subscribe(topic, after);
        },
      }),
    );
  }

  /** Runs `work` after every earlier operation of this client finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.#queue.run(work);
  }

  /**
   * Publishes this device in the account's directory entry with fresh KeyPackages. A device that
   * never published on this relay is a (re)install: its entry lists only itself, which drops
   * every earlier device (docs/spec/identity.md §Devices), unless `keepDevices` adds it beside
   * them. A device that published before keeps the devices the current entry lists.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  register(options: { keepDevices?: boolean } = {}): Promise<void> {
    return this.exclusive(() =>
      this.#s.publisher.publish(KEY_PACKAGE_TARGET, options.keepDevices ?? false),
    );
  }

  /** Fetches everything new (invitations, chats), processes it, and sends the outbox. */
  sync(): Promise<void> {
    return this.exclusive(async () => {
      await this.#s.inbox.sync();
      for (const id of await listChatIds(this.#store)) await this.#s.topics.sync(id);
      await this.#s.outbox.flush();
      await this.#s.publisher.topUp();
      await refreshLog(this.#s.log, this.#s.report);
    });
  }

  /** Opens a WebSocket and keeps chats in sync as envelopes are pushed; reconnects when dropped. */
  async connect(): Promise<void> {
    const { WebSocket } = this.#options;
    if (WebSocket === undefined) throw new TypeError('Client.connect needs options.WebSocket');
    if (this.#live !== undefined) return;
    await this.sync();
    const { report } = this.#s;
    const background = (work: () => Promise<void>) => {
      void this.exclusive(work).catch((error: unknown) => {
        report(undefined, error);
      });
    };
    this.#live = new LiveConnection({
      url: this.#options.relayUrl,
      WebSocket,
      token: () => this.#api.token(this.#clock()),
      topics: () => this.#followed(),
      onEnvelope: (topic, envelope) => {
        background(() => this.#pushed(topic, envelope));
      },
      onCheckpoint: () => {
        background(() => refreshLog(this.#s.log, report));
      },
      onReconnect: () => {
        void this.sync().catch((error: unknown) => {
          report(undefined, error);
        });
      },
    });
    this.#live.start();
  }

  /** Stops live pushes and waits for running operations; does not close the store. */
  async close(): Promise<void> {
    this.#live?.stop();
    this.#live = undefined;
    await this.exclusive(() => Promise.resolve());
  }

  /** Where an envelope this device sent or received stands in the relay's log. */
  inclusion(cid: string): Promise<InclusionStatus> {
    return this.#s.log.inclusion(cid);
  }

  /**
   * Refreshes the view of the relay's log: fetches and checks the latest checkpoint, verifies
   * the inclusion of every envelope it now covers. Returns the checkpoint held afterwards.
   */
  checkLog(): Promise<HeldCheckpoint | undefined> {
    return this.exclusive(() => this.#s.log.refresh());
  }

  /** Evidence of relay misbehaviour found so far. */
  logEvidence(): Promise<StoredEvidence[]> {
    return this.#s.log.evidence();
  }

  /**
   * Directory warnings found so far (docs/spec/log.md §Key transparency): entries of this
   * account this device did not publish, and entries older than ones seen before.
   */
  directoryEvidence(): Promise<StoredDirectoryEvidence[]> {
    return this.#s.transparency.evidence();
  }

  /** The topics to follow live: the inbox and every active chat, each after its last seq. */
  async #followed(): Promise<{ topic: Uint8Array; after: number }[]> {
    const topics: { topic: Uint8Array; after: number }[] = [
      { topic: inboxTopic(this.accountId), after: await this.#s.inbox.lastSeq() },
    ];
    for (const id of await listChatIds(this.#store)) {
      const chat = await loadChat(this.#store, id);
      if (chat?.status === 'active') topics.push({ topic: chat.topic, after: chat.lastSeq });
    }
    return topics;
  }

  /** A pushed envelope: the inbox is pulled; a chat takes it directly if it is its next seq. */
  async #pushed(topic: Uint8Array, envelope: TopicEnvelope | undefined): Promise<void> {
    const id = chatIdOf(topic);
    if (id === chatIdOf(inboxTopic(this.accountId))) await this.#s.inbox.sync();
    else if (envelope === undefined) await this.#s.topics.sync(id);
    else await this.#s.topics.pushed(topic, envelope);
    await this.#s.outbox.flush();
  }

  /** What Chat and ChatDirectory ask of this client, serialised where they change state. */
  #operations(): ChatOperations {
    const s = this.#s;
    const store = this.#store;
    const run = <T>(work: () => Promise<T>) => this.exclusive(work);
    return {
      chatRecord: (id) => requireChat(store, id),
      members: (chat) => membersOf(groupStateOf(chat, s.mls)),
      history: (id, options) =>
        store.messages(id, {
          limit: options.limit ?? 50,
          ...(options.before === undefined ? {} : { before: options.before }),
        }),
      listChats: () => listChats(store, s.mls),
      createChat: (kind, name, members) => run(() => s.creator.create(kind, name, members)),
      addMember: (id, account) => run(() => s.membership.add(id, [account])),
      removeMember: (id, account) => run(() => s.membership.remove(id, account, { strict: true })),
      send: (id, text) => run(() => this.#send(id, { type: 'text', text })),
      sendContent: (id, content, options) => run(() => this.#send(id, content, options)),
      message: (id, ref) => messageOf(store, id, ref),
      leave: (id) => run(() => this.#leave(id)),
      verify: (id) =>
        run(() =>
          verifyChat({ store, suite: s.suite, log: s.log, lookup: s.lookup, gaps: s.gaps }, id),
        ),
      exportTranscript: (id) =>
        run(() => exportTranscript({ store, log: s.log, api: this.#api, clock: this.#clock }, id)),
      messageProof: (id, cid) => messageProof({ store, suite: s.suite, log: s.log }, id, cid),
      onMessage: (handler) => this.on('message', handler),
      onMessageChanged: (handler) => this.on('message-changed', handler),
    };
  }

  /**
   * Sends a message or an action: encrypted now, posted now or when the relay is back. Returns
   * the new row, or the message an action names, as it is after the flush.
   */
  async #send(
    id: string,
    content: MessageContent,
    options: { readonly unchecked?: boolean } = {},
  ): Promise<StoredMessage> {
    const message = await this.#s.composer.compose(id, content, options);
    await unlessTransient(() => this.#s.outbox.flush());
    if (message === undefined) throw new TypeError('send: nothing was queued');
    // As it is now: `sent` with its seq if the relay took it, else still `queued`.
    return (await messageOf(this.#store, id, message.id)) ?? message;
  }

  /** Asks the others to remove this account, and stops following the chat. */
  async #leave(id: string): Promise<void> {
    await this.#s.composer.compose(id, { type: 'leave' });
    await unlessTransient(() => this.#s.outbox.flush());
    const chat = await requireChat(this.#store, id);
    await saveChat(this.#store, { ...chat, status: 'left' });
    this.emit('members-changed', {
      chatId: id,
      members: membersOf(groupStateOf(chat, this.#s.mls)).map((m) => m.account),
    });
  }
}
