/**
 * Who may hold a session: everyone (`open`), the accounts listed in a file that is re-read when
 * it changes (`list`), or accounts admitted with a single-use invite code (`invite`).
 */
import { readFileSync, statSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8, type RandomSource } from '@parley/core';
import type { AllowlistMode } from '../config/config.js';
import { RelayError } from '../errors.js';
import type { MembershipStore } from '../store/membership-store.js';

/** The hash under which an invite code is stored (codes themselves are never stored). */
export function inviteCodeHash(code: string): Uint8Array {
  return sha256(utf8(`parley-invite/v1\u0000${code.trim()}`));
}

/** Creates `count` invite codes, stores their hashes and returns the codes. */
export async function createInvites(
  store: MembershipStore,
  random: RandomSource,
  count: number,
  now: number,
): Promise<string[]> {
  const codes = Array.from({ length: count }, () => toBase64Url(random(16)));
  await store.addInvites(codes.map(inviteCodeHash), now);
  return codes;
}

/** Decides admission for authenticated accounts. */
export class Allowlist {
  readonly #mode: AllowlistMode;
  readonly #file: string | undefined;
  readonly #store: MembershipStore;
  #listed = new Set<string>();
  #loadedMtimeMs = -1;

  constructor(options: { mode: AllowlistMode; file: string | undefined; store: MembershipStore }) {
    this.#mode = options.mode;
    this.#file = options.file;
    this.#store = options.store;
    if (this.#mode === 'list') this.#reloadIfChanged();
  }

  get mode(): AllowlistMode {
    return this.#mode;
  }

  /**
   * Admits `account` or throws.
   * @throws RelayError RELAY_ACCOUNT_NOT_ALLOWED | RELAY_INVITE_INVALID
   */
  async admit(account: string, inviteCode: string | undefined, now: number): Promise<void> {
    switch (this.#mode) {
      case 'open':
        return;
      case 'list':
        this.#reloadIfChanged();
        if (!this.#listed.has(account)) throw new RelayError('RELAY_ACCOUNT_NOT_ALLOWED');
        return;
      case 'invite':
        if (await this.#store.isMember(account)) return;
        if (inviteCode === undefined)
          throw new RelayError('RELAY_ACCOUNT_NOT_ALLOWED', '(an invite code is required)');
        if (!(await this.#store.redeemInvite(inviteCodeHash(inviteCode), account, now))) {
          throw new RelayError('RELAY_INVITE_INVALID');
        }
        return;
    }
  }

  /** Re-reads the list file if its modification time changed. Lines: account id, # comments. */
  #reloadIfChanged(): void {
    if (this.#file === undefined) return;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.#file).mtimeMs;
    } catch {
      // A missing file admits nobody, rather than everybody.
      this.#listed = new Set();
      this.#loadedMtimeMs = -1;
      return;
    }
    if (mtimeMs === this.#loadedMtimeMs) return;
    const listed = new Set<string>();
    for (const line of readFileSync(this.#file, 'utf8').split('\n')) {
      const account = line.replace(/#.*/, '').trim();
      if (account !== '') listed.add(account);
    }
    this.#listed = listed;
    this.#loadedMtimeMs = mtimeMs;
  }
}
