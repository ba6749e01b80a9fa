/** The log service: the checkpointer and the log store, and the key and origin that sign it. */
import type { CryptoSuite } from '@parley/core';
import type { RelayConfig } from '../config/config.js';
import type { LogStore } from '../store/log-store.js';
import type { Checkpointer } from './checkpointer.js';

/** What the log and witness routes use. */
export interface LogService {
  readonly checkpointer: Checkpointer;
  readonly store: LogStore;
  /** The log's origin (checkpoint first line and key name). */
  readonly origin: string;
  /** The relay's Ed25519 public key, which names the log. */
  readonly publicKey: Uint8Array;
  /** The relay's Ed25519 signing seed: signs checkpoints and cosignatures. */
  readonly signingSeed: Uint8Array;
  readonly suite: CryptoSuite;
  readonly clock: () => number;
  /** The logs this relay witnesses for. */
  readonly witness: RelayConfig['witness'];
}
