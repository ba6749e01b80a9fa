/**
 * Creates chats: a new MLS group on a fresh topic, its members added in its first Commit. A pair
 * chat that exists (or was left half-made) is reused rather than created twice.
 */
import {
  createChatGroup,
  newSharedTopic,
  type AccountId,
  type MlsContext,
  type RandomSource,
} from '@parley/core';
import type { KeyPackages } from '../device/key-packages.js';
import type { Membership } from '../groups/membership.js';
import { unlessTransient } from '../relay/transient.js';
import type { ClientStore } from '../store/client-store.js';
import { isPairOf } from './invitations.js';
import {
  chatIdOf,
  encodeState,
  groupStateOf,
  listChatIds,
  loadChat,
  membersOf,
  requireChat,
  saveChat,
  type ChatKind,
} from './records.js';

/** What creating chats needs. */
export interface ChatCreatorDeps {
  readonly store: ClientStore;
  readonly mls: MlsContext;
  readonly account: AccountId;
  readonly keyPackages: Pick<KeyPackages, 'generate'>;
  readonly membership: Pick<Membership, 'add'>;
  readonly random: RandomSource;
  readonly clock: () => number;
  /** Brings a chat up to its topic (adopts a Commit whose receipt was lost). */
  readonly sync: (chatId: string) => Promise<void>;
  readonly flushOutbox: () => Promise<void>;
  /** Follows a new chat's topic live. */
  readonly follow: (topic: Uint8Array, after: number) => void;
}

/** Creates chats. */
export class ChatCreator {
  readonly #d: ChatCreatorDeps;

  constructor(deps: ChatCreatorDeps) {
    this.#d = deps;
  }

  /**
   * Creates a chat with `members` added in its first Commit; a pair with `members[0]` that
   * exists is returned instead. Returns the chat id.
   * @throws ClientError as Membership.add
   */
  async create(kind: ChatKind, name: string, members: readonly string[]): Promise<string> {
    const { store, mls, account } = this.#d;
    const peer = members[0];
    if (kind === 'pair' && peer !== undefined) {
      const found = await this.#existingPair(peer);
      if (found !== undefined) return found;
    }
    const topic = newSharedTopic(this.#d.random);
    const state = await createChatGroup(mls, topic, await this.#d.keyPackages.generate());
    const id = chatIdOf(topic);
    await saveChat(store, {
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
      createdAt: this.#d.clock(),
    });
    this.#d.follow(topic, 0);
    const invitees = members.filter((member) => member !== account);
    if (invitees.length > 0) await this.#d.membership.add(id, invitees);
    return id;
  }

  /**
   * The active pair chat whose members are exactly this account and `peer`, finished if it was
   * left half-made: a chat whose Commit never added the peer adds it now, and invitations still
   * owed or queued are sent. A chat with anyone else in it is never returned.
   */
  async #existingPair(peer: string): Promise<string | undefined> {
    const { store, mls, account } = this.#d;
    for (const id of await listChatIds(store)) {
      const found = await loadChat(store, id);
      if (found?.kind !== 'pair' || found.status !== 'active' || found.name !== peer) continue;
      // A Commit whose receipt was lost is adopted (and its invitations queued) by a sync.
      await unlessTransient(() => this.#d.sync(id));
      const chat = await requireChat(store, id);
      if (chat.status !== 'active') continue;
      const state = groupStateOf(chat, mls);
      if (isPairOf(state, account, peer)) {
        await unlessTransient(this.#d.flushOutbox);
        return id;
      }
      const accounts = membersOf(state).map((member) => member.account as string);
      if (accounts.length === 1 && accounts[0] === account) {
        await this.#d.membership.add(id, [peer]);
        return id;
      }
    }
    return undefined;
  }
}
