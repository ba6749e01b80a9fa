/**
 * Leave requests waiting to be acted on: per chat, the leaves (by HPKE key) of members who asked
 * to be removed. They are kept in the ClientStore (`pending-removal/<chat>/<account>`), written
 * before the chat moves past the leave entry, so a request seen just before a crash is still
 * acted on after the restart.
 */
import { decodeCanonical, encodeCanonical } from '@parley/core';
import type { ClientStore } from '../store/client-store.js';

const PREFIX = 'pending-removal/';

/** The leaves of one account that asked to leave a chat. */
export interface PendingRemoval {
  readonly account: string;
  /** HPKE keys (hex) of the leaves that asked. */
  readonly leaves: ReadonlySet<string>;
}

/** The persisted leave requests of every chat. */
export class PendingRemovals {
  readonly #store: Pick<ClientStore, 'get' | 'put' | 'delete' | 'keys'>;

  constructor(store: Pick<ClientStore, 'get' | 'put' | 'delete' | 'keys'>) {
    this.#store = store;
  }

  /** Records that `account`'s `leaves` asked to leave `chatId` (merged with earlier requests). */
  async add(chatId: string, account: string, leaves: Iterable<string>): Promise<void> {
    const key = keyOf(chatId, account);
    const stored = await this.#store.get(key);
    const merged = new Set(stored === undefined ? [] : (decodeCanonical(stored) as string[]));
    for (const leaf of leaves) merged.add(leaf);
    await this.#store.put(key, encodeCanonical([...merged].sort()));
  }

  /** The requests of `chatId` not yet acted on, in account order. */
  async of(chatId: string): Promise<PendingRemoval[]> {
    const removals: PendingRemoval[] = [];
    for (const key of await this.#store.keys(`${PREFIX}${chatId}/`)) {
      const stored = await this.#store.get(key);
      if (stored === undefined) continue;
      removals.push({
        account: decodeURIComponent(key.slice(`${PREFIX}${chatId}/`.length)),
        leaves: new Set(decodeCanonical(stored) as string[]),
      });
    }
    return removals;
  }

  /** Forgets `account`'s request in `chatId` (acted on, or refused for good). */
  async done(chatId: string, account: string): Promise<void> {
    await this.#store.delete(keyOf(chatId, account));
  }
}

function keyOf(chatId: string, account: string): string {
  return `${PREFIX}${chatId}/${encodeURIComponent(account)}`;
}
