/** The session: logs in with core's signed challenge, reuses its token, logs in again if forgotten. */
import {
  createCryptoSuite,
  errorBody,
  fromBase64Url,
  generateIdentity,
  loginMessage,
  sessionRequestSchema,
  checkWire,
  toBase64Url,
  verifyFor,
  type ChallengeAnswer,
  type Identity,
  type SessionAnswer,
} from '@parley/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RelayHttp } from './relay-http.js';
import { RelaySession } from './relay-session.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
const HOUR_MS = 3_600_000;

/** A relay's login routes that check the signature as the relay does, plus one authed route. */
function fakeRelay(options: { challenge?: unknown; forgetsFirstToken?: boolean } = {}) {
  const nonce = toBase64Url(random(32));
  const challenge: ChallengeAnswer = { relayId: 'relay-1', nonce, expiresAt: HOUR_MS };
  const state = { logins: 0, refused: 0 };
  const fake: typeof fetch = async (input, init) => {
    const path = new URL(input as string).pathname;
    if (path === '/v1/auth/challenge') return Response.json(options.challenge ?? challenge);
    if (path === '/v1/auth/session') {
      const body = checkWire(sessionRequestSchema, JSON.parse(init?.body as string), 'body');
      if (!body.ok)
        return Response.json(errorBody({ code: 'RELAY_BAD_REQUEST', message: 'x' }), {
          status: 400,
        });
      const statement = loginMessage({
        relay: challenge.relayId,
        account: body.value.accountId as Identity['accountId'],
        nonce: fromBase64Url(body.value.nonce),
        expiresAt: challenge.expiresAt,
      });
      const signature = fromBase64Url(body.value.signature);
      const key = fromBase64Url(body.value.publicKey);
      const valid = await verifyFor(suite, 'login', key, statement, signature);
      if (!valid.ok)
        return Response.json(errorBody({ code: 'RELAY_AUTH_FAILED', message: 'x' }), {
          status: 401,
        });
      state.logins += 1;
      const session: SessionAnswer = {
        token: `token-${state.logins}`,
        accountId: body.value.accountId,
        expiresAt: HOUR_MS,
      };
      return Response.json(session);
    }
    const auth = (init?.headers as Record<string, string>).authorization;
    if (options.forgetsFirstToken === true && auth === 'Bearer token-1') {
      state.refused += 1;
      return Response.json(errorBody({ code: 'RELAY_UNAUTHENTICATED', message: 'x' }), {
        status: 401,
      });
    }
    return Response.json({ auth });
  };
  return { http: new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake }), state };
}

let identity: Identity;
beforeAll(async () => {
  identity = await generateIdentity(suite, random);
});

describe('RelaySession', () => {
  it('logs in once with a signature the relay verifies and reuses the token', async () => {
    const { http, state } = fakeRelay();
    const session = new RelaySession(http, { identity, suite });
    expect(await session.token(0)).toBe('token-1');
    expect(await session.token(1_000)).toBe('token-1');
    expect(state.logins).toBe(1);
  });

  it('logs in again shortly before the token expires', async () => {
    const { http, state } = fakeRelay();
    const session = new RelaySession(http, { identity, suite });
    await session.token(0);
    expect(await session.token(HOUR_MS - 1_000)).toBe('token-2');
    expect(state.logins).toBe(2);
  });

  it('retries an authed call once with a fresh login when the relay forgot the session', async () => {
    const { http, state } = fakeRelay({ forgetsFirstToken: true });
    const session = new RelaySession(http, { identity, suite });
    const answer = await session.authed(0, (token) => http.request('GET', '/v1/x', { token }));
    expect(answer.body).toEqual({ auth: 'Bearer token-2' });
    expect(state).toEqual({ logins: 2, refused: 1 });
  });

  it('refuses a malformed challenge with CLIENT_RELAY_ANSWER_INVALID', async () => {
    const { http, state } = fakeRelay({ challenge: { relayId: 'relay-1', nonce: 'short' } });
    const session = new RelaySession(http, { identity, suite });
    await expect(session.login()).rejects.toMatchObject({ code: 'CLIENT_RELAY_ANSWER_INVALID' });
    expect(state.logins).toBe(0);
  });
});
