/**
 * A lock on one state directory, shared by every parley process using it. The SDK reads a chat's
 * MLS state, advances it and writes it back; two processes doing that at once on one client.db
 * would lose one update, and a lost sending-ratchet step means reusing a key. The lock is an
 * EXCLUSIVE transaction on a small SQLite file, so the operating system drops it when a process
 * dies: there is no stale lock file to clean up.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './errors.js';

/** How long a command waits for another one to finish with the home. */
const HOME_LOCK_TIMEOUT_MS = 30_000;
const RETRY_MS = 20;

/** The lock of one home; re-entrant within the process. */
export class HomeLock {
  readonly #path: string;
  readonly #clock: () => number;
  readonly #timeoutMs: number;
  #db: Database.Database | undefined;
  #held = false;
  #acquiring: Promise<void> | undefined;

  constructor(path: string, clock: () => number, timeoutMs = HOME_LOCK_TIMEOUT_MS) {
    this.#path = path;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** True while this process holds the lock. */
  get isHeld(): boolean {
    return this.#held;
  }

  /**
   * Takes the lock, waiting for other processes to release it. Does nothing if held already.
   * @throws CliError CLI_HOME_BUSY after HOME_LOCK_TIMEOUT_MS
   */
  acquire(): Promise<void> {
    if (this.#held) return Promise.resolve();
    this.#acquiring ??= this.#take().finally(() => {
      this.#acquiring = undefined;
    });
    return this.#acquiring;
  }

  /** Lets other processes have the home. */
  release(): void {
    if (!this.#held) return;
    this.#db?.exec('COMMIT');
    this.#held = false;
  }

  /** Releases the lock and closes its file. */
  close(): void {
    this.release();
    this.#db?.close();
    this.#db = undefined;
  }

  async #take(): Promise<void> {
    if (this.#db === undefined) {
      // 0600 whatever the umask (SQLite gives its -journal the same mode).
      closeSync(openSync(this.#path, 'a', 0o600));
      chmodSync(this.#path, 0o600);
      this.#db = new Database(this.#path);
      // Never block the event loop inside SQLite: a busy lock is retried below instead.
      this.#db.pragma('busy_timeout = 0');
    }
    const deadline = this.#clock() + this.#timeoutMs;
    for (;;) {
      try {
        this.#db.exec('BEGIN EXCLUSIVE');
        this.#held = true;
        return;
      } catch (error) {
        if (!isBusy(error)) throw error;
      }
      if (this.#clock() > deadline) {
        throw new CliError(
          'CLI_HOME_BUSY',
          `(waited ${this.#timeoutMs / 1000} s for ${this.#path})`,
        );
      }
      await sleep(RETRY_MS);
    }
  }
}

function isBusy(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')
  );
}
