/**
 * The proof behind one message: who signed its entry (verified again now), its place in the
 * author's chain, and where its envelope stands in the relay's log.
 */
import { openChatEntry, type CryptoSuite } from '@parley/core';
import { entryByCid } from '../chats/entries.js';
import { requireChat } from '../chats/records.js';
import type { InclusionStatus } from '../log/inclusions.js';
import type { LogMonitor } from '../log/log-monitor.js';
import type { ClientStore } from '../store/client-store.js';

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

/** What a message proof needs. */
export interface MessageProofDeps {
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly log: Pick<LogMonitor, 'latest' | 'inclusion'>;
}

/**
 * The proof of the message whose envelope is `cid` in chat `id`; undefined if no entry is held.
 * @throws ClientError CLIENT_CHAT_NOT_FOUND
 */
export async function messageProof(
  deps: MessageProofDeps,
  id: string,
  cid: string,
): Promise<MessageProof | undefined> {
  const chat = await requireChat(deps.store, id);
  const entry = await entryByCid(deps.store, id, cid);
  if (entry === undefined) return undefined;
  const opened = await openChatEntry(deps.suite, entry.bytes, chat.topic);
  const held = await deps.log.latest().catch(() => undefined);
  return {
    cid,
    author: entry.author,
    device: entry.device,
    n: entry.n,
    entryHash: entry.hash,
    signature: opened.ok ? 'verified' : opened.reason,
    inclusion: await deps.log.inclusion(cid),
    checkpoint:
      held === undefined
        ? null
        : { size: held.checkpoint.size, rootHash: held.checkpoint.rootHash, note: held.note },
  };
}
