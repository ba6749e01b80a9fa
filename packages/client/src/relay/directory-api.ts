/** The relay's directory routes (docs/spec/directory.md) for the SDK: read, publish, claim. */
import {
  directoryEntryAnswerSchema,
  directoryPutAnswerSchema,
  keyPackageClaimAnswerSchema,
  toBase64Url,
  type DirectoryPut,
} from '@parley/core';
import { ClientError } from '../errors.js';
import { answerBytes, decodeAnswer, type RelayHttp } from './relay-http.js';
import type { RelaySession } from './relay-session.js';

/** An account's entry as served, with its leaf in the relay's log. */
export interface ServedDirectoryEntry {
  readonly entry: Uint8Array;
  readonly availableKeyPackages: number;
  readonly leafIndex: number;
}

/** A claimed KeyPackage. */
export interface ClaimedKeyPackage {
  readonly keyPackage: Uint8Array;
  readonly lastResort: boolean;
}

/** The directory routes of one relay. */
export class DirectoryApi {
  readonly #http: RelayHttp;
  readonly #session: RelaySession;

  constructor(http: RelayHttp, session: RelaySession) {
    this.#http = http;
    this.#session = session;
  }

  /**
   * The account's entry as served, or undefined if the relay has none.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async get(accountId: string): Promise<ServedDirectoryEntry | undefined> {
    let body: unknown;
    try {
      body = (await this.#http.request('GET', `/v1/directory/${accountId}`)).body;
    } catch (error) {
      if (error instanceof ClientError && error.relayCode === 'RELAY_NOT_FOUND') return undefined;
      throw error;
    }
    const answer = decodeAnswer(directoryEntryAnswerSchema, body, 'directory');
    return {
      entry: answerBytes(answer.entry, 'directory.entry'),
      availableKeyPackages: answer.availableKeyPackages,
      leafIndex: answer.leafIndex,
    };
  }

  /**
   * Publishes an entry and `device`'s one-time KeyPackages; answers the entry's leaf index.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async put(
    accountId: string,
    entry: Uint8Array,
    keyPackages: readonly Uint8Array[],
    device: Uint8Array,
    now: number,
  ): Promise<{ leafIndex: number }> {
    const json: DirectoryPut = {
      entry: toBase64Url(entry),
      keyPackages: keyPackages.map(toBase64Url),
      device: toBase64Url(device),
    };
    const answer = await this.#session.authed(now, (token) =>
      this.#http.request('PUT', `/v1/directory/${accountId}`, { json, token }),
    );
    return { leafIndex: decodeAnswer(directoryPutAnswerSchema, answer.body, 'publish').leafIndex };
  }

  /**
   * Claims one of the account's KeyPackages (its last-resort one when none is left).
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async claimKeyPackage(accountId: string, now: number): Promise<ClaimedKeyPackage> {
    const answer = await this.#session.authed(now, (token) =>
      this.#http.request('POST', `/v1/directory/${accountId}/key-packages/claim`, { token }),
    );
    const claim = decodeAnswer(keyPackageClaimAnswerSchema, answer.body, 'claim');
    return {
      keyPackage: answerBytes(claim.keyPackage, 'claim.keyPackage'),
      lastResort: claim.lastResort,
    };
  }
}
