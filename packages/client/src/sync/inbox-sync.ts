/**
 * Syncs this account's inbox: reads every envelope after the last one processed, hands each to
 * the invitation acceptor, keeps the cursor (`inbox/lastSeq`) and acknowledges it.
 */
import { decodeCanonical, encodeCanonical, inboxTopic, type AccountId } from '@parley/core';
import type { Report } from '../events.js';
import type { InvitationAcceptor } from '../receive/invitation-acceptor.js';
import type { RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
import { PAGE_SIZE } from './page.js';

/** What syncing the inbox needs. */
export interface InboxSyncDeps {
  readonly store: Pick<ClientStore, 'get' | 'put'>;
  readonly api: Pick<RelayApi, 'fetchEnvelopes' | 'acknowledge'>;
  readonly account: AccountId;
  readonly invitations: Pick<InvitationAcceptor, 'accept'>;
  readonly clock: () => number;
  readonly report: Report;
}

/** Syncs the inbox. */
export class InboxSync {
  readonly #d: InboxSyncDeps;

  constructor(deps: InboxSyncDeps) {
    this.#d = deps;
  }

  /** The inbox seq processed last (0: none). */
  async lastSeq(): Promise<number> {
    const stored = await this.#d.store.get('inbox/lastSeq');
    return stored === undefined ? 0 : (decodeCanonical(stored) as number);
  }

  /**
   * Processes every new inbox envelope; one that fails is reported and skipped.
   * @throws ClientError the relay's errors
   */
  async sync(): Promise<void> {
    const { api, store, clock } = this.#d;
    const inbox = inboxTopic(this.#d.account);
    let after = await this.lastSeq();
    for (;;) {
      const page = await api.fetchEnvelopes(inbox, after, PAGE_SIZE, clock());
      for (const item of page.envelopes) {
        try {
          await this.#d.invitations.accept(item.bytes, inbox, item.seq);
        } catch (error) {
          this.#d.report(undefined, error);
        }
        after = item.seq;
        await store.put('inbox/lastSeq', encodeCanonical(after));
      }
      if (page.envelopes.length < PAGE_SIZE) break;
    }
    if (after > 0) await api.acknowledge(inbox, after, clock());
  }
}
