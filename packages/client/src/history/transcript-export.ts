/**
 * A self-contained, verifiable transcript of a chat (docs/spec/history.md §Transcripts): its
 * entries in causal order, the directory entries binding their devices to accounts, and an
 * inclusion proof of each carrying envelope in the relay's latest checkpoint.
 */
import { decodeCanonical, encodeTranscript, fromHex, orderEntries, toHex } from '@parley/core';
import { allEntries } from '../chats/entries.js';
import { requireChat } from '../chats/records.js';
import type { LogMonitor } from '../log/log-monitor.js';
import type { RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';

/** What exporting needs. */
export interface TranscriptExportDeps {
  readonly store: ClientStore;
  readonly log: Pick<LogMonitor, 'refresh' | 'relay' | 'inclusion'>;
  readonly api: Pick<RelayApi, 'getDirectory' | 'inclusionProof'>;
  readonly clock: () => number;
}

/**
 * The transcript of chat `id`, with a fresh checkpoint of the relay's log.
 * @throws ClientError CLIENT_CHAT_NOT_FOUND, and the relay's errors
 */
export async function exportTranscript(
  deps: TranscriptExportDeps,
  id: string,
): Promise<Uint8Array> {
  const { store, log, api } = deps;
  const chat = await requireChat(store, id);
  const held = await log.refresh();
  const relay = await log.relay();
  const entries = await allEntries(store, id);
  const byHash = new Map(entries.map((entry) => [toHex(entry.hash), entry]));
  const ordered = orderEntries(
    entries.map((entry) => {
      const parsed = decodeCanonical(entry.bytes) as {
        prev: Uint8Array | null;
        heads: Uint8Array[];
        sentAt: number;
      };
      return { hash: entry.hash, prev: parsed.prev, heads: parsed.heads, sentAt: parsed.sentAt };
    }),
  );
  const directory: Uint8Array[] = [];
  for (const account of new Set(entries.map((entry) => entry.author))) {
    const found = await api.getDirectory(account);
    if (found !== undefined) directory.push(found.entry);
  }
  const inclusions: { entry: Uint8Array; cid: string; index: number; proof: Uint8Array[] }[] = [];
  if (held !== undefined) {
    for (const entry of entries) {
      const status = await log.inclusion(entry.cid);
      if (status.state !== 'included' || status.leafIndex >= held.checkpoint.size) continue;
      const answer = await api.inclusionProof(status.leafIndex, held.checkpoint.size);
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
    exportedAt: deps.clock(),
    entries: ordered.map((links) => byHash.get(toHex(links.hash))?.bytes ?? new Uint8Array()),
    directory,
    firstHeld: Object.entries(chat.chains).map(([key, chain]) => {
      const [account = '', device = ''] = key.split('/');
      return { account, device: fromHex(device), n: chain.first };
    }),
    log:
      held === undefined
        ? null
        : { origin: relay.origin, publicKey: relay.publicKey, checkpoint: held.note, inclusions },
  });
}
