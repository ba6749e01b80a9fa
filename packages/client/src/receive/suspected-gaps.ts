/**
 * Suspected gaps as kept in the ClientStore: an entry whose predecessor was missing when it
 * arrived, under `suspect/<chat>/<author>/<device hex>/<n>`, until the gap closes or is reported.
 */
import { decodeCanonical, encodeCanonical, toHex } from '@parley/core';
import type { ClientStore } from '../store/client-store.js';

/** An entry whose predecessor was missing when it arrived, kept until the gap closes. */
export interface SuspectedGap {
  readonly author: string;
  readonly device: Uint8Array;
  readonly n: number;
  /** The seq of the envelope that carried it: the relay is asked for the range before it. */
  readonly seq: number;
  readonly bytes: Uint8Array;
  /** When the relay was last asked again (0: not yet). */
  readonly askedAt: number;
}

function suspectKey(chatId: string, gap: Pick<SuspectedGap, 'author' | 'device' | 'n'>): string {
  return `suspect/${chatId}/${gap.author}/${toHex(gap.device)}/${String(gap.n).padStart(12, '0')}`;
}

/** Keeps (or updates) a suspected gap of a chat. */
export async function putSuspectedGap(
  store: Pick<ClientStore, 'put'>,
  chatId: string,
  gap: SuspectedGap,
): Promise<void> {
  await store.put(suspectKey(chatId, gap), encodeCanonical(gap));
}

/** Forgets a suspected gap (it closed, or it was reported). */
export async function dropSuspectedGap(
  store: Pick<ClientStore, 'delete'>,
  chatId: string,
  gap: SuspectedGap,
): Promise<void> {
  await store.delete(suspectKey(chatId, gap));
}

/** The suspected gaps of a chat, by chain and entry number. */
export async function suspectedGapsOf(
  store: Pick<ClientStore, 'get' | 'keys'>,
  chatId: string,
): Promise<SuspectedGap[]> {
  const gaps: SuspectedGap[] = [];
  for (const key of await store.keys(`suspect/${chatId}/`)) {
    const stored = await store.get(key);
    if (stored !== undefined) gaps.push(decodeCanonical(stored) as SuspectedGap);
  }
  return gaps;
}
