/**
 * Files a received entry under its chain with core's history rules (`observeEntry`): a replay is
 * dropped; an equivocation is kept but not shown; broken links and reorderings are surfaced as
 * `history-problem` events (reorderings also kept for `verify`); a missing predecessor inside
 * the held range is kept as a suspected gap, asked for again at the end of the sync.
 */
import { observeEntry, type ChatEntry } from '@parley/core';
import { addProblem, entriesAt, putEntry, type EntryRecord } from '../chats/entries.js';
import type { ChatRecord } from '../chats/records.js';
import type { Emit } from '../events.js';
import type { ClientStore } from '../store/client-store.js';
import { putSuspectedGap } from './suspected-gaps.js';

/** Where the entry's envelope stands. */
export interface EntryPosition {
  readonly cid: string;
  readonly seq: number;
  readonly leafIndex: number | null;
}

/** What accepting entries needs. */
export interface EntryAcceptorDeps {
  readonly store: ClientStore;
  /** This account: its own entries are filed as `own`. */
  readonly self: string;
  readonly clock: () => number;
  readonly emit: Emit;
}

/** Files received entries and applies the chain rules. */
export class EntryAcceptor {
  readonly #d: EntryAcceptorDeps;

  constructor(deps: EntryAcceptorDeps) {
    this.#d = deps;
  }

  /**
   * Files `entry` (signed bytes `bytes`) of `chat`. Returns the chat with its chain state moved
   * on and whether to show the entry, or 'replay' if the very entry is held already.
   */
  async accept(
    chat: ChatRecord,
    entry: ChatEntry & { readonly hash: Uint8Array },
    bytes: Uint8Array,
    position: EntryPosition,
  ): Promise<{ chat: ChatRecord; show: boolean } | 'replay'> {
    const { store, emit } = this.#d;
    const { author, device, n, hash } = entry;
    const at = (k: number): Promise<EntryRecord[]> => entriesAt(store, chat.id, author, device, k);
    const same = await at(n);
    const observed = observeEntry(
      chat,
      { author, device, n, hash, prev: entry.prev, heads: entry.heads, bytes, seq: position.seq },
      { before: n > 1 ? await at(n - 1) : [], same, after: await at(n + 1) },
    );
    if (observed.kind === 'replay') return 'replay';
    await putEntry(store, chat.id, {
      bytes,
      hash,
      author,
      device,
      n,
      cid: position.cid,
      seq: position.seq,
      leafIndex: position.leafIndex,
      own: author === this.#d.self,
    });
    const updated: ChatRecord = {
      ...chat,
      heads: observed.state.heads,
      chains: observed.state.chains,
    };
    if (observed.suspectedGap) {
      await putSuspectedGap(store, chat.id, {
        author,
        device,
        n,
        seq: position.seq,
        bytes,
        askedAt: 0,
      });
    }
    for (const problem of observed.problems) {
      if (problem.kind === 'reordered') await addProblem(store, chat.id, problem, this.#d.clock());
      emit('history-problem', { chatId: chat.id, problem });
    }
    return { chat: updated, show: observed.show };
  }
}
