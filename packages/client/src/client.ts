/**
 * The Parley SDK client: one account on one device, talking to one relay. It registers the
 * account's key bundle, keeps MLS state and history in a ClientStore, creates and joins chats,
 * orders its Commits through the relay (one per epoch, retrying when it loses), and syncs over
 * HTTP with live pushes over a WebSocket. Operations that change state run one at a time
 * (`exclusive`); reads of the store (history, members, message proofs) do not wait for them.
 */
import {
  certifyDevice,
  createAuthenticationService,
  createChatEntry,
  createCryptoSuite,
  createDirectoryEntry,
  createEnvelope,
  decodeCanonical,
  decodeEnvelope,
  encodeCanonical,
  inboxTopic,
  loadMlsCipherSuite,
  mlsClientConfig,
  newSharedTopic,
  openChatEntry,
  openInvitation,
  toHex,
  verifyDirectoryEntry,
  verifyHistory,
  orderEntries,
  encodeTranscript,
  equalBytes,
  fromHex,
  MAX_HEADS,
  checkKeyPackage,
  commitChanges,
  createChatGroup,
  decodeGroupMessage,
  encryptApplicationMessage,
  epochOf,
  generateKeyPackage,
  joinChatGroup,
  leavesOf,
  processGroupMessage,
  sha256,
  type CheckedKeyPackage,
  type GroupChange,
  type GroupState,
  type KeyPackageFailure,
  type MlsContext,
  type ChatEntry,
  type HistoryProblem,
  type HistoryReport,
  type AccountId,
  type CryptoSuite,
  type DeviceCertificate,
  type Identity,
  type RandomSource,
} from '@parley/core';
import { Chat } from './chats/chat.js';
import {
  checkJoinedGroup,
  forgetOwed,
  isPairOf,
  keepOwed,
  owedOf,
  queueOwed,
  type InvitationRejection,
  type Invitee,
  type Inviter,
} from './chats/invitations.js';
import { appendToOutbox, decodeOutboxItem } from './chats/outbox.js';
import {
  addProblem,
  allEntries,
  entriesAt,
  entryByCid,
  problemsOf,
  putEntry,
  setEntryPosition,
  type LiveProblem,
} from './chats/entries.js';
import {
  chatIdOf,
  encodeState,
  groupStateOf,
  listChatIds,
  loadChat,
  membersOf,
  saveChat,
  type ChatMember,
  type ChatRecord,
} from './chats/records.js';
import { WriteKeys } from './chats/write-keys.js';
import { KeyTransparency, type StoredDirectoryEvidence } from './directory/key-transparency.js';
import { ClientError, isClientError } from './errors.js';
import { Emitter, type ClientEvents } from './events.js';
import {
  LogMonitor,
  type HeldCheckpoint,
  type InclusionStatus,
  type StoredEvidence,
  type WitnessKey,
} from './log/log-monitor.js';
import { LiveConnection, type WebSocketConstructor } from './relay/live.js';
import { RelayApi, type Receipt, type TopicEnvelope } from './relay/relay-api.js';
import type { ClientStore, StoredMessage } from './store/client-store.js';

/** How many one-time KeyPackages the client keeps on the relay. */
export const KEY_PACKAGE_TARGET = 20;
const KEY_PACKAGE_LOW_WATER = 8;
const PAGE = 200;
const COMMIT_ATTEMPTS = 8;
/** How many envelopes before an entry with a missing predecessor are asked for again. */
const RESEND_WINDOW = 1000;
/** How long before a gap still open is asked for again on a sync (verify asks every time). */
const GAP_RETRY_MS = 5 * 60_000;

/** An entry whose predecessor was missing when it arrived, kept until the gap closes. */
interface SuspectedGap {
  readonly author: string;
  readonly device: Uint8Array;
  readonly n: number;
  readonly seq: number;
  readonly bytes: Uint8Array;
  /** When the relay was last asked again (0: not yet). */
  readonly askedAt: number;
}

function suspectKey(chatId: string, author: string, device: Uint8Array, n: number): string {
  return `suspect/${chatId}/${author}/${toHex(device)}/${String(n).padStart(12, '0')}`;
}

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

interface Device {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly hpkePrivateKey: Uint8Array;
  readonly hpkePublicKey: Uint8Array;
}

/** A summary of a chat for lists. */
export interface ChatSummary {
  readonly id: string;
  readonly kind: 'pair' | 'group';
  readonly name: string;
  readonly status: ChatRecord['status'];
  readonly members: readonly string[];
  readonly lastMessage: StoredMessage | undefined;
}

/** One account on one device. */
export class Client extends Emitter<ClientEvents> {
  readonly accountId: AccountId;
  readonly identity: Identity;
  readonly chats: ChatDirectory;
  readonly #store: ClientStore;
  readonly #suite: CryptoSuite;
  readonly #random: RandomSource;
  readonly #clock: () => number;
  readonly #api: RelayApi;
  readonly #mls: MlsContext;
  readonly #device: Device;
  readonly #devicesCache = new Map<string, { devices: DeviceCertificate[]; at: number }>();
  readonly #relayUrl: string;
  readonly #WebSocket: WebSocketConstructor | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #live: LiveConnection | undefined;
  readonly #log: LogMonitor;
  readonly #writeKeys: WriteKeys;
  readonly #directory: KeyTransparency;
  /** Per chat, the leaves (by HPKE key) whose members asked to leave and await removal. */
  #pendingRemovals = new Map<string, Map<string, Set<string>>>();

  private constructor(init: {
    options: ClientOptions;
    suite: CryptoSuite;
    random: RandomSource;
    clock: () => number;
    cipherSuite: MlsContext['cipherSuite'];
    device: Device;
  }) {
    super();
    const { options } = init;
    this.identity = options.identity;
    this.accountId = options.identity.accountId;
    this.#store = options.store;
    this.#suite = init.suite;
    this.#random = init.random;
    this.#clock = init.clock;
    this.#device = init.device;
    this.#relayUrl = options.relayUrl;
    this.#WebSocket = options.WebSocket;
    this.#api = new RelayApi({
      relayUrl: options.relayUrl,
      identity: options.identity,
      suite: init.suite,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      inviteCode: options.inviteCode,
      requestTimeoutMs: options.requestTimeoutMs,
    });
    this.#mls = {
      cipherSuite: init.cipherSuite,
      config: mlsClientConfig(
        createAuthenticationService(async (account) =>
          (await this.#devicesOf(account))?.map((device) => device.deviceKey),
        ),
      ),
    };
    this.#log = new LogMonitor({
      api: this.#api,
      store: options.store,
      suite: init.suite,
      clock: init.clock,
      relayId: options.relayId,
      witnesses: options.witnesses,
      requiredCosignatures: options.requiredCosignatures,
      onEvidence: (evidence) => {
        this.emit('evidence', { evidence });
      },
      onIncluded: (chatId, cid, leafIndex, size) => {
        this.emit('included', { chatId, cid, leafIndex, size });
      },
    });
    this.#writeKeys = new WriteKeys(init.suite, this.#mls, init.device.seed);
    this.#directory = new KeyTransparency({
      api: this.#api,
      store: options.store,
      suite: init.suite,
      log: this.#log,
      clock: init.clock,
      accountId: this.accountId,
      deviceKey: init.device.publicKey,
      onEvidence: (evidence) => {
        this.emit('directory-warning', { evidence });
      },
    });
    this.chats = new ChatDirectory(this);
  }

  /** Opens a client; creates this device's keys on first use. Does not contact the relay. */
  static async create(options: ClientOptions): Promise<Client> {
    const suite = options.suite ?? createCryptoSuite(globalThis.crypto.subtle);
    const random =
      options.random ??
      ((length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length)));
    const clock = options.clock ?? (() => Date.now());
    let stored = await options.store.get('device');
    if (stored === undefined) {
      stored = encodeCanonical({ seed: random(32), hpkePrivateKey: random(32) });
      await options.store.put('device', stored);
    }
    const { seed, hpkePrivateKey } = decodeCanonical(stored) as {
      seed: Uint8Array;
      hpkePrivateKey: Uint8Array;
    };
    const device: Device = {
      seed,
      publicKey: await suite.ed25519.publicKey(seed),
      hpkePrivateKey,
      hpkePublicKey: await suite.x25519.publicKey(hpkePrivateKey),
    };
    return new Client({
      options,
      suite,
      random,
      clock,
      cipherSuite: await loadMlsCipherSuite(),
      device,
    });
  }

  /** Runs `work` after every earlier operation of this client finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
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
      this.#publishDirectory(KEY_PACKAGE_TARGET, options.keepDevices ?? false),
    );
  }

  /** Fetches everything new (invitations, chats), processes it, and sends the outbox. */
  sync(): Promise<void> {
    return this.exclusive(async () => {
      await this.#syncInbox();
      for (const id of await listChatIds(this.#store)) await this.#syncChat(id);
      await this.#flushOutbox();
      await this.#topUpKeyPackages();
      await this.#refreshLog();
    });
  }

  /** Opens a WebSocket and keeps chats in sync as envelopes are pushed; reconnects when dropped. */
  async connect(): Promise<void> {
    if (this.#WebSocket === undefined)
      throw new TypeError('Client.connect needs options.WebSocket');
    if (this.#live !== undefined) return;
    await this.sync();
    this.#live = new LiveConnection({
      url: this.#relayUrl,
      WebSocket: this.#WebSocket,
      token: () => this.#api.token(this.#clock()),
      topics: async () => {
        const topics: { topic: Uint8Array; after: number }[] = [
          { topic: inboxTopic(this.accountId), after: await this.#inboxSeq() },
        ];
        for (const id of await listChatIds(this.#store)) {
          const chat = await loadChat(this.#store, id);
          if (chat?.status === 'active') topics.push({ topic: chat.topic, after: chat.lastSeq });
        }
        return topics;
      },
      onEnvelope: (topic) => {
        void this.exclusive(async () => {
          if (chatIdOf(topic) === chatIdOf(inboxTopic(this.accountId))) await this.#syncInbox();
          else await this.#syncChat(chatIdOf(topic));
          await this.#flushOutbox();
        }).catch((error: unknown) => {
          this.#report(undefined, error);
        });
      },
      onCheckpoint: () => {
        void this.exclusive(() => this.#refreshLog()).catch((error: unknown) => {
          this.#report(undefined, error);
        });
      },
      onReconnect: () => {
        void this.sync().catch((error: unknown) => {
          this.#report(undefined, error);
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

  // ——— chats, used by ChatDirectory and Chat ———

  /** @internal */
  async listChats(): Promise<ChatSummary[]> {
    const summaries: ChatSummary[] = [];
    for (const id of await listChatIds(this.#store)) {
      const chat = await loadChat(this.#store, id);
      if (chat === undefined) continue;
      const [lastMessage] = await this.#store.messages(id, { limit: 1 });
      summaries.push({
        id,
        kind: chat.kind,
        name: chat.name,
        status: chat.status,
        members: membersOf(groupStateOf(chat, this.#mls)).map((member) => member.account),
        lastMessage,
      });
    }
    return summaries;
  }

  /** @internal */
  async chatRecord(id: string): Promise<ChatRecord> {
    const chat = await loadChat(this.#store, id);
    if (chat === undefined) throw new ClientError('CLIENT_CHAT_NOT_FOUND', `(${id})`);
    return chat;
  }

  /** @internal */
  members(chat: ChatRecord): ChatMember[] {
    return membersOf(groupStateOf(chat, this.#mls));
  }

  /** @internal */
  history(id: string, options: { before?: number; limit?: number }): Promise<StoredMessage[]> {
    return this.#store.messages(id, {
      limit: options.limit ?? 50,
      ...(options.before === undefined ? {} : { before: options.before }),
    });
  }

  // ——— provable history ———

  /**
   * Verifies a chat's history as this device holds it (docs/spec/history.md): every entry's
   * signature and device, the per-author chains (gaps, broken links, equivocations), the live
   * problems seen while receiving, and the relay log (fresh checkpoint, inclusion of every
   * envelope, evidence). Works offline for the history part.
   */
  verify(id: string): Promise<ChatVerification> {
    return this.exclusive(async () => {
      let chat = await this.chatRecord(id);
      let reachable = true;
      try {
        if (chat.status === 'active') chat = await this.#resolveGaps(chat, true);
        await this.#log.refresh();
      } catch (error) {
        if (!isClientError(error, 'CLIENT_RELAY_UNREACHABLE')) throw error;
        reachable = false;
      }
      const entries = await allEntries(this.#store, id);
      const devices = new Map<string, Uint8Array[] | undefined>();
      for (const entry of entries) {
        if (devices.has(entry.author)) continue;
        const certificates = reachable
          ? await this.#devicesOf(entry.author).catch(() => undefined)
          : undefined;
        devices.set(
          entry.author,
          certificates?.map((c) => c.deviceKey),
        );
      }
      const history = await verifyHistory(
        this.#suite,
        chat.topic,
        entries.map((entry) => entry.bytes),
        {
          // Offline, device keys cannot be looked up: signatures are still checked.
          ...(reachable ? { deviceKeysOf: (account: string) => devices.get(account) } : {}),
          firstHeld: (account, device) => chat.chains[`${account}/${toHex(device)}`]?.first,
        },
      );
      const problems = await problemsOf(this.#store, id);
      let included = 0;
      let pending = 0;
      for (const entry of entries) {
        const status = await this.#log.inclusion(entry.cid);
        if (status.state === 'included') included += 1;
        else if (status.state === 'pending') pending += 1;
      }
      const evidence = await this.#log.evidence();
      const held = await this.#log.latest();
      const integrity = problems.filter(
        (problem) => problem.kind !== 'rejected' || !POLICY_REJECTIONS.has(problem.reason),
      );
      return {
        chatId: id,
        ok: history.ok && integrity.length === 0 && evidence.length === 0,
        history,
        problems,
        log: {
          reachable,
          checkpoint:
            held === undefined
              ? null
              : { size: held.checkpoint.size, rootHash: held.checkpoint.rootHash, note: held.note },
          included,
          pending,
          notTracked: entries.length - included - pending,
          evidence,
        },
      };
    });
  }

  /**
   * A self-contained, verifiable transcript of the chat (docs/spec/history.md §Transcripts):
   * its entries in causal order, the directory entries binding their devices to accounts, and an
   * inclusion proof of each carrying envelope in the relay's latest checkpoint.
   */
  exportTranscript(id: string): Promise<Uint8Array> {
    return this.exclusive(async () => {
      const chat = await this.chatRecord(id);
      const held = await this.#log.refresh();
      const relay = await this.#log.relay();
      const entries = await allEntries(this.#store, id);
      const byHash = new Map(entries.map((entry) => [toHex(entry.hash), entry]));
      const ordered = orderEntries(
        entries.map((entry) => {
          const parsed = decodeCanonical(entry.bytes) as {
            prev: Uint8Array | null;
            heads: Uint8Array[];
            sentAt: number;
          };
          return {
            hash: entry.hash,
            prev: parsed.prev,
            heads: parsed.heads,
            sentAt: parsed.sentAt,
          };
        }),
      );
      const directory: Uint8Array[] = [];
      for (const account of new Set(entries.map((entry) => entry.author))) {
        const found = await this.#api.getDirectory(account);
        if (found !== undefined) directory.push(found.entry);
      }
      const inclusions: { entry: Uint8Array; cid: string; index: number; proof: Uint8Array[] }[] =
        [];
      if (held !== undefined) {
        for (const entry of entries) {
          const status = await this.#log.inclusion(entry.cid);
          if (status.state !== 'included' || status.leafIndex >= held.checkpoint.size) continue;
          const answer = await this.#api.inclusionProof(status.leafIndex, held.checkpoint.size);
          inclusions.push({
            entry: entry.hash,
            cid: entry.cid,
            index: status.leafIndex,
            proof: answer.proof,
          });
        }
      }
      return encodeTranscript({
        v: 1,
        chat: chat.topic,
        exportedAt: this.#clock(),
        entries: ordered.map((links) => byHash.get(toHex(links.hash))?.bytes ?? new Uint8Array()),
        directory,
        firstHeld: Object.entries(chat.chains).map(([key, chain]) => {
          const [account = '', device = ''] = key.split('/');
          return { account, device: fromHex(device), n: chain.first };
        }),
        log:
          held === undefined
            ? null
            : {
                origin: relay.origin,
                publicKey: relay.publicKey,
                checkpoint: held.note,
                inclusions,
              },
      });
    });
  }

  /**
   * The proof behind one message: who signed its entry (verified again now), its place in the
   * author's chain, and where its envelope stands in the relay's log.
   */
  async messageProof(id: string, cid: string): Promise<MessageProof | undefined> {
    const chat = await this.chatRecord(id);
    const entry = await entryByCid(this.#store, id, cid);
    if (entry === undefined) return undefined;
    const opened = await openChatEntry(this.#suite, entry.bytes, chat.topic);
    const held = await this.#log.latest().catch(() => undefined);
    return {
      cid,
      author: entry.author,
      device: entry.device,
      n: entry.n,
      entryHash: entry.hash,
      signature: opened.ok ? 'verified' : opened.reason,
      inclusion: await this.#log.inclusion(cid),
      checkpoint:
        held === undefined
          ? null
          : { size: held.checkpoint.size, rootHash: held.checkpoint.rootHash, note: held.note },
    };
  }

  /** Where an envelope this device sent or received stands in the relay's log. */
  inclusion(cid: string): Promise<InclusionStatus> {
    return this.#log.inclusion(cid);
  }

  /**
   * Refreshes the view of the relay's log: fetches and checks the latest checkpoint, verifies
   * the inclusion of every envelope it now covers. Returns the checkpoint held afterwards.
   */
  checkLog(): Promise<HeldCheckpoint | undefined> {
    return this.exclusive(() => this.#log.refresh());
  }

  /** Evidence of relay misbehaviour found so far. */
  logEvidence(): Promise<StoredEvidence[]> {
    return this.#log.evidence();
  }

  /**
   * Directory warnings found so far (docs/spec/log.md §Key transparency): entries of this
   * account this device did not publish, and entries older than ones seen before.
   */
  directoryEvidence(): Promise<StoredDirectoryEvidence[]> {
    return this.#directory.evidence();
  }

  /** @internal Creates a chat with `members` added in its first Commit. */
  createChat(kind: 'pair' | 'group', name: string, members: readonly string[]): Promise<string> {
    return this.exclusive(async () => {
      const peer = members[0];
      if (kind === 'pair' && peer !== undefined) {
        const found = await this.#existingPair(peer);
        if (found !== undefined) return found;
      }
      const topic = newSharedTopic(this.#random);
      const own = await this.#newKeyPackage();
      const state = await createChatGroup(this.#mls, topic, own);
      const id = chatIdOf(topic);
      await saveChat(this.#store, {
        id,
        topic,
        kind,
        name,
        state: encodeState(state),
        lastSeq: 0,
        counter: 0,
        prev: null,
        heads: [],
        chains: {},
        status: 'active',
        createdAt: this.#clock(),
      });
      this.#live?.subscribe(topic, 0);
      const invitees = members.filter((member) => member !== this.accountId);
      if (invitees.length > 0) await this.#addMembers(id, invitees);
      return id;
    });
  }

  /**
   * The active pair chat whose members are exactly this account and `peer`, finished if it was
   * left half-made: a chat whose Commit never added the peer adds it now, and invitations still
   * owed or queued are sent. A chat with anyone else in it is never returned.
   */
  async #existingPair(peer: string): Promise<string | undefined> {
    for (const id of await listChatIds(this.#store)) {
      const found = await loadChat(this.#store, id);
      if (found?.kind !== 'pair' || found.status !== 'active' || found.name !== peer) continue;
      // A Commit whose receipt was lost is adopted (and its invitations queued) by a sync.
      await this.#syncChat(id).catch((error: unknown) => {
        if (!isTransient(error)) throw error;
      });
      const chat = await this.chatRecord(id);
      if (chat.status !== 'active') continue;
      const state = groupStateOf(chat, this.#mls);
      if (isPairOf(state, this.accountId, peer)) {
        await this.#flushOutbox().catch((error: unknown) => {
          if (!isTransient(error)) throw error;
        });
        return id;
      }
      const accounts = membersOf(state).map((member) => member.account as string);
      if (accounts.length === 1 && accounts[0] === this.accountId) {
        await this.#addMembers(id, [peer]);
        return id;
      }
    }
    return undefined;
  }

  /** @internal */
  addMember(id: string, account: string): Promise<void> {
    return this.exclusive(() => this.#addMembers(id, [account]));
  }

  /** @internal */
  removeMember(id: string, account: string): Promise<void> {
    return this.exclusive(() => this.#removeMember(id, account, true));
  }

  /** @internal Sends a text message: encrypted now, posted now or when the relay is back. */
  send(id: string, text: string): Promise<StoredMessage> {
    return this.exclusive(async () => {
      const message = await this.#enqueue(id, { type: 'text', text });
      await this.#flushOutbox().catch((error: unknown) => {
        if (!isTransient(error)) throw error;
      });
      if (message === undefined) throw new TypeError('send: nothing was queued');
      // As it is now: `sent` with its seq if the relay took it, else still `queued`.
      const [current] = await this.#store.messages(id, { before: message.id + 1, limit: 1 });
      return current ?? message;
    });
  }

  /** @internal Asks the others to remove this account, and stops following the chat. */
  leave(id: string): Promise<void> {
    return this.exclusive(async () => {
      await this.#enqueue(id, { type: 'leave' });
      await this.#flushOutbox().catch((error: unknown) => {
        if (!isTransient(error)) throw error;
      });
      const chat = await this.chatRecord(id);
      await saveChat(this.#store, { ...chat, status: 'left' });
      this.emit('members-changed', {
        chatId: id,
        members: this.members(chat).map((m) => m.account),
      });
    });
  }

  // ——— directory ———

  async #publishDirectory(oneTime: number, keepDevices: boolean): Promise<void> {
    const now = this.#clock();
    const current = await this.#api.getDirectory(this.accountId);
    let others: DeviceCertificate[] = [];
    let updatedAt = now;
    if (current !== undefined) {
      const verified = await verifyDirectoryEntry(this.#suite, current.entry);
      if (verified.ok && verified.value.entry.account === this.accountId) {
        // A device that never published here (not recorded, not listed: a new install) knows
        // no other device, so its entry replaces the list.
        const listed = verified.value.entry.devices.some(
          (device) => toHex(device.deviceKey) === toHex(this.#device.publicKey),
        );
        if (keepDevices || listed || (await this.#directory.lastPublished()) !== undefined) {
          others = verified.value.entry.devices.filter(
            (device) => toHex(device.deviceKey) !== toHex(this.#device.publicKey),
          );
        }
        updatedAt = Math.max(now, verified.value.entry.updatedAt + 1);
      }
    }
    const certificate = await certifyDevice(this.#suite, this.identity, {
      deviceKey: this.#device.publicKey,
      hpkeKey: this.#device.hpkePublicKey,
      createdAt: now,
    });
    const lastResort = await this.#newKeyPackage();
    const packages = [];
    for (let i = 0; i < oneTime; i++) packages.push((await this.#newKeyPackage()).bytes);
    const { bytes, cid } = await createDirectoryEntry(this.#suite, this.identity, {
      devices: [...others, certificate],
      lastResort: lastResort.bytes,
      updatedAt,
    });
    const { leafIndex } = await this.#api.putDirectory(
      this.accountId,
      bytes,
      packages,
      this.#device.publicKey,
      now,
    );
    if (leafIndex !== undefined) {
      await this.#directory.published({ entry: bytes, cid: cid.toString(), leafIndex, updatedAt });
    }
    this.#devicesCache.delete(this.accountId);
  }

  /**
   * Watches this account's entry (a foreign one becomes a `directory-warning`) and tops up
   * KeyPackages, unless a newer entry dropped this device: then it stays dropped until
   * `register()` is called again.
   */
  async #topUpKeyPackages(): Promise<void> {
    let own;
    try {
      own = await this.#directory.checkOwn();
    } catch (error) {
      if (!isClientError(error) || !error.code.startsWith('CLIENT_DIRECTORY_')) throw error;
      this.#report(undefined, error);
      return;
    }
    if (own === undefined) return;
    const listed = own.entry.devices.some(
      (device) => toHex(device.deviceKey) === toHex(this.#device.publicKey),
    );
    if (listed && own.availableKeyPackages < KEY_PACKAGE_LOW_WATER) {
      await this.#publishDirectory(KEY_PACKAGE_TARGET - own.availableKeyPackages, false);
    }
  }

  /** A fresh KeyPackage of this device, its secrets kept under its hash until a Welcome uses it. */
  async #newKeyPackage() {
    const generated = await generateKeyPackage(this.#mls, {
      account: this.accountId,
      deviceSeed: this.#device.seed,
      deviceKey: this.#device.publicKey,
    });
    await this.#store.put(
      `kp/${toHex(generated.hash)}`,
      encodeCanonical({
        kp: generated.bytes,
        init: generated.secrets.initPrivateKey,
        hpke: generated.secrets.hpkePrivateKey,
        sig: generated.secrets.signaturePrivateKey,
      }),
    );
    return generated;
  }

  /**
   * The verified device certificates of an account's newest entry, checked against the log and
   * for rollback (KeyTransparency.lookup); cached for a minute unless `fresh`.
   * @throws ClientError CLIENT_DIRECTORY_INVALID | CLIENT_DIRECTORY_ROLLBACK |
   *   CLIENT_DIRECTORY_NOT_LOGGED | CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async #devicesOf(account: string, fresh = false): Promise<DeviceCertificate[] | undefined> {
    const cached = this.#devicesCache.get(account);
    if (!fresh && cached !== undefined && this.#clock() - cached.at < 60_000) {
      return cached.devices;
    }
    const accepted = await this.#directory.lookup(account);
    if (accepted === undefined) return undefined;
    const devices = [...accepted.entry.devices];
    this.#devicesCache.set(account, { devices, at: this.#clock() });
    return devices;
  }

  // ——— commits ———

  async #addMembers(id: string, accounts: readonly string[]): Promise<void> {
    const claimed = new Map<
      string,
      { keyPackage: CheckedKeyPackage; bytes: Uint8Array; hpkeKey: Uint8Array }
    >();
    for (const account of accounts) {
      if ((await this.#devicesOf(account)) === undefined) {
        throw new ClientError('CLIENT_NOT_REGISTERED', `(${account})`);
      }
    }
    await this.#commit(
      id,
      async (state) => {
        const members = new Set(membersOf(state).map((member) => member.account as string));
        const changes: GroupChange[] = [];
        for (const account of accounts) {
          if (members.has(account)) throw new ClientError('CLIENT_ALREADY_MEMBER', `(${account})`);
          let package_ = claimed.get(account);
          if (package_ === undefined) {
            package_ = await this.#claim(account);
            claimed.set(account, package_);
          }
          changes.push({ kind: 'add', keyPackage: package_.keyPackage });
        }
        return changes;
      },
      () =>
        [...claimed].map(([account, package_]): Invitee => ({
          account: account as AccountId,
          keyPackageHash: sha256(package_.bytes),
          hpkeKey: package_.hpkeKey,
        })),
    );
  }

  /** Claims and checks a KeyPackage of `account`, and finds its device's HPKE key. */
  async #claim(account: string) {
    const claimed = await this.#api.claimKeyPackage(account, this.#clock());
    const checked = await checkKeyPackage(this.#mls, claimed.keyPackage, account);
    if (!checked.ok) {
      throw new ClientError(
        'CLIENT_KEY_PACKAGE_INVALID',
        `(${KEY_PACKAGE_REFUSALS[checked.reason]})`,
      );
    }
    const identity = checked.value;
    // The newest entry, never a cached list: a superseded device gets no new chat.
    const device = (await this.#devicesOf(account, true))?.find(
      (cert) => toHex(cert.deviceKey) === toHex(identity.device),
    );
    if (device === undefined)
      throw new ClientError('CLIENT_KEY_PACKAGE_INVALID', '(device not in the directory)');
    return { keyPackage: identity.keyPackage, bytes: claimed.keyPackage, hpkeKey: device.hpkeKey };
  }

  /**
   * Removes every leaf of `account`, or with `onlyLeaves` only those whose HPKE keys are listed
   * (a leave request names the leaves that asked; if the account was removed and added back
   * since, its new leaves stay).
   */
  async #removeMember(
    id: string,
    account: string,
    strict: boolean,
    onlyLeaves?: ReadonlySet<string>,
  ): Promise<void> {
    await this.#commit(id, (state) => {
      const leaves = leavesOf(state, account).filter(
        (leaf) => onlyLeaves === undefined || onlyLeaves.has(toHex(leaf.hpkeKey)),
      );
      if (leaves.length === 0) {
        if (strict) throw new ClientError('CLIENT_MEMBER_NOT_FOUND', `(${account})`);
        return Promise.resolve([]);
      }
      return Promise.resolve(
        leaves.map((leaf): GroupChange => ({ kind: 'remove', leaf: leaf.index })),
      );
    });
  }

  /**
   * Commits changes built against the latest state. The relay accepts one Commit per epoch;
   * when another member's wins, this processes it and builds the Commit again.
   */
  async #commit(
    id: string,
    changesFor: (state: GroupState) => Promise<GroupChange[]>,
    inviteesOf?: () => Invitee[],
  ): Promise<void> {
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      await this.#syncChat(id);
      const chat = await this.chatRecord(id);
      if (chat.status !== 'active') throw new ClientError('CLIENT_NOT_A_MEMBER');
      const state = groupStateOf(chat, this.#mls);
      const changes = await changesFor(state);
      if (changes.length === 0) return;
      const result = await commitChanges(this.#mls, state, changes);
      const envelope = createEnvelope({
        topic: chat.topic,
        payload: result.commit,
        createdAt: this.#clock(),
      });
      await this.#store.put(`mine/${envelope.cid.toString()}`, new Uint8Array([1]));
      // Signed by this epoch's write key, naming the next epoch's: only members commit.
      const proof = await this.#writeKeys.proof(
        chat.topic,
        envelope.cid.bytes,
        state,
        result.newState,
      );
      // The invitations the Welcome owes are kept before the Commit leaves: whatever happens to
      // the post, they reach the outbox once the Commit is known to be ordered.
      const invitees = inviteesOf?.() ?? [];
      if (result.welcome !== undefined && invitees.length > 0) {
        await keepOwed(this.#store, id, {
          commit: envelope.cid.toString(),
          welcome: result.welcome,
          invitees,
        });
      }
      let receipt: Receipt;
      try {
        receipt = await this.#api.postEnvelope(envelope.bytes, this.#clock(), proof);
      } catch (error) {
        if (
          isClientError(error) &&
          (error.relayCode === 'RELAY_COMMIT_CONFLICT' ||
            error.relayCode === 'RELAY_WRITE_FORBIDDEN')
        ) {
          await this.#store.delete(`mine/${envelope.cid.toString()}`);
          await forgetOwed(this.#store, id);
          continue;
        }
        // The relay may have stored the Commit without our hearing back. Keep the new state
        // beside the chat: if the Commit shows up in the topic, it becomes the chat's state.
        await this.#store.put(
          `pending-commit/${id}`,
          encodeCanonical({ cid: envelope.cid.toString(), state: encodeState(result.newState) }),
        );
        throw error;
      }
      const updated: ChatRecord = { ...chat, state: encodeState(result.newState) };
      const save = async () => {
        await this.#store.delete(`pending-commit/${id}`);
        await saveChat(this.#store, updated);
      };
      const owed = await owedOf(this.#store, id);
      if (owed?.commit === envelope.cid.toString()) {
        await queueOwed(this.#store, this.#inviter(), updated, owed, receipt.seq, save);
      } else {
        await save();
      }
      await this.#trackReceipt(id, receipt);
      this.emit('members-changed', {
        chatId: id,
        members: membersOf(result.newState).map((m) => m.account),
      });
      if (owed !== undefined) {
        await this.#flushOutbox().catch((error: unknown) => {
          if (!isTransient(error)) throw error;
        });
      }
      return;
    }
    throw new ClientError('CLIENT_COMMIT_CONFLICT', `(${COMMIT_ATTEMPTS} attempts)`);
  }

  // ——— sending ———

  /** This device as the signer of its invitations. */
  #inviter(): Inviter {
    return {
      suite: this.#suite,
      account: this.accountId,
      deviceSeed: this.#device.seed,
      deviceKey: this.#device.publicKey,
      random: this.#random,
      clock: this.#clock,
    };
  }

  async #enqueue(
    id: string,
    body: { type: 'text'; text: string } | { type: 'leave' },
  ): Promise<StoredMessage | undefined> {
    const chat = await this.chatRecord(id);
    if (chat.status !== 'active') throw new ClientError('CLIENT_NOT_A_MEMBER');
    if (body.type === 'text' && new TextEncoder().encode(body.text).length > 64 * 1024) {
      throw new ClientError('CLIENT_TEXT_TOO_LONG');
    }
    const sentAt = this.#clock();
    const counter = chat.counter + 1;
    const prev = counter === 1 ? null : chat.prev;
    const heads = chat.heads
      .filter((head) => prev === null || !equalBytes(head, prev))
      .slice()
      .sort(compareBytes)
      .slice(0, MAX_HEADS);
    const checkpoint = (await this.#log.latest().catch(() => undefined))?.note ?? null;
    const created = await createChatEntry(this.#suite, this.#device.seed, {
      chat: chat.topic,
      author: this.accountId,
      device: this.#device.publicKey,
      n: counter,
      prev,
      heads,
      sentAt,
      body,
      checkpoint,
    });
    const entry = created.bytes;
    const state = groupStateOf(chat, this.#mls);
    const sent = await encryptApplicationMessage(this.#mls, state, entry);
    const payload = sent.message;
    const envelope = createEnvelope({ topic: chat.topic, payload, createdAt: sentAt });
    const cid = envelope.cid.toString();
    // State, history and outbox change together, before any byte leaves: a restart never
    // reuses a key, and the outbox posts exactly these bytes (the relay dedupes by CID).
    return this.#store.transaction(async () => {
      const chainKey = `${this.accountId}/${toHex(this.#device.publicKey)}`;
      await saveChat(this.#store, {
        ...chat,
        state: encodeState(sent.newState),
        counter,
        prev: created.hash,
        heads: [created.hash],
        chains: {
          ...chat.chains,
          [chainKey]: { first: chat.chains[chainKey]?.first ?? counter, last: counter },
        },
      });
      await putEntry(this.#store, id, {
        bytes: entry,
        hash: created.hash,
        author: this.accountId,
        device: this.#device.publicKey,
        n: counter,
        cid,
        seq: null,
        leafIndex: null,
        own: true,
      });
      await this.#store.put(`mine/${cid}`, new Uint8Array([1]));
      const message =
        body.type === 'text'
          ? await this.#store.addMessage({
              chatId: id,
              author: this.accountId,
              text: body.text,
              sentAt,
              own: true,
              status: 'queued',
              cid,
              seq: undefined,
            })
          : undefined;
      // Outbox keys sort in the order messages were written (the entry counters must arrive
      // in order, or receivers would refuse later ones as replays).
      await appendToOutbox(this.#store, {
        chat: id,
        envelope: envelope.bytes,
        message: message?.id ?? 0,
      });
      if (message !== undefined) this.emit('message', { chatId: id, message });
      return message;
    });
  }

  async #flushOutbox(): Promise<void> {
    for (const key of await this.#store.keys('outbox/')) {
      const item = await this.#store.get(key);
      if (item === undefined) continue;
      const { chat, envelope, message, invitation } = decodeOutboxItem(item);
      let receipt: Receipt;
      try {
        // An invitation goes to an inbox, which takes no write proof.
        receipt =
          invitation === true
            ? await this.#api.postEnvelope(envelope, this.#clock())
            : await this.#postToChat(chat, envelope);
      } catch (error) {
        // An inbox that refuses for now (full, rate-limited) holds back only this invitation.
        if (
          invitation === true &&
          isTransient(error) &&
          !isClientError(error, 'CLIENT_RELAY_UNREACHABLE')
        ) {
          continue;
        }
        if (isTransient(error)) throw error;
        // Refused for good (the relay will never take these bytes): drop it and say so.
        await this.#store.transaction(async () => {
          if (message > 0) await this.#store.markFailed(chat, message);
          await this.#store.delete(key);
        });
        this.#report(chat, error);
        continue;
      }
      await this.#store.transaction(async () => {
        if (message > 0) await this.#store.markSent(chat, message, receipt.cid, receipt.seq);
        if (invitation !== true)
          await setEntryPosition(this.#store, chat, receipt.cid, receipt.seq, receipt.leafIndex);
        await this.#store.delete(key);
      });
      if (invitation === true) continue;
      await this.#trackReceipt(chat, receipt);
      if (message > 0)
        this.emit('sent', { chatId: chat, id: message, seq: receipt.seq, cid: receipt.cid });
    }
  }

  /**
   * Posts outbox bytes to a chat topic with a write proof of the chat's current epoch. Refused
   * because the relay's topic moved on (Commits this device has not processed): syncs the chat
   * and tries once more with the new epoch's key.
   */
  async #postToChat(id: string, envelope: Uint8Array): Promise<Receipt> {
    const post = async () => {
      const chat = await this.chatRecord(id);
      const proof = await this.#writeKeys.proof(
        chat.topic,
        decodeEnvelope(envelope).cid.bytes,
        groupStateOf(chat, this.#mls),
      );
      return this.#api.postEnvelope(envelope, this.#clock(), proof);
    };
    try {
      return await post();
    } catch (error) {
      if (!isClientError(error) || error.relayCode !== 'RELAY_WRITE_FORBIDDEN') throw error;
      await this.#syncChat(id);
      return post();
    }
  }

  // ——— receiving ———

  async #inboxSeq(): Promise<number> {
    const stored = await this.#store.get('inbox/lastSeq');
    return stored === undefined ? 0 : (decodeCanonical(stored) as number);
  }

  async #syncInbox(): Promise<void> {
    const inbox = inboxTopic(this.accountId);
    let after = await this.#inboxSeq();
    for (;;) {
      const page = await this.#api.fetchEnvelopes(inbox, after, PAGE, this.#clock());
      for (const item of page.envelopes) {
        try {
          await this.#acceptInvitation(item.bytes, inbox, item.seq);
        } catch (error) {
          this.#report(undefined, error);
        }
        after = item.seq;
        await this.#store.put('inbox/lastSeq', encodeCanonical(after));
      }
      if (page.envelopes.length < PAGE) break;
    }
    if (after > 0) await this.#api.acknowledge(inbox, after, this.#clock());
  }

  /**
   * Joins the chat of an invitation its inviter proved (docs/spec/chats.md §Invitations); any
   * other is dropped with an `invitation-rejected` event and never shown.
   */
  async #acceptInvitation(
    envelopeBytes: Uint8Array,
    inbox: Uint8Array,
    seq: number,
  ): Promise<void> {
    const { envelope } = decodeEnvelope(envelopeBytes);
    const opened = await openInvitation(
      this.#suite,
      envelope.payload,
      this.#device.hpkePrivateKey,
      inbox,
      this.accountId,
    );
    const refuse = (reason: InvitationRejection) => {
      this.emit('invitation-rejected', { seq, reason });
    };
    if (!opened.ok) {
      refuse(opened.reason);
      return;
    }
    const invitation = opened.value;
    const certified = await this.#devicesOf(invitation.inviter).catch(() => undefined);
    if (certified?.some((cert) => equalBytes(cert.deviceKey, invitation.inviterDevice)) !== true) {
      refuse('inviter-not-certified');
      return;
    }
    const id = chatIdOf(invitation.chat);
    const previous = await loadChat(this.#store, id);
    if (previous?.status === 'active') return;
    const storedPackage = await this.#store.get(`kp/${toHex(invitation.keyPackageHash)}`);
    if (storedPackage === undefined)
      throw new ClientError('CLIENT_KEY_PACKAGE_INVALID', '(invitation for an unknown KeyPackage)');
    const parts = decodeCanonical(storedPackage) as {
      kp: Uint8Array;
      init: Uint8Array;
      hpke: Uint8Array;
      sig: Uint8Array;
    };
    const joined = await joinChatGroup(this.#mls, invitation.welcome, {
      bytes: parts.kp,
      secrets: {
        initPrivateKey: parts.init,
        hpkePrivateKey: parts.hpke,
        signaturePrivateKey: parts.sig,
      },
    });
    if (!joined.ok) throw new ClientError('CLIENT_KEY_PACKAGE_INVALID', '(malformed invitation)');
    const state = joined.value;
    const wrong = checkJoinedGroup(state, invitation, this.accountId);
    if (wrong !== undefined) {
      refuse(wrong);
      return;
    }
    // A pair chat is named after its other member: the inviter, as proven above.
    const name = invitation.kind === 'pair' ? invitation.inviter : invitation.name;
    await saveChat(this.#store, {
      id,
      topic: invitation.chat,
      kind: invitation.kind,
      name,
      state: encodeState(state),
      lastSeq: invitation.since,
      // Re-invited after leaving or removal: keep counting where this device stopped, or the
      // others (who remember its last counter) would take new entries for replays.
      counter: previous?.counter ?? 0,
      prev: previous?.prev ?? null,
      heads: previous?.heads ?? [],
      chains: previous?.chains ?? {},
      status: 'active',
      createdAt: this.#clock(),
    });
    this.emit('invited', {
      chatId: id,
      name,
      inviter: invitation.inviter,
      kind: invitation.kind,
    });
    this.#live?.subscribe(invitation.chat, invitation.since);
    await this.#syncChat(id);
  }

  async #syncChat(id: string): Promise<void> {
    let chat = await this.chatRecord(id);
    if (chat.status !== 'active') return;
    for (;;) {
      const page = await this.#api.fetchEnvelopes(chat.topic, chat.lastSeq, PAGE, this.#clock());
      for (const item of page.envelopes) {
        chat = await this.#process(chat, item);
        await saveChat(this.#store, chat);
        if (chat.status !== 'active') break;
      }
      if (page.envelopes.length < PAGE || chat.status !== 'active') break;
    }
    if (chat.status === 'active') chat = await this.#resolveGaps(chat);
    if (chat.status === 'active' && chat.lastSeq > 0) {
      // A pseudonymous cursor, proven with this epoch's write key (no account beside the topic).
      const cursor = await this.#writeKeys.cursor(
        chat.topic,
        chat.lastSeq,
        groupStateOf(chat, this.#mls),
      );
      await this.#api
        .acknowledge(chat.topic, chat.lastSeq, this.#clock(), cursor)
        .catch(() => undefined);
    }
    const removals = this.#pendingRemovals.get(id);
    this.#pendingRemovals.delete(id);
    for (const [account, leaves] of removals ?? []) {
      await this.#removeMember(id, account, false, leaves).catch((error: unknown) => {
        this.#report(id, error);
      });
    }
  }

  /** Processes one envelope of a chat; returns the chat with `lastSeq` moved past it. */
  async #process(chat: ChatRecord, item: TopicEnvelope, resending = false): Promise<ChatRecord> {
    const { seq, bytes } = item;
    // Asking again for a range is quiet: whatever fails there failed (and was filed) before.
    const reject = (record: ChatRecord, reason: string, at: number, cid: string) =>
      resending ? Promise.resolve(record) : this.#reject(record, reason, at, cid);
    const next = resending ? chat : { ...chat, lastSeq: seq };
    // The CID comes from the bytes, never from the relay's word.
    let cid: string;
    try {
      cid = decodeEnvelope(bytes).cid.toString();
    } catch {
      return reject(next, 'malformed-envelope', seq, item.cid);
    }
    const pending = await this.#store.get(`pending-commit/${chat.id}`);
    if (pending !== undefined) {
      const { cid: pendingCid, state } = decodeCanonical(pending) as {
        cid: string;
        state: Uint8Array;
      };
      if (pendingCid === cid) {
        // Our Commit whose receipt was lost: the relay ordered it, so its epoch is ours now.
        const adopted: ChatRecord = { ...next, state };
        const owed = await owedOf(this.#store, chat.id);
        const adopt = () => this.#store.delete(`pending-commit/${chat.id}`);
        // The invitations its Welcome owes go to the outbox now (since = this seq).
        if (owed?.commit === cid)
          await queueOwed(this.#store, this.#inviter(), adopted, owed, seq, adopt);
        else await adopt();
        this.emit('members-changed', {
          chatId: chat.id,
          members: membersOf(groupStateOf(adopted, this.#mls)).map((member) => member.account),
        });
        return adopted;
      }
    }
    if ((await this.#store.get(`mine/${cid}`)) !== undefined) return next;
    try {
      const { envelope } = decodeEnvelope(bytes);
      const decoded = decodeGroupMessage(envelope.payload);
      if (!decoded.ok) return await reject(next, 'not-private', seq, cid);
      const pm = decoded.value;
      const state = groupStateOf(chat, this.#mls);
      if (toHex(pm.groupId) !== toHex(chat.topic))
        return await reject(next, 'wrong-group', seq, cid);
      if (pm.epoch > epochOf(state)) return await reject(next, 'future-epoch', seq, cid);
      // Asking again for a range only fills in application messages; Commits were applied.
      if (resending && pm.contentType !== 'application') return next;
      if (pm.contentType === 'commit' && pm.epoch < epochOf(state)) {
        // A Commit the relay ordered after ours for the same epoch cannot exist; an older one is noise.
        return await reject(next, 'stale-commit', seq, cid);
      }
      const result = await processGroupMessage(this.#mls, state, pm);
      if (result.kind === 'handshake') {
        // Another Commit took this epoch: a Commit of ours still awaiting its receipt lost.
        await this.#store.delete(`pending-commit/${chat.id}`);
        await forgetOwed(this.#store, chat.id);
        const { removed } = result;
        const updated: ChatRecord = {
          ...next,
          state: encodeState(result.newState),
          status: removed ? 'removed' : 'active',
        };
        this.emit('members-changed', {
          chatId: chat.id,
          members: removed ? [] : membersOf(result.newState).map((member) => member.account),
          ...(removed ? { removed: true } : {}),
        });
        return updated;
      }
      const opened = await openChatEntry(this.#suite, result.data, chat.topic);
      const after: ChatRecord = { ...next, state: encodeState(result.newState) };
      if (!opened.ok) return await reject(after, opened.reason, seq, cid);
      const entry = opened.value;
      // MLS says which leaf of that epoch sent it; the entry must be that leaf's own (a member
      // re-wrapping another member's authentic entry is refused).
      const { sender } = result;
      if (
        sender === undefined ||
        sender.account !== entry.author ||
        !equalBytes(sender.device, entry.device)
      ) {
        return await reject(after, 'sender-mismatch', seq, cid);
      }
      // Only a current member's device counts, so a removed member's old keys cannot speak.
      const member = membersOf(result.newState).find((m) => m.account === entry.author);
      if (member?.devices.some((device) => toHex(device) === toHex(entry.device)) !== true) {
        return await reject(after, 'not-a-member', seq, cid);
      }
      const accepted = await this.#acceptEntry(after, entry, result.data, {
        cid,
        seq,
        leafIndex: item.leafIndex ?? null,
      });
      if (accepted === undefined) return after;
      const { chat: updated, show } = accepted;
      if (entry.checkpoint !== null) {
        await this.#log.compare(entry.checkpoint).catch((error: unknown) => {
          this.#report(chat.id, error);
        });
      }
      if (item.leafIndex !== undefined) {
        await this.#log.trackDelivery(chat.id, cid, item.leafIndex);
      }
      if (entry.body.type === 'leave') {
        if (entry.author !== this.accountId) {
          const pending = this.#pendingRemovals.get(chat.id) ?? new Map<string, Set<string>>();
          const leaves = pending.get(entry.author) ?? new Set<string>();
          for (const leaf of leavesOf(result.newState, entry.author))
            leaves.add(toHex(leaf.hpkeKey));
          pending.set(entry.author, leaves);
          this.#pendingRemovals.set(chat.id, pending);
        }
        return updated;
      }
      // Until the SDK applies the other content types (ADR 0016), only text is stored.
      if (!show || entry.body.type !== 'text') return updated;
      const stored = await this.#store.addMessage({
        chatId: chat.id,
        author: entry.author,
        text: entry.body.text,
        sentAt: entry.sentAt,
        own: entry.author === this.accountId,
        status: 'received',
        cid,
        seq,
      });
      if (stored !== undefined) this.emit('message', { chatId: chat.id, message: stored });
      return updated;
    } catch (error) {
      return reject(next, error instanceof Error ? error.message : String(error), seq, cid);
    }
  }

  /**
   * Files a received entry under its chain and checks it against what is held: an exact repeat
   * is a replay (undefined); another entry at the same (author, device, n) is an equivocation
   * (kept, not shown); a `prev` that is not the held predecessor is a broken link; a predecessor
   * that arrives after its successor was reordered; a missing predecessor is a suspected gap,
   * asked for again at the end of the sync.
   */
  async #acceptEntry(
    chat: ChatRecord,
    entry: ChatEntry & { readonly hash: Uint8Array },
    bytes: Uint8Array,
    position: { cid: string; seq: number; leafIndex: number | null },
  ): Promise<{ chat: ChatRecord; show: boolean } | undefined> {
    const { author, device, n, hash } = entry;
    const same = await entriesAt(this.#store, chat.id, author, device, n);
    if (same.some((held) => equalBytes(held.hash, hash))) {
      await this.#reject(chat, 'replay', position.seq, position.cid);
      return undefined;
    }
    await putEntry(this.#store, chat.id, {
      bytes,
      hash,
      author,
      device,
      n,
      cid: position.cid,
      seq: position.seq,
      leafIndex: position.leafIndex,
      own: author === this.accountId,
    });
    const chainKey = `${author}/${toHex(device)}`;
    const chain = chat.chains[chainKey];
    const referenced = entry.prev === null ? entry.heads : [entry.prev, ...entry.heads];
    const heads = chat.heads.filter((head) => !referenced.some((ref) => equalBytes(ref, head)));
    heads.push(hash);
    const updated: ChatRecord = {
      ...chat,
      heads: heads.slice(-4 * MAX_HEADS),
      chains: {
        ...chat.chains,
        [chainKey]: {
          first: Math.min(chain?.first ?? n, n),
          last: Math.max(chain?.last ?? n, n),
        },
      },
    };
    const first = same[0];
    if (first !== undefined) {
      this.#problem(chat.id, {
        kind: 'equivocation',
        author,
        device,
        n,
        evidence: [first.bytes, bytes],
      });
      return { chat: updated, show: false };
    }
    if (n > 1) {
      const before = await entriesAt(this.#store, chat.id, author, device, n - 1);
      const previous = before[0];
      if (
        previous !== undefined &&
        !before.some((held) => equalBytes(held.hash, entry.prev ?? new Uint8Array()))
      ) {
        this.#problem(chat.id, {
          kind: 'broken-link',
          author,
          device,
          n,
          evidence: [previous.bytes, bytes],
        });
      } else if (previous === undefined && chain !== undefined && n - 1 >= chain.first) {
        const gap: SuspectedGap = { author, device, n, seq: position.seq, bytes, askedAt: 0 };
        await this.#store.put(suspectKey(chat.id, author, device, n), encodeCanonical(gap));
      }
    }
    const later = (await entriesAt(this.#store, chat.id, author, device, n + 1))[0];
    if (later !== undefined && !later.own && later.seq !== null && later.seq < position.seq) {
      const problem: LiveProblem = {
        kind: 'reordered',
        author,
        device,
        n,
        seqs: [later.seq, position.seq],
        evidence: [later.bytes, bytes],
      };
      await addProblem(this.#store, chat.id, problem, this.#clock());
      this.#problem(chat.id, problem);
    }
    return { chat: updated, show: true };
  }

  /**
   * Asks the relay again for the range before each entry whose predecessor is missing, and
   * reports a gap for what is still missing afterwards.
   */
  async #resolveGaps(chat: ChatRecord, force = false): Promise<ChatRecord> {
    let current = chat;
    for (const key of await this.#store.keys(`suspect/${chat.id}/`)) {
      const stored = await this.#store.get(key);
      if (stored === undefined) continue;
      const gap = decodeCanonical(stored) as SuspectedGap;
      const held = (n: number) => entriesAt(this.#store, chat.id, gap.author, gap.device, n);
      if ((await held(gap.n - 1)).length > 0) {
        await this.#store.delete(key);
        continue;
      }
      // Asked at once, then again at most every few minutes (or when verifying): a relay that
      // lost the envelope for good (retention) must not cost a re-read on every sync.
      if (!force && gap.askedAt > 0 && this.#clock() - gap.askedAt < GAP_RETRY_MS) continue;
      current = await this.#askAgain(current, gap.seq);
      if ((await held(gap.n - 1)).length > 0) {
        await this.#store.delete(key);
        continue;
      }
      await this.#store.put(key, encodeCanonical({ ...gap, askedAt: this.#clock() }));
      if (gap.askedAt > 0) continue;
      const first = current.chains[`${gap.author}/${toHex(gap.device)}`]?.first ?? 1;
      const missingTo = gap.n - 1;
      let missingFrom = missingTo;
      while (missingFrom - 1 >= first && (await held(missingFrom - 1)).length === 0) {
        missingFrom -= 1;
      }
      this.#problem(chat.id, {
        kind: 'gap',
        author: gap.author,
        device: gap.device,
        missingFrom,
        missingTo,
        evidence: gap.bytes,
      });
    }
    return current;
  }

  /** Reads the envelopes before `seq` again and processes those never seen (quietly). */
  async #askAgain(chat: ChatRecord, seq: number): Promise<ChatRecord> {
    let current = chat;
    let after = Math.max(0, seq - RESEND_WINDOW);
    while (after < seq) {
      const page = await this.#api.fetchEnvelopes(current.topic, after, PAGE, this.#clock());
      for (const item of page.envelopes) {
        if (item.seq >= seq) break;
        if ((await this.#store.get(`mine/${item.cid}`)) !== undefined) continue;
        if ((await entryByCid(this.#store, chat.id, item.cid)) !== undefined) continue;
        current = await this.#process(current, item, true);
      }
      const last = page.envelopes.at(-1);
      if (page.envelopes.length < PAGE || last === undefined) break;
      after = last.seq;
    }
    await saveChat(this.#store, current);
    return current;
  }

  /** Checks the log when there is something to check; evidence goes out as events. */
  async #refreshLog(): Promise<void> {
    if ((await this.#log.pendingCount()) === 0 && (await this.#log.latest()) !== undefined) return;
    try {
      await this.#log.refresh();
    } catch (error) {
      if (!isClientError(error, 'CLIENT_RELAY_UNREACHABLE')) this.#report(undefined, error);
    }
  }

  async #trackReceipt(chatId: string, receipt: Receipt): Promise<void> {
    try {
      if (!(await this.#log.trackReceipt(chatId, receipt))) {
        this.#report(chatId, new ClientError('CLIENT_LOG_RECEIPT_INVALID', `(${receipt.cid})`));
      }
    } catch (error) {
      this.#report(chatId, error);
    }
  }

  #problem(chatId: string, problem: LiveProblem | HistoryProblem): void {
    this.emit('history-problem', { chatId, problem });
  }

  async #reject(chat: ChatRecord, reason: string, seq: number, cid: string): Promise<ChatRecord> {
    if (reason !== 'stale-commit') {
      await addProblem(this.#store, chat.id, { kind: 'rejected', seq, cid, reason }, this.#clock());
    }
    this.emit('rejected', { chatId: chat.id, seq, reason });
    return chat;
  }

  #report(chatId: string | undefined, error: unknown): void {
    // ClientError and CoreError codes pass through; anything else is unexpected.
    const code =
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      typeof error.code === 'string'
        ? error.code
        : 'CLIENT_INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    this.emit('error', { ...(chatId === undefined ? {} : { chatId }), code, message });
  }
}

/** What a refused KeyPackage's error says (CLIENT_KEY_PACKAGE_INVALID). */
const KEY_PACKAGE_REFUSALS: Record<KeyPackageFailure, string> = {
  'not-a-key-package': 'not a KeyPackage',
  'foreign-credential': 'foreign credential',
  'wrong-account': 'wrong account',
  'wrong-signer': 'signed by a key other than its device',
  'bad-signature': 'bad signature',
};

/** Bytewise order, the order of `heads` in an entry. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

/** Refusals that follow the group's rules (late messages of removed members…), not tampering. */
const POLICY_REJECTIONS = new Set(['not-a-member', 'future-epoch', 'stale-commit']);

/** What `chat.proof(cid)` tells about one message. */
export interface MessageProof {
  readonly cid: string;
  readonly author: string;
  readonly device: Uint8Array;
  /** The entry's number in its author's chain. */
  readonly n: number;
  readonly entryHash: Uint8Array;
  /** The author's signature, checked again: `verified`, or why not. */
  readonly signature: 'verified' | 'malformed' | 'bad-signature' | 'wrong-chat';
  readonly inclusion: InclusionStatus;
  /** The relay checkpoint this device holds (inclusion is proven against it). */
  readonly checkpoint: { size: number; rootHash: Uint8Array; note: string } | null;
}

/** What `chat.verify()` reports. */
export interface ChatVerification {
  readonly chatId: string;
  /** True if nothing below is wrong: every entry verified, no problem, no evidence. */
  readonly ok: boolean;
  readonly history: HistoryReport;
  /** Problems seen while receiving (reordered entries, envelopes that could not be opened). */
  readonly problems: readonly (LiveProblem & { readonly foundAt: number })[];
  readonly log: {
    /** False if the relay could not be reached: the log part is as of the last contact. */
    readonly reachable: boolean;
    readonly checkpoint: { size: number; rootHash: Uint8Array; note: string } | null;
    /** Envelopes of this chat's entries proven in the log, waiting for a checkpoint, or never tracked. */
    readonly included: number;
    readonly pending: number;
    readonly notTracked: number;
    readonly evidence: readonly StoredEvidence[];
  };
}

/** True for failures worth retrying later: no answer, rate limits, sessions, relay errors. */
function isTransient(error: unknown): boolean {
  if (!isClientError(error)) return false;
  if (error.code === 'CLIENT_RELAY_UNREACHABLE') return true;
  const status = error.status ?? 0;
  return status === 401 || status === 429 || status >= 500;
}

/** The chats of a client. */
export class ChatDirectory {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  /** Every chat on this device, newest message first. */
  async list(): Promise<ChatSummary[]> {
    const chats = await this.#client.listChats();
    return chats.sort((a, b) => (b.lastMessage?.sentAt ?? 0) - (a.lastMessage?.sentAt ?? 0));
  }

  /** The pair chat with `accountId`, created (and the peer invited) if there is none. */
  async openPair(accountId: string): Promise<Chat> {
    return this.get(await this.#client.createChat('pair', accountId, [accountId]));
  }

  /** Creates a group chat with `members` invited. */
  async createGroup(options: { name: string; members: readonly string[] }): Promise<Chat> {
    return this.get(await this.#client.createChat('group', options.name, options.members));
  }

  /** A chat by id. @throws ClientError CLIENT_CHAT_NOT_FOUND */
  async get(id: string): Promise<Chat> {
    await this.#client.chatRecord(id);
    return new Chat(this.#client, id);
  }
}
