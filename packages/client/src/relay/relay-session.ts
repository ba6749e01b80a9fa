/**
 * A session with one relay (docs/spec/relay-api.md §Login): logs in through core's
 * `answerChallenge`, keeps the token until shortly before it expires, and logs in again when
 * the relay says it forgot it.
 */
import {
  answerChallenge,
  identityLoginSigner,
  sessionAnswerSchema,
  type CryptoSuite,
  type Identity,
} from '@parley/core';
import { ClientError } from '../errors.js';
import { decodeAnswer, type RelayHttp } from './relay-http.js';

/** How long before its expiry a token is renewed rather than used. */
const RENEW_BEFORE_MS = 30_000;

/** What a session needs. */
export interface RelaySessionOptions {
  readonly identity: Identity;
  readonly suite: CryptoSuite;
  readonly inviteCode?: string | undefined;
}

/** The session of one account with one relay. */
export class RelaySession {
  readonly #http: RelayHttp;
  readonly #options: RelaySessionOptions;
  #token: { value: string; expiresAt: number } | undefined;

  constructor(http: RelayHttp, options: RelaySessionOptions) {
    this.#http = http;
    this.#options = options;
  }

  /**
   * The current session token, logging in first if needed.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async token(now: number): Promise<string> {
    if (this.#token === undefined || this.#token.expiresAt - RENEW_BEFORE_MS <= now) {
      await this.login();
    }
    if (this.#token === undefined) throw new ClientError('CLIENT_RELAY_REFUSED', '(no session)');
    return this.#token.value;
  }

  /**
   * Logs in with a fresh challenge.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async login(): Promise<void> {
    const { identity, suite, inviteCode } = this.#options;
    const challenge = await this.#http.request('POST', '/v1/auth/challenge', { json: {} });
    const request = await answerChallenge(challenge.body, identityLoginSigner(suite, identity), {
      inviteCode,
    });
    if (!request.ok) {
      throw new ClientError('CLIENT_RELAY_ANSWER_INVALID', `(${request.detail ?? request.reason})`);
    }
    const answer = await this.#http.request('POST', '/v1/auth/session', { json: request.value });
    const session = decodeAnswer(sessionAnswerSchema, answer.body, 'session');
    this.#token = { value: session.token, expiresAt: session.expiresAt };
  }

  /**
   * Runs `call` with a session token; once more with a fresh login if the relay forgot it.
   * @throws what `call` throws, and what `token` throws
   */
  async authed<T>(now: number, call: (token: string) => Promise<T>): Promise<T> {
    try {
      return await call(await this.token(now));
    } catch (error) {
      if (!(error instanceof ClientError) || error.relayCode !== 'RELAY_UNAUTHENTICATED') {
        throw error;
      }
      this.#token = undefined;
      return call(await this.token(now));
    }
  }
}
