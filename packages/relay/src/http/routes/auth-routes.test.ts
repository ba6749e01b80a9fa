/** Login (docs/spec/relay-api.md §Login): challenge, session, indistinguishable failures, allowlist. */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url, utf8 } from '@parley/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  START_MS,
  errorOf,
  signChallenge,
  startTestRelay,
  unsafeTestIdentity,
  type Challenge,
  type ErrorBody,
  type TestRelay,
  unsafeSeededRandom,
} from '../../../test/support/in-process-relay.js';
import { createInvites } from '../../auth/allowlist.js';

const AUTH_FAILED = '{"error":{"code":"RELAY_AUTH_FAILED","message":"Login failed."}}';
const UNAUTHENTICATED =
  '{"error":{"code":"RELAY_UNAUTHENTICATED","message":"A valid, unexpired session token is required."}}';

let alice: Awaited<ReturnType<typeof unsafeTestIdentity>>;
let bob: Awaited<ReturnType<typeof unsafeTestIdentity>>;
beforeAll(async () => {
  alice = await unsafeTestIdentity('alice');
  bob = await unsafeTestIdentity('bob');
});

let relay: TestRelay;
afterEach(async () => {
  await relay.close();
});

async function challenge(target: TestRelay = relay): Promise<Challenge> {
  const answer = await target.request('POST', '/v1/auth/challenge');
  expect(answer.statusCode).toBe(200);
  return answer.json<Challenge>();
}

/** A request any valid session may make: reading a (non-inbox) topic. */
function authenticatedRead(token: string | undefined, headers: Record<string, string> = {}) {
  const topic = toBase64Url(new Uint8Array(32));
  return relay.request('GET', `/v1/topics/${topic}/envelopes`, {
    ...(token === undefined ? {} : { token }),
    headers,
  });
}

describe('POST /v1/auth/challenge', () => {
  beforeEach(async () => {
    relay = await startTestRelay();
  });

  it('issues a fresh 32-byte nonce that expires after challengeTtlMs', async () => {
    const first = await challenge();
    const second = await challenge();
    expect(first.relayId).toBe(relay.relay.relayId);
    expect(fromBase64Url(first.nonce)).toHaveLength(32);
    expect(first.expiresAt).toBe(START_MS + 60_000);
    expect(second.nonce).not.toBe(first.nonce);
  });

  it('accepts an empty JSON object as the body', async () => {
    const answer = await relay.request('POST', '/v1/auth/challenge', { json: {} });
    expect(answer.statusCode).toBe(200);
  });
});

describe('POST /v1/auth/session', () => {
  beforeEach(async () => {
    relay = await startTestRelay();
  });

  it('opens a session for a correctly signed challenge', async () => {
    const answer = await relay.tryLogin(alice);
    expect(answer.statusCode).toBe(200);
    const session = answer.json<{ token: string; accountId: string; expiresAt: number }>();
    expect(session.accountId).toBe(alice.accountId);
    expect(session.expiresAt).toBe(START_MS + 6 * 3600 * 1000);
    expect(fromBase64Url(session.token)).toHaveLength(32);
    expect((await authenticatedRead(session.token)).statusCode).toBe(200);
  });

  it('stores the session under the SHA-256 of the token, never the token itself', async () => {
    const token = await relay.login(alice);
    expect(await relay.stores.sessions.getSession(sha256(utf8(token)))).toEqual({
      account: alice.accountId,
      expiresAt: START_MS + 6 * 3600 * 1000,
    });
    expect(await relay.stores.sessions.getSession(utf8(token))).toBeUndefined();
    expect(await relay.stores.sessions.getSession(fromBase64Url(token))).toBeUndefined();
  });

  it('accepts a challenge until just before it expires', async () => {
    const issued = await challenge();
    relay.advance(59_999);
    const answer = await relay.request('POST', '/v1/auth/session', {
      json: await signChallenge(alice, issued),
    });
    expect(answer.statusCode).toBe(200);
  });

  it('answers every authentication failure with the same 401 body', async () => {
    const other = await startTestRelay({ seed: 'another relay' });
    try {
      const answers = [];
      const send = async (body: Record<string, string>) =>
        relay.request('POST', '/v1/auth/session', { json: body });

      // A nonce used once already.
      const used = await challenge();
      expect((await send(await signChallenge(alice, used))).statusCode).toBe(200);
      answers.push(['reused nonce', await send(await signChallenge(alice, used))] as const);

      // A nonce that expired: valid until, not at, expiresAt.
      const expired = await challenge();
      relay.advance(60_000);
      answers.push(['expired nonce', await send(await signChallenge(alice, expired))] as const);

      // A nonce this relay never issued, one of the wrong length, and another relay's.
      const unknown = { ...(await challenge()), nonce: toBase64Url(new Uint8Array(32).fill(7)) };
      answers.push(['unknown nonce', await send(await signChallenge(alice, unknown))] as const);
      const short = await challenge();
      const shortBody = await signChallenge(alice, short);
      answers.push([
        'short nonce',
        await send({ ...shortBody, nonce: toBase64Url(new Uint8Array(16)) }),
      ] as const);
      const foreign = await challenge(other);
      answers.push([
        'other relay’s nonce',
        await send(await signChallenge(alice, foreign)),
      ] as const);

      // This relay's nonce, signed for another relay or another expiry.
      const mine = await challenge();
      answers.push([
        'signed for another relay',
        await send(await signChallenge(alice, mine, { relayId: other.relay.relayId })),
      ] as const);
      const later = await challenge();
      answers.push([
        'signed another expiry',
        await send(await signChallenge(alice, later, { expiresAt: later.expiresAt + 1 })),
      ] as const);

      // A key that is not the account's (bob's key and signature under alice's id).
      answers.push([
        'key not the account’s',
        await send(await signChallenge(alice, await challenge(), { signer: bob })),
      ] as const);

      // Bad signatures.
      answers.push([
        'corrupted signature',
        await send(await signChallenge(alice, await challenge(), { corruptSignature: true })),
      ] as const);
      answers.push([
        'signature for another context',
        await send(await signChallenge(alice, await challenge(), { context: 'directory-entry' })),
      ] as const);
      const truncated = await signChallenge(alice, await challenge());
      answers.push([
        'signature too short',
        await send({ ...truncated, signature: toBase64Url(new Uint8Array(63)) }),
      ] as const);

      // An account id that is not an account id, or is another account's.
      answers.push([
        'malformed account id',
        await send(await signChallenge(alice, await challenge(), { accountId: 'not-an-account' })),
      ] as const);
      answers.push([
        'another account’s id',
        await send(await signChallenge(alice, await challenge(), { accountId: bob.accountId })),
      ] as const);

      for (const [label, answer] of answers) {
        expect({ label, status: answer.statusCode, body: answer.body }).toEqual({
          label,
          status: 401,
          body: AUTH_FAILED,
        });
      }
    } finally {
      await other.close();
    }
  });

  it('spends a nonce on a failed attempt', async () => {
    const issued = await challenge();
    const bad = await relay.request('POST', '/v1/auth/session', {
      json: await signChallenge(alice, issued, { corruptSignature: true }),
    });
    expect(bad.statusCode).toBe(401);
    const good = await relay.request('POST', '/v1/auth/session', {
      json: await signChallenge(alice, issued),
    });
    expect(good.body).toBe(AUTH_FAILED);
  });

  it('refuses a body that does not match the schema with RELAY_INVALID_REQUEST', async () => {
    const body = await signChallenge(alice, await challenge());
    const { signature: _signature, ...missing } = body;
    for (const json of [missing, { ...body, extra: 'x' }, { ...body, accountId: 5 }]) {
      const answer = await relay.request('POST', '/v1/auth/session', { json });
      expect(answer.statusCode).toBe(400);
      expect(answer.json<ErrorBody>().error.code).toBe('RELAY_INVALID_REQUEST');
    }
  });

  it('refuses bytes that are not canonical base64url with RELAY_BAD_ENCODING', async () => {
    const body = await signChallenge(alice, await challenge());
    for (const json of [
      { ...body, publicKey: `${body.publicKey}=` },
      { ...body, nonce: 'a+b/' },
    ]) {
      const answer = await relay.request('POST', '/v1/auth/session', { json });
      expect(answer.statusCode).toBe(400);
      expect(answer.json<ErrorBody>().error.code).toBe('RELAY_BAD_ENCODING');
    }
  });
});

describe('sessions', () => {
  beforeEach(async () => {
    relay = await startTestRelay({ flags: { 'session-ttl-seconds': '3600' } });
  });

  it('answers 401 RELAY_UNAUTHENTICATED, always alike, without a valid token', async () => {
    const token = await relay.login(alice);
    const answers = [
      await authenticatedRead(undefined),
      await authenticatedRead(undefined, { authorization: `Basic ${token}` }),
      await authenticatedRead(undefined, { authorization: `bearer ${token}` }),
      await authenticatedRead(undefined, { authorization: `Bearer ${token} ` }),
      await authenticatedRead(toBase64Url(new Uint8Array(32))),
      await authenticatedRead(`${token.slice(0, -1)}A`),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(401);
      expect(answer.body).toBe(UNAUTHENTICATED);
    }
  });

  it('expires a session after sessionTtlMs', async () => {
    const token = await relay.login(alice);
    relay.advance(3_600_000 - 1);
    expect((await authenticatedRead(token)).statusCode).toBe(200);
    relay.advance(1);
    const answer = await authenticatedRead(token);
    expect(answer.statusCode).toBe(401);
    expect(answer.body).toBe(UNAUTHENTICATED);
  });
});

describe('allowlist mode invite', () => {
  beforeEach(async () => {
    relay = await startTestRelay({ flags: { 'allowlist-mode': 'invite' } });
  });

  it('admits an account with a valid code once, and keeps it admitted', async () => {
    const [code = '', spare = ''] = await createInvites(
      relay.stores.membership,
      unsafeSeededRandom('invites'),
      2,
      START_MS,
    );
    expect(await errorOf(relay.tryLogin(alice))).toEqual({
      status: 403,
      code: 'RELAY_ACCOUNT_NOT_ALLOWED',
    });
    expect(await errorOf(relay.tryLogin(alice, { inviteCode: 'no-such-code' }))).toEqual({
      status: 403,
      code: 'RELAY_INVITE_INVALID',
    });

    expect((await relay.tryLogin(alice, { inviteCode: code })).statusCode).toBe(200);
    // Admitted for good: no code needed any more.
    expect((await relay.tryLogin(alice)).statusCode).toBe(200);
    // The code is spent.
    expect(await errorOf(relay.tryLogin(bob, { inviteCode: code }))).toEqual({
      status: 403,
      code: 'RELAY_INVITE_INVALID',
    });
    expect((await relay.tryLogin(bob, { inviteCode: spare })).statusCode).toBe(200);
  });

  it('authenticates before the allowlist decides: a failed login spends no code', async () => {
    const [code = ''] = await createInvites(
      relay.stores.membership,
      unsafeSeededRandom('invite'),
      1,
      0,
    );
    const failed = await relay.tryLogin(alice, { inviteCode: code, corruptSignature: true });
    expect(failed.body).toBe(AUTH_FAILED);
    expect((await relay.tryLogin(alice, { inviteCode: code })).statusCode).toBe(200);
  });
});

describe('allowlist mode list', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-allowlist-'));
    file = join(dir, 'accounts');
    writeFileSync(file, `# the team\n${alice.accountId}  # alice\n\n`);
    relay = await startTestRelay({
      flags: { 'allowlist-mode': 'list', 'allowlist-file': file },
    });
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('admits listed accounts only, and re-reads the file when it changes', async () => {
    expect((await relay.tryLogin(alice)).statusCode).toBe(200);
    const refused = await relay.tryLogin(bob);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<ErrorBody>().error.code).toBe('RELAY_ACCOUNT_NOT_ALLOWED');
    // An unlisted account that fails authentication learns only that.
    expect((await relay.tryLogin(bob, { corruptSignature: true })).body).toBe(AUTH_FAILED);

    writeFileSync(file, `${alice.accountId}\n${bob.accountId}\n`);
    // A distinct modification time, whatever the file system's time resolution.
    const later = new Date(Date.now() + 10_000);
    utimesSync(file, later, later);
    expect((await relay.tryLogin(bob)).statusCode).toBe(200);
  });

  it('admits nobody while the file is missing', async () => {
    rmSync(file);
    expect((await relay.tryLogin(alice)).statusCode).toBe(403);
  });
});
