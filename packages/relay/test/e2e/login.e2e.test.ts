/**
 * Login against real relay processes (docs/spec/relay-api.md §Login): a signed challenge becomes a
 * session; every way a login can be wrong gets the same 401; sessions and challenges expire; the
 * `list` and `invite` allowlist modes decide only after authentication.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  accountIdFromPublicKey,
  fromBase64Url,
  inboxTopic,
  toBase64Url,
  type Identity,
} from '@parley/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WsClient,
  bodyOf,
  call,
  errorCode,
  fetchEnvelopes,
  login,
  newIdentity,
  randomBytes,
  requestChallenge,
  requestSession,
  signChallenge,
  sleep,
  tryLogin,
  type Answer,
  type Session,
} from '@parley/test-support/relay-api';
import {
  cleanupRelays,
  makeTempDir,
  runRelayCommand,
  startRelay,
  type RelayProcess,
} from '@parley/test-support/relay-process';

afterAll(cleanupRelays);

/**
 * A socket that never authenticates, opened before every other test of this file so that the
 * 10 s the relay grants it overlap them; the last test checks it was closed.
 */
let idle: { socket: WsClient; openedAt: number } | undefined;
beforeAll(async () => {
  const relay = await startRelay();
  idle = { openedAt: Date.now(), socket: await WsClient.open(relay.wsUrl) };
});

/** Waits until the wall clock is past `time` (ms since the epoch) by `marginMs`. */
async function waitUntilPast(time: number, marginMs = 300): Promise<void> {
  const wait = time + marginMs - Date.now();
  if (wait > 0) await sleep(wait);
}

function expectAuthFailed(answer: Answer, reference: unknown): void {
  expect(answer.status, answer.text).toBe(401);
  expect(errorCode(answer)).toBe('RELAY_AUTH_FAILED');
  // The same body, byte for byte: a failure must not tell which check failed.
  expect(answer.json).toEqual(reference);
}

describe('login on an open relay', () => {
  let relay: RelayProcess;
  let otherRelay: RelayProcess;
  let alice: Identity;
  let mallory: Identity;
  /** The body of one failed login, which every other failure must equal. */
  let referenceFailure: unknown;

  beforeAll(async () => {
    [relay, otherRelay] = await Promise.all([startRelay(), startRelay()]);
    [alice, mallory] = await Promise.all([newIdentity(), newIdentity()]);
    const challenge = await requestChallenge(relay.url);
    const unknownNonce = { ...challenge, nonce: toBase64Url(randomBytes(32)) };
    const answer = await requestSession(relay.url, await signChallenge(alice, unknownNonce));
    expect(answer.status, answer.text).toBe(401);
    referenceFailure = answer.json;
  });

  it('issues a fresh 32-byte challenge bound to its relay id, valid for 60 s', async () => {
    const before = Date.now();
    const challenge = await requestChallenge(relay.url);
    expect(challenge.relayId).toBe(relay.relayId);
    expect(fromBase64Url(challenge.nonce)).toHaveLength(32);
    // Default challenge TTL: 60 s.
    expect(challenge.expiresAt).toBeGreaterThan(before + 50_000);
    expect(challenge.expiresAt).toBeLessThanOrEqual(Date.now() + 61_000);
    const second = await requestChallenge(relay.url);
    expect(second.nonce).not.toBe(challenge.nonce);
  });

  it('turns a signed challenge into a session whose token opens authenticated routes', async () => {
    const before = Date.now();
    const session = await login(relay.url, alice);
    expect(session.accountId).toBe(alice.accountId);
    expect(fromBase64Url(session.token)).toHaveLength(32);
    expect(session.expiresAt).toBeGreaterThan(before);

    const inbox = inboxTopic(alice.accountId);
    const withToken = await fetchEnvelopes(relay.url, session.token, inbox);
    expect(bodyOf(withToken, 200)).toEqual({ envelopes: [], lastSeq: 0 });

    const withoutToken = await call(relay.url, 'GET', `/v1/topics/${toBase64Url(inbox)}/envelopes`);
    expect(withoutToken.status).toBe(401);
    expect(errorCode(withoutToken)).toBe('RELAY_UNAUTHENTICATED');
  });

  it('gives each login its own token', async () => {
    const [first, second] = await Promise.all([login(relay.url, alice), login(relay.url, alice)]);
    expect(first.token).not.toBe(second.token);
  });

  it('refuses a nonce that was already used for a session', async () => {
    const body = await signChallenge(alice, await requestChallenge(relay.url));
    expect((await requestSession(relay.url, body)).status).toBe(200);
    expectAuthFailed(await requestSession(relay.url, body), referenceFailure);
  });

  it('accepts exactly one of ten concurrent uses of the same nonce', async () => {
    const body = await signChallenge(alice, await requestChallenge(relay.url));
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => requestSession(relay.url, body)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(9).fill(401)]);
    for (const answer of answers.filter((item) => item.status !== 200)) {
      expectAuthFailed(answer, referenceFailure);
    }
  });

  it('refuses a nonce the relay never issued', async () => {
    const challenge = await requestChallenge(relay.url);
    const forged = { ...challenge, nonce: toBase64Url(randomBytes(32)) };
    expectAuthFailed(
      await requestSession(relay.url, await signChallenge(alice, forged)),
      referenceFailure,
    );
  });

  it('refuses a login made for another relay process, which that relay accepts', async () => {
    expect(otherRelay.relayId).not.toBe(relay.relayId);
    const body = await signChallenge(alice, await requestChallenge(otherRelay.url));
    expectAuthFailed(await requestSession(relay.url, body), referenceFailure);
    // The same request was valid: only the relay it was made for takes it.
    expect((await requestSession(otherRelay.url, body)).status).toBe(200);
  });

  it("refuses another relay's nonce even when signed over this relay's id", async () => {
    const foreign = await requestChallenge(otherRelay.url);
    const body = await signChallenge(alice, { ...foreign, relayId: relay.relayId });
    expectAuthFailed(await requestSession(relay.url, body), referenceFailure);
  });

  it('refuses a signature with one bit flipped', async () => {
    expectAuthFailed(
      await tryLogin(relay.url, alice, { corruptSignature: true }),
      referenceFailure,
    );
  });

  it("refuses a valid signature by a public key that is not the account's", async () => {
    // Mallory signs a statement naming Alice's account with her own key and sends her own key.
    expectAuthFailed(await tryLogin(relay.url, alice, { signer: mallory }), referenceFailure);
  });

  it('refuses a signature made for another context (chat-entry, directory-entry)', async () => {
    expectAuthFailed(await tryLogin(relay.url, alice, { context: 'chat-entry' }), referenceFailure);
    expectAuthFailed(
      await tryLogin(relay.url, alice, { context: 'directory-entry' }),
      referenceFailure,
    );
  });

  it('refuses a statement that names another expiry than the challenge', async () => {
    const challenge = await requestChallenge(relay.url);
    const body = await signChallenge(alice, { ...challenge, expiresAt: challenge.expiresAt + 1 });
    expectAuthFailed(await requestSession(relay.url, body), referenceFailure);
  });

  it('does not lock an account out after a refused attempt', async () => {
    expect((await tryLogin(relay.url, alice, { corruptSignature: true })).status).toBe(401);
    expect((await tryLogin(relay.url, alice)).status).toBe(200);
  });
});

describe('expiry of challenges and sessions', () => {
  let relay: RelayProcess;
  let alice: Identity;

  beforeAll(async () => {
    [relay, alice] = await Promise.all([
      startRelay({ flags: { 'challenge-ttl-seconds': 1, 'session-ttl-seconds': 2 } }),
      newIdentity(),
    ]);
  });

  it('announces the configured TTLs in /v1/info', async () => {
    const info = bodyOf<{ policies: { sessionTtlMs: number; challengeTtlMs: number } }>(
      await call(relay.url, 'GET', '/v1/info'),
      200,
    );
    expect(info.policies.challengeTtlMs).toBe(1_000);
    expect(info.policies.sessionTtlMs).toBe(2_000);
  });

  it('refuses a challenge used after it expired, with the same 401 as any failure', async () => {
    const before = Date.now();
    const challenge = await requestChallenge(relay.url);
    expect(challenge.expiresAt).toBeGreaterThanOrEqual(before + 900);
    expect(challenge.expiresAt).toBeLessThanOrEqual(Date.now() + 1_100);
    const body = await signChallenge(alice, challenge);
    await waitUntilPast(challenge.expiresAt);
    const answer = await requestSession(relay.url, body);
    expect(answer.status, answer.text).toBe(401);
    expect(errorCode(answer)).toBe('RELAY_AUTH_FAILED');

    // A challenge used in time still works on this relay.
    expect((await tryLogin(relay.url, alice)).status).toBe(200);
  });

  it('answers 401 RELAY_UNAUTHENTICATED once the session expired, and closes its sockets with 4401', async () => {
    const before = Date.now();
    const session: Session = await login(relay.url, alice);
    expect(session.expiresAt).toBeGreaterThanOrEqual(before + 1_900);
    expect(session.expiresAt).toBeLessThanOrEqual(Date.now() + 2_100);
    const inbox = inboxTopic(alice.accountId);
    expect((await fetchEnvelopes(relay.url, session.token, inbox)).status).toBe(200);
    const socket = await WsClient.authenticated(relay.wsUrl, session.token);

    await waitUntilPast(session.expiresAt);
    const answer = await fetchEnvelopes(relay.url, session.token, inbox);
    expect(answer.status, answer.text).toBe(401);
    expect(errorCode(answer)).toBe('RELAY_UNAUTHENTICATED');

    // A socket opened before expiry is closed by the relay; one that authenticates after it too.
    const late = await WsClient.open(relay.wsUrl);
    late.send({ type: 'auth', token: session.token });
    const timeout = sleep(3_000).then(() => undefined);
    const [closed, lateClosed] = await Promise.all([
      Promise.race([socket.closed, timeout]),
      Promise.race([late.closed, timeout]),
    ]);
    expect(closed?.code).toBe(4401);
    expect(lateClosed?.code).toBe(4401);
  });
});

describe('allowlist mode "list"', () => {
  let relay: RelayProcess;
  let listFile: string;
  let listed: Identity;
  let unlisted: Identity;

  beforeAll(async () => {
    [listed, unlisted] = await Promise.all([newIdentity(), newIdentity()]);
    listFile = join(await makeTempDir(), 'allowlist.txt');
    await writeFile(listFile, `${listed.accountId}\n`);
    relay = await startRelay({
      flags: { 'allowlist-mode': 'list', 'allowlist-file': listFile },
    });
  });

  it('lets a listed account in and announces the mode', async () => {
    expect((await tryLogin(relay.url, listed)).status).toBe(200);
    const info = bodyOf<{ policies: { allowlist: string } }>(
      await call(relay.url, 'GET', '/v1/info'),
      200,
    );
    expect(info.policies.allowlist).toBe('list');
  });

  it('authenticates first: a bad signature by an unlisted account is 401, not 403', async () => {
    const answer = await tryLogin(relay.url, unlisted, { corruptSignature: true });
    expect(answer.status).toBe(401);
    expect(errorCode(answer)).toBe('RELAY_AUTH_FAILED');
  });

  it('refuses an unlisted account with 403, then admits it once appended to the file, without a restart', async () => {
    const refused = await tryLogin(relay.url, unlisted);
    expect(refused.status, refused.text).toBe(403);
    expect(errorCode(refused)).toBe('RELAY_ACCOUNT_NOT_ALLOWED');

    await appendFile(listFile, `${unlisted.accountId}\n`);
    const deadline = Date.now() + 5_000;
    let answer = refused;
    while (answer.status !== 200 && Date.now() < deadline) {
      await sleep(200);
      answer = await tryLogin(relay.url, unlisted);
    }
    expect(answer.status, `still refused 5 s after the file changed: ${answer.text}`).toBe(200);
    // The reload did not open the relay to everyone.
    const stranger = await tryLogin(relay.url, await newIdentity());
    expect(stranger.status).toBe(403);
    expect((await tryLogin(relay.url, listed)).status).toBe(200);
  });
});

describe('allowlist mode "invite"', () => {
  let relay: RelayProcess;
  let codes: string[];
  let alice: Identity;
  let bob: Identity;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([newIdentity(), newIdentity()]);
    relay = await startRelay({ flags: { 'allowlist-mode': 'invite' } });
    const result = await runRelayCommand(['invite', '--data-dir', relay.dataDir, '--count', '2']);
    expect(result.code, result.stderr).toBe(0);
    codes = result.stdout.split('\n').filter((line) => line.trim() !== '');
  });

  it('prints the requested number of distinct codes while the relay runs', () => {
    expect(codes).toHaveLength(2);
    expect(new Set(codes).size).toBe(2);
  });

  it('refuses an account without a code (403 RELAY_ACCOUNT_NOT_ALLOWED)', async () => {
    const answer = await tryLogin(relay.url, alice);
    expect(answer.status, answer.text).toBe(403);
    expect(errorCode(answer)).toBe('RELAY_ACCOUNT_NOT_ALLOWED');
  });

  it('refuses an unknown code (403 RELAY_INVITE_INVALID)', async () => {
    const answer = await tryLogin(relay.url, alice, { inviteCode: 'not-an-invite-code' });
    expect(answer.status, answer.text).toBe(403);
    expect(errorCode(answer)).toBe('RELAY_INVITE_INVALID');
  });

  it('spends a code only on an authenticated login, admits for good, and refuses the code to anyone else', async () => {
    const [first, second] = codes as [string, string];
    const forged = await tryLogin(relay.url, alice, { inviteCode: first, corruptSignature: true });
    expect(forged.status).toBe(401);

    expect((await tryLogin(relay.url, alice, { inviteCode: first })).status).toBe(200);

    const reused = await tryLogin(relay.url, bob, { inviteCode: first });
    expect(reused.status, reused.text).toBe(403);
    expect(errorCode(reused)).toBe('RELAY_INVITE_INVALID');

    const again = await tryLogin(relay.url, alice);
    expect(again.status, again.text).toBe(200);
    expect((await tryLogin(relay.url, bob, { inviteCode: second })).status).toBe(200);
  });

  it('admits exactly one of several accounts racing with the same code', async () => {
    const result = await runRelayCommand(['invite', '--data-dir', relay.dataDir, '--count', '1']);
    const code = result.stdout.trim();
    expect(code).not.toBe('');
    const racers = await Promise.all(Array.from({ length: 6 }, () => newIdentity()));
    const answers = await Promise.all(
      racers.map((racer) => tryLogin(relay.url, racer, { inviteCode: code })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 403, 403, 403, 403, 403]);
    for (const answer of answers.filter((item) => item.status === 403)) {
      expect(errorCode(answer)).toBe('RELAY_INVITE_INVALID');
    }
  });

  it('keeps admitted accounts admitted across a restart', async () => {
    const exit = await relay.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    relay = await startRelay({ dataDir: relay.dataDir, flags: { 'allowlist-mode': 'invite' } });
    expect((await tryLogin(relay.url, alice)).status).toBe(200);
    expect((await tryLogin(relay.url, bob)).status).toBe(200);
    expect((await tryLogin(relay.url, await newIdentity())).status).toBe(403);
  });
});

/** The raw-HTTP weak-key login: all-zero identity key, all-zero signature, on fresh challenges. */
async function weakKeyLogins(url: string, inviteCode?: string): Promise<Answer[]> {
  const zeroKey = new Uint8Array(32);
  const answers: Answer[] = [];
  // 1 in 4 statements verifies under the all-zero key without the Ed25519 policy: 24 tries.
  for (let i = 0; i < 24; i++) {
    const challenge = await requestChallenge(url);
    answers.push(
      await requestSession(url, {
        accountId: accountIdFromPublicKey(zeroKey),
        publicKey: toBase64Url(zeroKey),
        nonce: challenge.nonce,
        signature: toBase64Url(new Uint8Array(64)),
        ...(inviteCode === undefined ? {} : { inviteCode }),
      }),
    );
  }
  return answers;
}

describe('weak-key logins (small-order identity key, all-zero signature)', () => {
  let open: RelayProcess;
  let inviteOnly: RelayProcess;
  let code: string;
  let referenceFailure: unknown;

  beforeAll(async () => {
    [open, inviteOnly] = await Promise.all([
      startRelay(),
      startRelay({ flags: { 'allowlist-mode': 'invite' } }),
    ]);
    const result = await runRelayCommand(['invite', '--data-dir', inviteOnly.dataDir]);
    expect(result.code, result.stderr).toBe(0);
    code = result.stdout.trim();
    const failed = await tryLogin(open.url, await newIdentity(), { corruptSignature: true });
    expect(failed.status, failed.text).toBe(401);
    referenceFailure = failed.json;
  });

  it('refuses every try on an open relay with the 401 body of any other failure', async () => {
    for (const answer of await weakKeyLogins(open.url)) expectAuthFailed(answer, referenceFailure);
  });

  it('refuses every try on an invite-only relay, and the code stays unspent for its owner', async () => {
    for (const answer of await weakKeyLogins(inviteOnly.url, code)) {
      expectAuthFailed(answer, referenceFailure);
    }
    const owner = await newIdentity();
    expect((await tryLogin(inviteOnly.url, owner, { inviteCode: code })).status).toBe(200);
  });
});

describe('a socket that never authenticates', () => {
  it('is closed with 4401 after 10 s', async () => {
    if (idle === undefined) throw new Error('the idle socket was not opened');
    const closed = await Promise.race([idle.socket.closed, sleep(13_000).then(() => undefined)]);
    expect(closed?.code).toBe(4401);
    expect(Date.now() - idle.openedAt).toBeGreaterThanOrEqual(9_500);
  });
});
