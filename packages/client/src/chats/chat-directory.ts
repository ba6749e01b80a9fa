/** The chats of a client: list them, open or create one, get one by id. */
import { Chat } from './chat.js';
import type { ChatOperations, ChatSummary } from './chat-operations.js';

/** The chats of a client. */
export class ChatDirectory {
  readonly #operations: ChatOperations;

  constructor(operations: ChatOperations) {
    this.#operations = operations;
  }

  /** Every chat on this device, newest message first. */
  async list(): Promise<ChatSummary[]> {
    const chats = await this.#operations.listChats();
    return chats.sort((a, b) => (b.lastMessage?.sentAt ?? 0) - (a.lastMessage?.sentAt ?? 0));
  }

  /** The pair chat with `accountId`, created (and the peer invited) if there is none. */
  async openPair(accountId: string): Promise<Chat> {
    return this.get(await this.#operations.createChat('pair', accountId, [accountId]));
  }

  /** Creates a group chat with `members` invited. */
  async createGroup(options: { name: string; members: readonly string[] }): Promise<Chat> {
    return this.get(await this.#operations.createChat('group', options.name, options.members));
  }

  /**
   * Creates a room with `members` invited: for now a group recorded and shown as a room (the
   * broadcast-channel rules come in a later version: docs/spec/chats.md §Kinds).
   */
  async createRoom(options: { name: string; members: readonly string[] }): Promise<Chat> {
    return this.get(await this.#operations.createChat('room', options.name, options.members));
  }

  /** A chat by id. @throws ClientError CLIENT_CHAT_NOT_FOUND */
  async get(id: string): Promise<Chat> {
    await this.#operations.chatRecord(id);
    return new Chat(this.#operations, id);
  }
}
