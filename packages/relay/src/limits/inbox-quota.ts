/**
 * Per-sender quotas on inbox topics: how many unacknowledged bytes one sending account holds in
 * one person's inbox, so that a stranger who fills an inbox fills only its own share
 * (docs/spec/relay-api.md §Inbox quotas). Kept in memory only, keyed by an HMAC of the sender
 * under a key generated at start and never stored: nothing on disk links a sender to an inbox,
 * and a restart starts every sender's share at zero.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url } from '@parley/core';

/** One envelope counted in a sender's share; `seq` is unknown until the store assigned it. */
interface Posted {
  seq: number;
  readonly bytes: number;
}

/** Bytes held for a sender, to be confirmed with the stored seq or cancelled. */
export interface InboxReservation {
  /** The envelope was stored at `seq` (a duplicate: pass its original seq). */
  stored(seq: number): void;
  /** The envelope was not stored: give the bytes back. */
  cancel(): void;
}

type Shares = Map<string, { posted: Posted[]; bytes: number }>;

/** The inbox quota of every (sender, inbox) pair since the relay started. */
export class InboxQuotas {
  readonly #key: Uint8Array;
  readonly #maxBytes: number;
  // inbox → sender tag → envelopes counted and their total size
  readonly #inboxes = new Map<string, Shares>();

  /**
   * `key`: 32 fresh random bytes kept only in memory; `maxBytes`: each sender's share.
   * @throws RangeError if the key is not 32 bytes
   */
  constructor(key: Uint8Array, maxBytes: number) {
    if (key.length !== 32) throw new RangeError('the quota key must be 32 bytes');
    this.#key = key;
    this.#maxBytes = maxBytes;
  }

  /**
   * Holds `bytes` of `account`'s share of `inbox` for an envelope about to be stored, or
   * returns undefined if that would go over the share.
   */
  reserve(account: string, inbox: Uint8Array, bytes: number): InboxReservation | undefined {
    const inboxKey = toBase64Url(inbox);
    const shares: Shares = this.#inboxes.get(inboxKey) ?? (new Map() as Shares);
    const tag = this.#tag(account, inbox);
    const share = shares.get(tag) ?? { posted: [], bytes: 0 };
    if (share.bytes + bytes > this.#maxBytes) return undefined;
    const posted: Posted = { seq: Number.MAX_SAFE_INTEGER, bytes };
    share.posted.push(posted);
    share.bytes += bytes;
    shares.set(tag, share);
    this.#inboxes.set(inboxKey, shares);
    return {
      stored: (seq) => {
        posted.seq = seq;
      },
      cancel: () => {
        const index = share.posted.indexOf(posted);
        if (index < 0) return;
        share.posted.splice(index, 1);
        share.bytes -= bytes;
        this.#drop(inboxKey, shares, tag, share);
      },
    };
  }

  /** The owner of `inbox` acknowledged up to `seq`: those envelopes count for nobody now. */
  acknowledged(inbox: Uint8Array, seq: number): void {
    const inboxKey = toBase64Url(inbox);
    const shares = this.#inboxes.get(inboxKey);
    if (shares === undefined) return;
    for (const [tag, share] of shares) {
      const kept = share.posted.filter((posted) => posted.seq > seq);
      share.bytes = kept.reduce((total, posted) => total + posted.bytes, 0);
      share.posted = kept;
      this.#drop(inboxKey, shares, tag, share);
    }
  }

  #drop(
    inboxKey: string,
    shares: Shares,
    tag: string,
    share: { posted: Posted[]; bytes: number },
  ): void {
    if (share.posted.length > 0) return;
    shares.delete(tag);
    if (shares.size === 0) this.#inboxes.delete(inboxKey);
  }

  /** The sender tag of `account` for `inbox`: an HMAC, so one sender's tags differ per inbox. */
  #tag(account: string, inbox: Uint8Array): string {
    const name = new TextEncoder().encode(account);
    const message = new Uint8Array(name.length + 1 + inbox.length);
    message.set(name);
    message.set(inbox, name.length + 1);
    return toBase64Url(hmac(sha256, this.#key, message).subarray(0, 16));
  }
}
