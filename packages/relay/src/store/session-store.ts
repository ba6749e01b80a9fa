/** The session store port: bearer sessions by the SHA-256 of their token (never the token). */

/** A session as stored: only the SHA-256 of the token is kept. */
export interface StoredSession {
  readonly account: string;
  readonly expiresAt: number;
}

/** Sessions by token hash. Every method is atomic; a resolved write is durable. */
export interface SessionStore {
  /** Stores (or replaces) the session of `tokenHash`. */
  putSession(tokenHash: Uint8Array, session: StoredSession): Promise<void>;
  /** The session of `tokenHash`, expired or not, or undefined. */
  getSession(tokenHash: Uint8Array): Promise<StoredSession | undefined>;
  /** Removes every session with `expiresAt <= now`. */
  deleteExpiredSessions(now: number): Promise<void>;
}
