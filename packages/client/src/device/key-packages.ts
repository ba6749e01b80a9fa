/**
 * This device's KeyPackages: generated for the directory, their secrets kept under the
 * KeyPackage's hash (`kp/<hash hex>`) until a Welcome that names it is joined.
 */
import {
  decodeCanonical,
  encodeCanonical,
  generateKeyPackage,
  toHex,
  type AccountId,
  type GeneratedKeyPackage,
  type KeyPackageSecrets,
  type MlsContext,
} from '@parley/core';
import type { ClientStore } from '../store/client-store.js';
import type { DeviceKeys } from './device-keys.js';

/** A kept KeyPackage with the secrets that join a Welcome made for it. */
export interface KeptKeyPackage {
  readonly bytes: Uint8Array;
  readonly secrets: KeyPackageSecrets;
}

/** Makes and keeps this device's KeyPackages. */
export class KeyPackages {
  readonly #store: Pick<ClientStore, 'get' | 'put'>;
  readonly #mls: MlsContext;
  readonly #account: AccountId;
  readonly #device: DeviceKeys;

  constructor(deps: {
    store: Pick<ClientStore, 'get' | 'put'>;
    mls: MlsContext;
    account: AccountId;
    device: DeviceKeys;
  }) {
    this.#store = deps.store;
    this.#mls = deps.mls;
    this.#account = deps.account;
    this.#device = deps.device;
  }

  /** A fresh KeyPackage of this device; its secrets are stored before it is returned. */
  async generate(): Promise<GeneratedKeyPackage> {
    const generated = await generateKeyPackage(this.#mls, {
      account: this.#account,
      deviceSeed: this.#device.seed,
      deviceKey: this.#device.publicKey,
    });
    await this.#store.put(
      `kp/${toHex(generated.hash)}`,
      encodeCanonical({
        kp: generated.bytes,
        init: generated.secrets.initPrivateKey,
        hpke: generated.secrets.hpkePrivateKey,
        sig: generated.secrets.signaturePrivateKey,
      }),
    );
    return generated;
  }

  /** The KeyPackage kept under `hash` (SHA-256 of its bytes), if this device made it. */
  async kept(hash: Uint8Array): Promise<KeptKeyPackage | undefined> {
    const stored = await this.#store.get(`kp/${toHex(hash)}`);
    if (stored === undefined) return undefined;
    const parts = decodeCanonical(stored) as {
      kp: Uint8Array;
      init: Uint8Array;
      hpke: Uint8Array;
      sig: Uint8Array;
    };
    return {
      bytes: parts.kp,
      secrets: {
        initPrivateKey: parts.init,
        hpkePrivateKey: parts.hpke,
        signaturePrivateKey: parts.sig,
      },
    };
  }
}
