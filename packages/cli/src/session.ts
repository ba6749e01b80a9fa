/**
 * Opening the account of a home for one command: unlock the key file, open the SDK store behind
 * the home's lock, create the Client, sync, run the command, close everything.
 */
import { Client, deriveStoreKey, openSealedStore, type ClientStore } from '@parley/client';
import { openSqliteClientStore } from '@parley/client/node';
import { createCryptoSuite, importKeyFile, type Identity } from '@parley/core';
import { WebSocket } from 'ws';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import { HomeLock } from './home-lock.js';
import { lockedStore } from './locked-store.js';
import { readPassphrase } from './passphrase.js';
import { hasIdentity, preparePrivateFiles, readConfig, readKeyFile, writeConfig } from './state.js';

/** How long one HTTP request to the relay may take before the relay counts as unreachable. */
const REQUEST_TIMEOUT_MS = 20_000;

/** The account of a home, open for one command. */
export interface Account {
  readonly client: Client;
  readonly relayUrl: string;
  /**
   * From now on, hold the home's lock only while the client works, so that other commands can
   * use the home meanwhile (`parley read --follow`).
   */
  shareHome(): void;
  close(): Promise<void>;
}

/** Options of openAccount. */
export interface OpenOptions {
  /** The relay to use instead of the one in config.json (`parley register`). */
  readonly relayUrl?: string;
  readonly inviteCode?: string;
}

/**
 * Reads the home's key file and unlocks it with the passphrase.
 * @throws CliError CLI_NO_IDENTITY | CLI_KEYFILE_UNREADABLE | CLI_PASSPHRASE_REQUIRED …;
 *   CoreError CORE_KEYFILE_* (wrong passphrase, damaged file)
 */
export async function unlockIdentity(ctx: CommandContext): Promise<Identity> {
  const bytes = await readKeyFile(ctx.home);
  const passphrase = await readPassphrase(ctx.io, {
    file: ctx.args.string('passphrase-file'),
    purpose: 'unlock',
    label: ctx.home.keyFile,
  });
  return importKeyFile(createCryptoSuite(globalThis.crypto.subtle), bytes, passphrase);
}

/**
 * Unlocks the identity and opens the SDK client on the home's store, sealed under the key derived
 * from the identity (an older plaintext store is sealed in place). Does not contact the relay.
 * @throws CliError CLI_NO_IDENTITY | CLI_NO_RELAY and everything unlockIdentity throws;
 *   ClientError CLIENT_STORE_KEY_WRONG if client.db was sealed by another identity
 */
export async function openAccount(
  ctx: CommandContext,
  options: OpenOptions = {},
): Promise<Account> {
  if (!(await hasIdentity(ctx.home))) throw new CliError('CLI_NO_IDENTITY', `(${ctx.home.dir})`);
  const config = await readConfig(ctx.home);
  const relayUrl = options.relayUrl ?? config.relayUrl;
  if (relayUrl === undefined) throw new CliError('CLI_NO_RELAY', `(${ctx.home.dir})`);
  const identity = await unlockIdentity(ctx);
  if (config.accountId !== identity.accountId) {
    await writeConfig(ctx.home, { ...config, accountId: identity.accountId });
  }
  await preparePrivateFiles(ctx.home);

  const lock = new HomeLock(ctx.home.lockFile, ctx.io.clock);
  let shared = false;
  let releaseQueued = false;
  let client: Client | undefined;
  const raw = openSqliteClientStore(ctx.home.dbFile);
  const locked = lockedStore(raw, lock, () => {
    if (!shared || releaseQueued || client === undefined) return;
    // Queued behind the operation that took the lock, so it runs once the client is idle.
    releaseQueued = true;
    void client.exclusive(() => {
      releaseQueued = false;
      lock.release();
      return Promise.resolve();
    });
  });
  try {
    // Sealed over the locked store, so that sealing an older plaintext store holds the lock.
    const store: ClientStore = await openSealedStore(locked, {
      key: await deriveStoreKey(createCryptoSuite(globalThis.crypto.subtle), identity),
      random: ctx.io.random,
    });
    client = await Client.create({
      relayUrl,
      identity,
      store,
      WebSocket,
      random: ctx.io.random,
      clock: ctx.io.clock,
      fetch: fetchWithTimeout,
      ...(options.inviteCode === undefined ? {} : { inviteCode: options.inviteCode }),
    });
  } catch (error) {
    await raw.close();
    lock.close();
    throw error;
  }
  client.on('error', (event) => {
    ctx.out.warning(event.code, event.message);
  });
  client.on('rejected', (event) => {
    ctx.out.debug(`skipped envelope ${event.seq} of chat ${event.chatId}: ${event.reason}`);
  });
  const opened = client;
  return {
    client: opened,
    relayUrl,
    shareHome() {
      shared = true;
      void opened.exclusive(() => {
        lock.release();
        return Promise.resolve();
      });
    },
    async close() {
      await opened.close();
      await raw.close();
      lock.close();
    },
  };
}

/**
 * Runs `work` with the account open, after syncing it with the relay (so that chats, members
 * and epochs are current), and closes it whatever happens.
 */
export async function withAccount<T>(
  ctx: CommandContext,
  work: (account: Account) => Promise<T>,
  options: OpenOptions & { readonly sync?: boolean } = {},
): Promise<T> {
  const account = await openAccount(ctx, options);
  try {
    if (options.sync !== false) await account.client.sync();
    return await work(account);
  } finally {
    await account.close();
  }
}

/** fetch with a deadline: a relay that never answers becomes CLIENT_RELAY_UNREACHABLE. */
const fetchWithTimeout: typeof fetch = (input, init) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
