/**
 * Everything the app takes from its surroundings, passed in rather than reached for: the relay,
 * storage, the network, randomness, time and the few browser services it uses. `main.tsx` wires
 * the page's globals; tests could wire fakes.
 */
import type { ClientStore, WebSocketConstructor } from '@parley/client';
import type { RandomSource } from '@parley/core';

/** The app's dependencies. */
export interface AppEnv {
  /** The relay this app talks to (by default the page's own origin). */
  readonly relayUrl: string;
  /** Opens (creating if needed) a named local database behind the SDK's store interface. */
  readonly openStore: (name: string) => Promise<ClientStore>;
  readonly fetch: typeof fetch;
  readonly WebSocket: WebSocketConstructor;
  readonly subtle: SubtleCrypto;
  readonly random: RandomSource;
  readonly clock: () => number;
  readonly timers: Timers;
  /** Offers bytes to the person as a file download. */
  readonly saveFile: (fileName: string, bytes: Uint8Array) => void;
  /** Puts text on the clipboard; rejects if the browser refuses. */
  readonly copyText: (text: string) => Promise<void>;
  /**
   * Takes an exclusive lock shared by every tab of this origin, without waiting: resolves to its
   * release function, or undefined if another tab holds it.
   */
  readonly tryLock: (name: string) => Promise<(() => void) | undefined>;
}

/** setTimeout/clearTimeout, injected so that retry loops can be driven in tests. */
export interface Timers {
  readonly setTimeout: (callback: () => void, delayMs: number) => number;
  readonly clearTimeout: (handle: number) => void;
}
