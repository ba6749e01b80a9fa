/**
 * An unlocked account: its database, its SDK client and its link to the relay. Opening one stores
 * the encrypted key file in the account's database (so this browser can unlock it again) and
 * records the account in the profile index. Once the key file is unlocked, the database is used
 * through the sealed layer under the key derived from the identity (docs/spec/client-store.md):
 * only the key file itself stays as it is, being passphrase-encrypted already (it must be read
 * before the store key exists). One tab at a time may hold an account: two clients
 * writing one store could save stale MLS state over each other.
 */
import { Client, deriveStoreKey, openSealedStore, type ClientStore } from '@parley/client';
import { createCryptoSuite, type Identity } from '@parley/core';
import { WebError } from '../errors.js';
import type { AppEnv } from '../platform/env.js';
import { Connection } from './connection.js';
import { KEY_FILE_KEY, openKeyFile } from './identity.js';
import { PROFILE_INDEX_DB, accountDatabase, rememberProfile } from './profiles.js';

/** An account's database, held exclusively by this tab. */
interface HeldStore {
  readonly store: ClientStore;
  readonly release: () => Promise<void>;
}

/**
 * Takes the account's tab lock and opens its database.
 * @throws WebError WEB_ACCOUNT_IN_USE if another tab holds the account
 */
async function holdStore(env: AppEnv, accountId: string): Promise<HeldStore> {
  const database = accountDatabase(accountId);
  const unlock = await env.tryLock(database);
  if (unlock === undefined) throw new WebError('WEB_ACCOUNT_IN_USE');
  try {
    const store = await env.openStore(database);
    return {
      store,
      release: async () => {
        try {
          await store.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/** One unlocked account in this page. */
export class Session {
  readonly accountId: string;
  readonly client: Client;
  readonly store: ClientStore;
  readonly connection: Connection;
  readonly #release: () => Promise<void>;

  private constructor(client: Client, store: ClientStore, held: HeldStore, connection: Connection) {
    this.accountId = client.accountId;
    this.client = client;
    this.store = store;
    this.#release = held.release;
    this.connection = connection;
  }

  /**
   * Opens the account of `identity` (a new one, or one imported from its key file), keeping
   * `keyFile` as this browser's copy, and starts connecting.
   * @throws WebError WEB_ACCOUNT_IN_USE; ClientError CLIENT_STORE_KEY_WRONG (another identity sealed it)
   */
  static async open(
    env: AppEnv,
    identity: Identity,
    keyFile: Uint8Array,
    options: { inviteCode?: string } = {},
  ): Promise<Session> {
    const held = await holdStore(env, identity.accountId);
    try {
      const { store } = held;
      if ((await store.get(KEY_FILE_KEY)) === undefined) await store.put(KEY_FILE_KEY, keyFile);
      return await Session.#start(env, identity, held, options.inviteCode);
    } catch (error) {
      await held.release();
      throw error;
    }
  }

  /**
   * Unlocks an account this browser holds with its passphrase.
   * @throws CoreError CORE_KEYFILE_WRONG_PASSPHRASE (and the other key-file codes);
   *   WebError WEB_ACCOUNT_IN_USE | WEB_KEY_FILE_MISSING | WEB_KEY_FILE_MISMATCH;
   *   ClientError CLIENT_STORE_KEY_WRONG | CLIENT_STORE_DAMAGED
   */
  static async unlock(env: AppEnv, accountId: string, passphrase: string): Promise<Session> {
    const held = await holdStore(env, accountId);
    try {
      const keyFile = await held.store.get(KEY_FILE_KEY);
      if (keyFile === undefined) throw new WebError('WEB_KEY_FILE_MISSING');
      const identity = await openKeyFile(env.subtle, keyFile, passphrase);
      if (identity.accountId !== accountId) throw new WebError('WEB_KEY_FILE_MISMATCH');
      return await Session.#start(env, identity, held, undefined);
    } catch (error) {
      await held.release();
      throw error;
    }
  }

  static async #start(
    env: AppEnv,
    identity: Identity,
    held: HeldStore,
    inviteCode: string | undefined,
  ): Promise<Session> {
    const suite = createCryptoSuite(env.subtle);
    const store = await openSealedStore(held.store, {
      key: await deriveStoreKey(suite, identity),
      random: env.random,
      plainKeys: [KEY_FILE_KEY],
    });
    const client = await Client.create({
      relayUrl: env.relayUrl,
      identity,
      store,
      suite,
      random: env.random,
      clock: env.clock,
      fetch: env.fetch,
      WebSocket: env.WebSocket,
      ...(inviteCode === undefined || inviteCode === '' ? {} : { inviteCode }),
    });
    const index = await env.openStore(PROFILE_INDEX_DB);
    try {
      await rememberProfile(index, identity.accountId, env.clock());
    } finally {
      await index.close();
    }
    const connection = new Connection({
      client,
      store,
      relayUrl: env.relayUrl,
      fetch: env.fetch,
      timers: env.timers,
    });
    connection.start();
    return new Session(client, store, held, connection);
  }

  /** The encrypted key file this browser keeps (for another download). */
  async keyFile(): Promise<Uint8Array | undefined> {
    return this.store.get(KEY_FILE_KEY);
  }

  /** Stops syncing, closes the database and lets another tab open the account. */
  async close(): Promise<void> {
    this.connection.stop();
    try {
      await this.client.close();
    } finally {
      await this.#release();
    }
  }
}
