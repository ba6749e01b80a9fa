/**
 * Key transparency on reads (docs/spec/log.md §Key transparency): every directory entry the SDK
 * uses must verify, be in the relay's log at the leaf the relay named, and be no older than the
 * newest entry this device has seen for the account; and each device watches its own account
 * for entries it did not publish. Contradictions are kept as signed evidence.
 */
import {
  decodeCanonical,
  encodeCanonical,
  toHex,
  verifyDirectoryEntry,
  type CryptoSuite,
  type DirectoryEntry,
} from '@parley/core';
import { ClientError } from '../errors.js';
import type { LogMonitor } from '../log/log-monitor.js';
import type { RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';

/** A directory entry as the relay served it: canonical bytes, CID and leaf index. */
export interface ServedEntry {
  readonly entry: Uint8Array;
  readonly cid: string;
  readonly leafIndex: number;
  readonly updatedAt: number;
}

/** Evidence about an account's directory entries; every entry is signed by its identity key. */
export type DirectoryEvidence =
  | {
      /** The relay served an entry older than one it served (or accepted) before. */
      readonly kind: 'directory-rollback';
      readonly account: string;
      readonly newer: ServedEntry;
      readonly older: ServedEntry;
      readonly detail: string;
    }
  | {
      /** The relay serves, for this device's own account, an entry this device did not publish. */
      readonly kind: 'foreign-entry';
      readonly account: string;
      readonly served: ServedEntry;
      /** The last entry this device published, if any. */
      readonly published: ServedEntry | undefined;
      /** True if the served entry no longer lists this device. */
      readonly deviceDropped: boolean;
      readonly detail: string;
    };

/** Evidence as stored, with an id and when this device found it. */
export type StoredDirectoryEvidence = DirectoryEvidence & {
  readonly id: number;
  readonly foundAt: number;
};

/** A verified, logged (or queued for proof), fresh entry. */
export interface AcceptedEntry {
  readonly entry: DirectoryEntry;
  readonly served: ServedEntry;
  /** Unclaimed one-time KeyPackages the relay says it holds for the account. */
  readonly availableKeyPackages: number;
}

/** What the checker needs. */
export interface KeyTransparencyOptions {
  readonly api: Pick<RelayApi, 'getDirectory'>;
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly log: Pick<LogMonitor, 'checkDirectoryEntry'>;
  readonly clock: () => number;
  /** This device's account and device key. */
  readonly accountId: string;
  readonly deviceKey: Uint8Array;
  readonly onEvidence: (evidence: StoredDirectoryEvidence) => void;
}

const PAD = 16;
const pad = (n: number): string => String(n).padStart(PAD, '0');

/** Checks the directory entries one client reads. Not re-entrant: the client serializes calls. */
export class KeyTransparency {
  readonly #o: KeyTransparencyOptions;

  constructor(options: KeyTransparencyOptions) {
    this.#o = options;
  }

  /**
   * Fetches, verifies and checks `account`'s entry; undefined if the relay has none.
   * @throws ClientError CLIENT_DIRECTORY_INVALID (does not verify, wrong account, no leaf index),
   *   CLIENT_DIRECTORY_ROLLBACK (older than one seen: evidence kept),
   *   CLIENT_DIRECTORY_NOT_LOGGED (not at its leaf in a verified checkpoint: log evidence kept),
   *   CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async lookup(account: string): Promise<AcceptedEntry | undefined> {
    const found = await this.#o.api.getDirectory(account);
    if (found === undefined) return undefined;
    const accepted = await this.accept(account, found.entry, found.leafIndex);
    return { ...accepted, availableKeyPackages: found.availableKeyPackages };
  }

  /**
   * Checks an entry served for `account` at `leafIndex` (see `lookup`) and remembers it as the
   * newest seen if it is.
   */
  async accept(
    account: string,
    bytes: Uint8Array,
    leafIndex: number | undefined,
  ): Promise<Omit<AcceptedEntry, 'availableKeyPackages'>> {
    const verified = await verifyDirectoryEntry(this.#o.suite, bytes);
    if (!verified.ok || verified.value.entry.account !== account) {
      throw new ClientError(
        'CLIENT_DIRECTORY_INVALID',
        `(${account}: ${verified.ok ? 'wrong account' : verified.reason})`,
      );
    }
    if (leafIndex === undefined) {
      throw new ClientError('CLIENT_DIRECTORY_INVALID', `(${account}: no leaf index)`);
    }
    const { entry } = verified.value;
    const served: ServedEntry = {
      entry: bytes,
      cid: verified.value.cid.toString(),
      leafIndex,
      updatedAt: entry.updatedAt,
    };
    const seen = await this.#seen(account);
    if (seen !== undefined && seen.cid !== served.cid && served.updatedAt <= seen.updatedAt) {
      const once = `kt/rollback/${account}/${served.cid}`;
      if ((await this.#o.store.get(once)) === undefined) {
        await this.#o.store.put(once, new Uint8Array([1]));
        await this.#record({
          kind: 'directory-rollback',
          account,
          newer: seen,
          older: served,
          detail: `served the entry of ${new Date(served.updatedAt).toISOString()} (leaf ${served.leafIndex}) after the one of ${new Date(seen.updatedAt).toISOString()} (leaf ${seen.leafIndex})`,
        });
      }
      throw new ClientError('CLIENT_DIRECTORY_ROLLBACK', `(${account})`);
    }
    const logged = await this.#o.log.checkDirectoryEntry(served.cid, leafIndex);
    if (logged === false) {
      throw new ClientError('CLIENT_DIRECTORY_NOT_LOGGED', `(${account}, leaf ${leafIndex})`);
    }
    if (seen?.cid !== served.cid) await this.#remember(account, served);
    return { entry, served };
  }

  /** Records an entry this device just published (the newest of its account from now on). */
  async published(served: ServedEntry): Promise<void> {
    await this.#o.store.transaction(async () => {
      await this.#o.store.put(`kt/published/${served.cid}`, new Uint8Array([1]));
      await this.#o.store.put('kt/published-latest', encodeCanonical(served));
      await this.#remember(this.#o.accountId, served);
    });
  }

  /** The last entry this device published, if it ever did. */
  async lastPublished(): Promise<ServedEntry | undefined> {
    const bytes = await this.#o.store.get('kt/published-latest');
    return bytes === undefined ? undefined : (decodeCanonical(bytes) as ServedEntry);
  }

  /**
   * Compares the entry the relay serves for this device's own account with what this device
   * published: an entry it did not publish, newer than its first, becomes `foreign-entry`
   * evidence (once per entry). Returns the accepted entry (undefined if none is served).
   * @throws ClientError as `lookup`
   */
  async checkOwn(): Promise<AcceptedEntry | undefined> {
    const accepted = await this.lookup(this.#o.accountId);
    const published = await this.lastPublished();
    if (accepted === undefined || published === undefined) return accepted;
    const { served, entry } = accepted;
    const mine = (await this.#o.store.get(`kt/published/${served.cid}`)) !== undefined;
    const reported = (await this.#o.store.get(`kt/foreign/${served.cid}`)) !== undefined;
    if (mine || reported) return accepted;
    await this.#o.store.put(`kt/foreign/${served.cid}`, new Uint8Array([1]));
    const deviceDropped = !entry.devices.some(
      (device) => toHex(device.deviceKey) === toHex(this.#o.deviceKey),
    );
    const devices = entry.devices.map((device) => toHex(device.deviceKey).slice(0, 16)).join(', ');
    await this.#record({
      kind: 'foreign-entry',
      account: this.#o.accountId,
      served,
      published,
      deviceDropped,
      detail:
        `the relay serves an entry of this account that this device did not publish ` +
        `(signed by the identity key: another device of yours, or the key leaked); ` +
        `devices [${devices}]${deviceDropped ? '; this device is no longer listed' : ''}`,
    });
    return accepted;
  }

  /** Every piece of directory evidence found so far, oldest first. */
  async evidence(): Promise<StoredDirectoryEvidence[]> {
    const found: StoredDirectoryEvidence[] = [];
    for (const key of await this.#o.store.keys('kt/evidence/')) {
      const bytes = await this.#o.store.get(key);
      if (bytes !== undefined) found.push(decodeCanonical(bytes) as StoredDirectoryEvidence);
    }
    return found;
  }

  async #seen(account: string): Promise<ServedEntry | undefined> {
    const bytes = await this.#o.store.get(`kt/seen/${account}`);
    return bytes === undefined ? undefined : (decodeCanonical(bytes) as ServedEntry);
  }

  async #remember(account: string, served: ServedEntry): Promise<void> {
    const seen = await this.#seen(account);
    if (seen !== undefined && seen.updatedAt >= served.updatedAt) return;
    await this.#o.store.put(`kt/seen/${account}`, encodeCanonical(served));
  }

  async #record(evidence: DirectoryEvidence): Promise<void> {
    const counter = await this.#o.store.get('kt/evidence-count');
    const id = (counter === undefined ? 0 : (decodeCanonical(counter) as number)) + 1;
    const stored: StoredDirectoryEvidence = { ...evidence, id, foundAt: this.#o.clock() };
    const clean = Object.fromEntries(
      Object.entries(stored).filter(([, value]) => value !== undefined),
    );
    await this.#o.store.transaction(async () => {
      await this.#o.store.put('kt/evidence-count', encodeCanonical(id));
      await this.#o.store.put(`kt/evidence/${pad(id)}`, encodeCanonical(clean));
    });
    this.#o.onEvidence(stored);
  }
}
