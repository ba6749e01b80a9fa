/** The auth service: challenges, logins and sessions, and the per-address limit on both. */
import type { CryptoSuite, RandomSource } from '@parley/core';
import type { RelayConfig } from '../config/config.js';
import type { MembershipStore } from '../store/membership-store.js';
import type { SessionStore } from '../store/session-store.js';
import { TokenBuckets } from '../limits/token-bucket.js';
import { Allowlist } from './allowlist.js';
import { Challenges } from './challenges.js';
import { Sessions, type Session } from './sessions.js';

/** What the login routes and the socket use to tell who is asking. */
export interface AuthService {
  readonly relayId: string;
  readonly clock: () => number;
  readonly challenges: Challenges;
  readonly sessions: Sessions;
  /** Unauthenticated work (challenges, logins) per client address. */
  readonly addressLimits: TokenBuckets;
  /** Reads `Authorization: Bearer <token>` and resolves the session. @throws RELAY_UNAUTHENTICATED */
  fromHeader(header: string | undefined): Promise<Session>;
}

/** The dependencies and settings of the auth service. */
export interface AuthServiceOptions {
  readonly relayId: string;
  readonly clock: () => number;
  readonly random: RandomSource;
  readonly suite: CryptoSuite;
  readonly sessions: SessionStore;
  readonly membership: MembershipStore;
  readonly auth: RelayConfig['auth'];
  readonly allowlist: RelayConfig['allowlist'];
  readonly limits: RelayConfig['limits'];
}

/** Builds the auth service. @throws RangeError on a limit that is not positive */
export function createAuthService(options: AuthServiceOptions): AuthService {
  const challenges = new Challenges({
    ttlMs: options.auth.challengeTtlSeconds * 1000,
    random: options.random,
  });
  const allowlist = new Allowlist({
    mode: options.allowlist.mode,
    file: options.allowlist.file,
    store: options.membership,
  });
  const sessions = new Sessions({
    store: options.sessions,
    suite: options.suite,
    random: options.random,
    challenges,
    allowlist,
    relayId: options.relayId,
    ttlMs: options.auth.sessionTtlSeconds * 1000,
  });
  const { clock } = options;
  return {
    relayId: options.relayId,
    clock,
    challenges,
    sessions,
    addressLimits: new TokenBuckets(
      options.limits.authPerMinutePerAddress / 60,
      options.limits.authPerMinutePerAddress,
    ),
    fromHeader(header) {
      const match = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(header ?? '');
      return sessions.authenticate(match?.[1], clock());
    },
  };
}
