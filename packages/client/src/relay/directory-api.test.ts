/** The directory routes over an injected fetch: entries and claims decoded, unknown ones undefined. */
import {
  createCryptoSuite,
  errorBody,
  generateIdentity,
  toBase64Url,
  type ChallengeAnswer,
  type DirectoryEntryAnswer,
  type DirectoryPutAnswer,
  type KeyPackageClaimAnswer,
  type SessionAnswer,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { DirectoryApi } from './directory-api.js';
import { RelayHttp } from './relay-http.js';
import { RelaySession } from './relay-session.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/** A relay that logs anyone in and answers the directory routes with `route`. */
async function directoryOver(route: (method: string, path: string) => Response) {
  const identity = await generateIdentity(suite, random);
  const fake: typeof fetch = (input, init) => {
    const path = new URL(input as string).pathname;
    if (path === '/v1/auth/challenge') {
      const challenge: ChallengeAnswer = {
        relayId: 'relay-1',
        nonce: toBase64Url(random(32)),
        expiresAt: 3_600_000,
      };
      return Promise.resolve(Response.json(challenge));
    }
    if (path === '/v1/auth/session') {
      const session: SessionAnswer = {
        token: 't',
        accountId: identity.accountId,
        expiresAt: 3_600_000,
      };
      return Promise.resolve(Response.json(session));
    }
    return Promise.resolve(route(init?.method ?? 'GET', path));
  };
  const http = new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake });
  return new DirectoryApi(http, new RelaySession(http, { identity, suite }));
}

describe('DirectoryApi', () => {
  it('reads a served entry with its leaf index, and undefined for an unknown account', async () => {
    const served: DirectoryEntryAnswer = {
      entry: toBase64Url(new Uint8Array([1, 2])),
      cid: 'bafy',
      availableKeyPackages: 3,
      leafIndex: 9,
    };
    const directory = await directoryOver((_method, path) =>
      path.endsWith('/known')
        ? Response.json(served)
        : Response.json(errorBody({ code: 'RELAY_NOT_FOUND', message: 'none' }), { status: 404 }),
    );
    expect(await directory.get('known')).toEqual({
      entry: new Uint8Array([1, 2]),
      availableKeyPackages: 3,
      leafIndex: 9,
    });
    expect(await directory.get('unknown')).toBeUndefined();
  });

  it('refuses an entry without its leaf index as an invalid answer', async () => {
    const directory = await directoryOver(() =>
      Response.json({ entry: 'AQ', cid: 'bafy', availableKeyPackages: 0 }),
    );
    await expect(directory.get('known')).rejects.toMatchObject({
      code: 'CLIENT_RELAY_ANSWER_INVALID',
    });
  });

  it('publishes and answers the leaf index; claims a KeyPackage', async () => {
    const put: DirectoryPutAnswer = { cid: 'bafy', availableKeyPackages: 1, leafIndex: 4 };
    const claim: KeyPackageClaimAnswer = {
      keyPackage: toBase64Url(new Uint8Array([7])),
      lastResort: true,
    };
    const directory = await directoryOver((method) =>
      Response.json(method === 'PUT' ? put : claim),
    );
    const one = new Uint8Array([1]);
    expect(await directory.put('me', one, [one], one, 0)).toEqual({ leafIndex: 4 });
    expect(await directory.claimKeyPackage('you', 0)).toEqual({
      keyPackage: new Uint8Array([7]),
      lastResort: true,
    });
  });
});
