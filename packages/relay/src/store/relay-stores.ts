/**
 * The relay's storage: one store per concept (topics, sessions, membership, directory, log),
 * opened together over one backend so that what must commit together can (an envelope or a
 * directory entry with its log leaf). SQLite is the embedded backend (`sqlite-stores.ts`); any
 * other must pass the contract suite in `contract/` (docs/adr/0017-relay-ports.md).
 */
import type { DirectoryStore } from './directory-store.js';
import type { LogStore } from './log-store.js';
import type { MembershipStore } from './membership-store.js';
import type { SessionStore } from './session-store.js';
import type { TopicStore } from './topic-store.js';

/** Every store the relay needs, and the backend's health. */
export interface RelayStores {
  readonly topics: TopicStore;
  readonly sessions: SessionStore;
  readonly membership: MembershipStore;
  readonly directory: DirectoryStore;
  readonly log: LogStore;
  /** Approximate bytes the backend holds on disk (0 if it cannot tell). */
  sizeBytes(): Promise<number>;
  /** True if the backend answers queries. */
  isHealthy(): Promise<boolean>;
  /** Closes the backend; no store may be used afterwards. */
  close(): Promise<void>;
}
