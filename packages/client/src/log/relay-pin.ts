/**
 * The relay a client's log view belongs to: pinned by its account id, or trusted on first use
 * and kept, so that a later relay with another key is refused.
 */
import { accountIdFromPublicKey, decodeCanonical, encodeCanonical } from '@parley/core';
import { ClientError } from '../errors.js';
import type { RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
import { LOG_KEYS } from './store-keys.js';

/** The relay's identity and the origin line of its log's checkpoints. */
export interface PinnedRelay {
  readonly relayId: string;
  readonly publicKey: Uint8Array;
  readonly origin: string;
}

/** What the pin is built from. */
export interface RelayPinOptions {
  readonly api: Pick<RelayApi, 'info'>;
  readonly store: ClientStore;
  /** Pins the relay: its account id. Without it the first key seen is trusted (and kept). */
  readonly relayId?: string | undefined;
}

/** The relay this client's log view trusts. */
export class RelayPin {
  readonly #o: RelayPinOptions;
  #relay: PinnedRelay | undefined;

  constructor(options: RelayPinOptions) {
    this.#o = options;
  }

  /**
   * The relay's identity and log origin: as stored, or asked of the relay and kept.
   * Throws ClientError CLIENT_LOG_KEY_MISMATCH if the relay's id is not its key's, or is not
   * the pinned one.
   */
  async relay(): Promise<PinnedRelay> {
    if (this.#relay !== undefined) return this.#relay;
    const stored = await this.#o.store.get(LOG_KEYS.relay);
    if (stored !== undefined) {
      this.#relay = decodeCanonical(stored) as PinnedRelay;
      return this.#relay;
    }
    const info = await this.#o.api.info();
    if (accountIdFromPublicKey(info.publicKey) !== info.relayId) {
      throw new ClientError('CLIENT_LOG_KEY_MISMATCH', '(the relay id is not its key)');
    }
    if (this.#o.relayId !== undefined && info.relayId !== this.#o.relayId) {
      throw new ClientError(
        'CLIENT_LOG_KEY_MISMATCH',
        `(expected relay ${this.#o.relayId}, found ${info.relayId})`,
      );
    }
    const relay = { relayId: info.relayId, publicKey: info.publicKey, origin: info.origin };
    await this.#o.store.put(LOG_KEYS.relay, encodeCanonical(relay));
    this.#relay = relay;
    return relay;
  }
}
