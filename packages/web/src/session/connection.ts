/**
 * Keeps an account connected to its relay and says how that goes. The SDK queues what is written
 * offline and its live socket reconnects by itself; this adds what a person needs to see: whether
 * the relay is reachable right now, registration on first use, the first connect retried until it
 * works, and a sync soon after the relay comes back so that queued messages go out.
 */
import type { Client, ClientStore } from '@parley/client';
import { fromUtf8, utf8 } from '@parley/core';
import { errorCode, isUnreachable, plainWords } from '../errors.js';
import type { Timers } from '../platform/env.js';

/** What the app knows about the relay. */
export type RelayState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'online' }
  /** Unreachable or failing for now; work is kept and retried. */
  | { readonly kind: 'offline'; readonly reason: string }
  /** The relay refused this account (e.g. an invite-only relay); retrying will not help. */
  | { readonly kind: 'refused'; readonly reason: string };

/** Where the relay this account registered on is remembered. */
const REGISTERED_KEY = 'web/registered';
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5000;
const HEALTH_CHECK_MS = 10_000;

/** What a Connection needs of the SDK client. */
export type ConnectionClient = Pick<Client, 'on' | 'register' | 'connect' | 'sync'>;

/** Dependencies of a Connection. */
export interface ConnectionOptions {
  readonly client: ConnectionClient;
  readonly store: ClientStore;
  readonly relayUrl: string;
  readonly fetch: typeof fetch;
  readonly timers: Timers;
}

/** One account's link to its relay. Start it once; stop it before closing the client. */
export class Connection {
  readonly #o: ConnectionOptions;
  readonly #listeners = new Set<(state: RelayState) => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #state: RelayState = { kind: 'connecting' };
  #connected = false;
  #running = false;
  #stopped = false;
  #failures = 0;
  #timer: number | undefined;

  constructor(options: ConnectionOptions) {
    this.#o = options;
  }

  get state(): RelayState {
    return this.#state;
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: (state: RelayState) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Registers if needed and connects, retrying until the relay answers. */
  start(): void {
    const { client } = this.#o;
    this.#unsubscribe.push(
      client.on('error', (event) => {
        if (isUnreachable(event.code)) this.lostRelay();
      }),
      client.on('sent', () => {
        if (this.#state.kind === 'offline') this.#set({ kind: 'online' });
      }),
    );
    void this.#attempt();
  }

  /** Something failed to reach the relay (a send stayed queued): show it and retry soon. */
  lostRelay(reason = plainWords('CLIENT_RELAY_UNREACHABLE')): void {
    if (this.#stopped) return;
    if (this.#state.kind !== 'offline') this.#set({ kind: 'offline', reason });
    if (!this.#running) this.#schedule(FIRST_RETRY_MS, () => this.#attempt());
  }

  /** Stops retrying and listening. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#listeners.clear();
  }

  async #attempt(): Promise<void> {
    if (this.#stopped || this.#running) return;
    this.#running = true;
    try {
      await this.#registerOnce();
      if (this.#connected) await this.#o.client.sync();
      else {
        await this.#o.client.connect();
        this.#connected = true;
      }
      this.#failures = 0;
      this.#set({ kind: 'online' });
      this.#schedule(HEALTH_CHECK_MS, () => this.#checkHealth());
    } catch (error) {
      this.#failed(error);
    } finally {
      this.#running = false;
    }
  }

  #failed(error: unknown): void {
    if (this.#stopped) return;
    const status =
      typeof error === 'object' && error !== null && 'status' in error ? error.status : 0;
    const transient =
      isUnreachable(error) ||
      (typeof status === 'number' && (status === 401 || status === 429 || status >= 500));
    if (!transient && errorCode(error) === 'CLIENT_RELAY_REFUSED') {
      this.#set({ kind: 'refused', reason: plainWords(error) });
      return;
    }
    this.#failures += 1;
    this.#set({
      kind: 'offline',
      reason: plainWords(transient ? error : 'CLIENT_RELAY_UNREACHABLE'),
    });
    const delayMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.#failures - 1));
    this.#schedule(delayMs, () => this.#attempt());
  }

  /** A cheap probe while all seems well: an idle app learns that the relay went away. */
  async #checkHealth(): Promise<void> {
    if (this.#stopped || this.#state.kind !== 'online') return;
    const url = `${this.#o.relayUrl.replace(/\/+$/, '')}/healthz`;
    const reachable = await this.#o.fetch(url, { cache: 'no-store' }).then(
      (response) => response.ok,
      () => false,
    );
    if (reachable) this.#schedule(HEALTH_CHECK_MS, () => this.#checkHealth());
    else this.lostRelay();
  }

  async #registerOnce(): Promise<void> {
    const { store, client, relayUrl } = this.#o;
    const registered = await store.get(REGISTERED_KEY);
    if (registered !== undefined && fromUtf8(registered) === relayUrl) return;
    await client.register();
    await store.put(REGISTERED_KEY, utf8(relayUrl));
  }

  #schedule(delayMs: number, run: () => Promise<void>): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = this.#o.timers.setTimeout(() => {
      this.#timer = undefined;
      void run();
    }, delayMs);
  }

  #set(state: RelayState): void {
    const same =
      state.kind === this.#state.kind &&
      ('reason' in state ? state.reason : '') ===
        ('reason' in this.#state ? this.#state.reason : '');
    this.#state = state;
    if (same) return;
    for (const listener of this.#listeners) listener(state);
  }
}
