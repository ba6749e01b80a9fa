/**
 * Login and sessions: a challenge, signed with the `login` context, becomes a random bearer
 * token stored as its SHA-256. Every failure before admission looks and costs the same.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  accountIdFromPublicKey,
  fromHex,
  loginMessage,
  toBase64Url,
  verifyFor,
  type AccountId,
  type CryptoSuite,
  type RandomSource,
} from '@parley/core';
import { RelayError } from '../errors.js';
import type { SessionStore } from '../store/session-store.js';
import type { Allowlist } from './allowlist.js';
import type { Challenges } from './challenges.js';

/** A login attempt as received. */
export interface LoginAttempt {
  readonly accountId: string;
  readonly publicKey: Uint8Array;
  readonly nonce: Uint8Array;
  readonly signature: Uint8Array;
  readonly inviteCode: string | undefined;
}

/** An authenticated session. */
export interface Session {
  readonly account: string;
  readonly expiresAt: number;
  /** Stable key for per-session state (rate limits); not the token. */
  readonly key: string;
}

// A real key (RFC 8032 §7.1 TEST 1), not all-zero: a small-order placeholder would be refused by
// the Ed25519 policy before any curve arithmetic, and the failure would then cost less.
const PLACEHOLDER_KEY = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const PLACEHOLDER_NONCE = new Uint8Array(32);

/** Logs accounts in and resolves bearer tokens. */
export class Sessions {
  readonly #store: SessionStore;
  readonly #suite: CryptoSuite;
  readonly #random: RandomSource;
  readonly #challenges: Challenges;
  readonly #allowlist: Allowlist;
  readonly #relayId: string;
  readonly #ttlMs: number;

  constructor(options: {
    store: SessionStore;
    suite: CryptoSuite;
    random: RandomSource;
    challenges: Challenges;
    allowlist: Allowlist;
    relayId: string;
    ttlMs: number;
  }) {
    this.#store = options.store;
    this.#suite = options.suite;
    this.#random = options.random;
    this.#challenges = options.challenges;
    this.#allowlist = options.allowlist;
    this.#relayId = options.relayId;
    this.#ttlMs = options.ttlMs;
  }

  /**
   * Checks a login attempt and opens a session.
   * @throws RelayError RELAY_AUTH_FAILED (any authentication failure, indistinguishable) |
   *   RELAY_ACCOUNT_NOT_ALLOWED | RELAY_INVITE_INVALID
   */
  async login(attempt: LoginAttempt, now: number): Promise<{ token: string; expiresAt: number }> {
    const challengeExpiresAt = this.#challenges.spend(attempt.nonce, now);
    const keyMatches =
      attempt.publicKey.length === 32 &&
      accountIdFromPublicKey(attempt.publicKey) === attempt.accountId;
    // Verify in every case, over well-formed placeholders if need be, so that every failure
    // costs the same signature check and none can be told apart by timing.
    const statement = loginMessage({
      relay: this.#relayId,
      account: attempt.accountId as AccountId,
      nonce: attempt.nonce.length === 32 ? attempt.nonce : PLACEHOLDER_NONCE,
      expiresAt: challengeExpiresAt ?? 0,
    });
    const verified = await verifyFor(
      this.#suite,
      'login',
      keyMatches ? attempt.publicKey : PLACEHOLDER_KEY,
      statement,
      attempt.signature,
    );
    if (challengeExpiresAt === undefined || !keyMatches || !verified.ok) {
      throw new RelayError('RELAY_AUTH_FAILED');
    }
    await this.#allowlist.admit(attempt.accountId, attempt.inviteCode, now);
    const token = toBase64Url(this.#random(32));
    const expiresAt = now + this.#ttlMs;
    await this.#store.putSession(tokenHash(token), { account: attempt.accountId, expiresAt });
    return { token, expiresAt };
  }

  /**
   * Resolves a bearer token to its session.
   * @throws RelayError RELAY_UNAUTHENTICATED if unknown or expired
   */
  async authenticate(token: string | undefined, now: number): Promise<Session> {
    if (token === undefined || token.length === 0 || token.length > 128) {
      throw new RelayError('RELAY_UNAUTHENTICATED');
    }
    const hash = tokenHash(token);
    const session = await this.#store.getSession(hash);
    if (session === undefined || session.expiresAt <= now)
      throw new RelayError('RELAY_UNAUTHENTICATED');
    return { account: session.account, expiresAt: session.expiresAt, key: toBase64Url(hash) };
  }
}

function tokenHash(token: string): Uint8Array {
  return sha256(new TextEncoder().encode(token));
}
