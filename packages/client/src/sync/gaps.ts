/**
 * Resolves suspected gaps: asks the relay again for the range before each entry whose
 * predecessor is missing, and reports a `gap` problem for what is still missing afterwards.
 * A gap is asked for at once, then at most every GAP_RETRY_MS (or whenever `force`, as verify
 * does): a relay that lost the envelope for good (retention) must not cost a re-read each sync.
 */
import { entriesAt, entryByCid } from '../chats/entries.js';
import { saveChat, type ChatRecord } from '../chats/records.js';
import type { Emit } from '../events.js';
import type { EnvelopeProcessor } from '../receive/envelope-processor.js';
import {
  dropSuspectedGap,
  putSuspectedGap,
  suspectedGapsOf,
  type SuspectedGap,
} from '../receive/suspected-gaps.js';
import type { RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
import { toHex } from '@parley/core';
import { PAGE_SIZE } from './page.js';

/** How many envelopes before an entry with a missing predecessor are asked for again. */
const RESEND_WINDOW = 1000;
/** How long before a gap still open is asked for again on a sync. */
export const GAP_RETRY_MS = 5 * 60_000;

/** What resolving gaps needs. */
export interface GapsDeps {
  readonly store: ClientStore;
  readonly api: Pick<RelayApi, 'fetchEnvelopes'>;
  readonly processor: Pick<EnvelopeProcessor, 'process'>;
  readonly clock: () => number;
  readonly emit: Emit;
}

/** Asks again for what a chat's chains miss. */
export class Gaps {
  readonly #d: GapsDeps;

  constructor(deps: GapsDeps) {
    this.#d = deps;
  }

  /** Resolves the suspected gaps of `chat`; returns the chat as it is afterwards. */
  async resolve(chat: ChatRecord, force = false): Promise<ChatRecord> {
    const { store, clock } = this.#d;
    let current = chat;
    for (const gap of await suspectedGapsOf(store, chat.id)) {
      const held = (n: number) => entriesAt(store, chat.id, gap.author, gap.device, n);
      if ((await held(gap.n - 1)).length > 0) {
        await dropSuspectedGap(store, chat.id, gap);
        continue;
      }
      if (!force && gap.askedAt > 0 && clock() - gap.askedAt < GAP_RETRY_MS) continue;
      current = await this.#askAgain(current, gap.seq);
      if ((await held(gap.n - 1)).length > 0) {
        await dropSuspectedGap(store, chat.id, gap);
        continue;
      }
      await putSuspectedGap(store, chat.id, { ...gap, askedAt: clock() });
      if (gap.askedAt === 0) await this.#report(current, gap, held);
    }
    return current;
  }

  /** Reports a gap still open after the first time it was asked for again. */
  async #report(
    chat: ChatRecord,
    gap: SuspectedGap,
    held: (n: number) => Promise<unknown[]>,
  ): Promise<void> {
    const first = chat.chains[`${gap.author}/${toHex(gap.device)}`]?.first ?? 1;
    const missingTo = gap.n - 1;
    let missingFrom = missingTo;
    while (missingFrom - 1 >= first && (await held(missingFrom - 1)).length === 0) {
      missingFrom -= 1;
    }
    this.#d.emit('history-problem', {
      chatId: chat.id,
      problem: {
        kind: 'gap',
        author: gap.author,
        device: gap.device,
        missingFrom,
        missingTo,
        evidence: gap.bytes,
      },
    });
  }

  /** Reads the envelopes before `seq` again and processes those never seen (quietly). */
  async #askAgain(chat: ChatRecord, seq: number): Promise<ChatRecord> {
    const { store, api, clock } = this.#d;
    let current = chat;
    let after = Math.max(0, seq - RESEND_WINDOW);
    while (after < seq) {
      const page = await api.fetchEnvelopes(current.topic, after, PAGE_SIZE, clock());
      for (const item of page.envelopes) {
        if (item.seq >= seq) break;
        if ((await store.get(`mine/${item.cid}`)) !== undefined) continue;
        if ((await entryByCid(store, chat.id, item.cid)) !== undefined) continue;
        current = await this.#d.processor.process(current, item, true);
      }
      const last = page.envelopes.at(-1);
      if (page.envelopes.length < PAGE_SIZE || last === undefined) break;
      after = last.seq;
    }
    await saveChat(store, current);
    return current;
  }
}
