/**
 * The signed chat entries a device holds, per chat, kept beside the readable history so that the
 * history can be verified (docs/spec/history.md) and exported. Keys sort by chain, then sequence:
 * `entry/<chat>/<author>/<device hex>/<n>/<entry hash hex>`; two entries with one (author,
 * device, n) both stay (equivocation evidence).
 */
import { decodeCanonical, encodeCanonical, toHex } from '@parley/core';
import type { ClientStore } from '../store/client-store.js';

/** One entry as held. */
export interface EntryRecord {
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  readonly author: string;
  readonly device: Uint8Array;
  readonly n: number;
  /** The envelope that carried it (computed from its bytes) and the relay's seq, when known. */
  readonly cid: string;
  readonly seq: number | null;
  readonly leafIndex: number | null;
  readonly own: boolean;
}

/** A problem found while receiving, kept for `chat.verify()` (history problems are recomputed). */
export type LiveProblem =
  | {
      /** Entries of a chain arrived in an order their links contradict. */
      readonly kind: 'reordered';
      readonly author: string;
      readonly device: Uint8Array;
      readonly n: number;
      readonly seqs: readonly [number, number];
      readonly evidence: readonly [Uint8Array, Uint8Array];
    }
  | {
      /** Entries still missing after asking the relay to send the range again. */
      readonly kind: 'gap';
      readonly author: string;
      readonly device: Uint8Array;
      readonly missingFrom: number;
      readonly missingTo: number;
      readonly evidence: Uint8Array;
    }
  | {
      /** An envelope of the chat could not be opened (tampered, forged, or not for us). */
      readonly kind: 'rejected';
      readonly seq: number;
      readonly cid: string;
      readonly reason: string;
    };

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function chainPrefix(chatId: string, author: string, device: Uint8Array): string {
  return `entry/${chatId}/${author}/${toHex(device)}/`;
}

/** Stores an entry (and its CID index). */
export async function putEntry(
  store: ClientStore,
  chatId: string,
  entry: EntryRecord,
): Promise<void> {
  const key = `${chainPrefix(chatId, entry.author, entry.device)}${pad(entry.n, 12)}/${toHex(entry.hash)}`;
  await store.put(key, encodeCanonical(entry));
  await store.put(`entry-cid/${chatId}/${entry.cid}`, encodeCanonical(key));
}

/** The entries held at (author, device, n): none, one, or more (equivocation). */
export async function entriesAt(
  store: ClientStore,
  chatId: string,
  author: string,
  device: Uint8Array,
  n: number,
): Promise<EntryRecord[]> {
  const found: EntryRecord[] = [];
  for (const key of await store.keys(`${chainPrefix(chatId, author, device)}${pad(n, 12)}/`)) {
    const bytes = await store.get(key);
    if (bytes !== undefined) found.push(decodeCanonical(bytes) as EntryRecord);
  }
  return found;
}

/** The entry carried by envelope `cid`, if held. */
export async function entryByCid(
  store: ClientStore,
  chatId: string,
  cid: string,
): Promise<EntryRecord | undefined> {
  const pointer = await store.get(`entry-cid/${chatId}/${cid}`);
  if (pointer === undefined) return undefined;
  const bytes = await store.get(decodeCanonical(pointer) as string);
  return bytes === undefined ? undefined : (decodeCanonical(bytes) as EntryRecord);
}

/** Updates the seq and leaf index of the entry carried by `cid` (once the relay stored it). */
export async function setEntryPosition(
  store: ClientStore,
  chatId: string,
  cid: string,
  seq: number,
  leafIndex: number,
): Promise<void> {
  const pointer = await store.get(`entry-cid/${chatId}/${cid}`);
  if (pointer === undefined) return;
  const key = decodeCanonical(pointer) as string;
  const bytes = await store.get(key);
  if (bytes === undefined) return;
  const entry = decodeCanonical(bytes) as EntryRecord;
  await store.put(key, encodeCanonical({ ...entry, seq, leafIndex }));
}

/** Every entry of a chat, in key order (chain by chain). */
export async function allEntries(store: ClientStore, chatId: string): Promise<EntryRecord[]> {
  const found: EntryRecord[] = [];
  for (const key of await store.keys(`entry/${chatId}/`)) {
    const bytes = await store.get(key);
    if (bytes !== undefined) found.push(decodeCanonical(bytes) as EntryRecord);
  }
  return found;
}

/** Records a live problem of a chat. */
export async function addProblem(
  store: ClientStore,
  chatId: string,
  problem: LiveProblem,
  foundAt: number,
): Promise<void> {
  const counter = await store.get(`problem-count/${chatId}`);
  const id = (counter === undefined ? 0 : (decodeCanonical(counter) as number)) + 1;
  await store.put(`problem-count/${chatId}`, encodeCanonical(id));
  await store.put(`problem/${chatId}/${pad(id, 12)}`, encodeCanonical({ ...problem, foundAt }));
}

/** The live problems of a chat, oldest first. */
export async function problemsOf(
  store: ClientStore,
  chatId: string,
): Promise<(LiveProblem & { foundAt: number })[]> {
  const found: (LiveProblem & { foundAt: number })[] = [];
  for (const key of await store.keys(`problem/${chatId}/`)) {
    const bytes = await store.get(key);
    if (bytes !== undefined)
      found.push(decodeCanonical(bytes) as LiveProblem & { foundAt: number });
  }
  return found;
}
