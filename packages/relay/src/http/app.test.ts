/** createRelay in-process: info, health, docs, metrics, and error answers that leak nothing. */
import { readFileSync } from 'node:fs';
import { accountIdFromPublicKey, fromBase64Url, toBase64Url } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startTestRelay,
  textEnvelope,
  unsafeTestIdentity,
  type ErrorBody,
  type TestRelay,
  type TestRelayOptions,
} from '../../test/support/in-process-relay.js';
import { RELAY_VERSION } from '../version.js';

const topic = new Uint8Array(32).fill(0x42);

const open: TestRelay[] = [];
afterEach(async () => {
  for (const relay of open.splice(0)) await relay.close();
});

async function start(options?: TestRelayOptions): Promise<TestRelay> {
  const relay = await startTestRelay(options);
  open.push(relay);
  return relay;
}

describe('GET /v1/info', () => {
  it('announces the relay id, key, version, limits and policies of its configuration', async () => {
    const relay = await start({
      flags: {
        'max-envelope-bytes': '2048',
        'max-body-bytes': '4096',
        'publish-per-second': '3',
        'publish-burst': '4',
        'claims-per-minute': '5',
        'max-connections': '6',
        'max-subscriptions-per-connection': '7',
        'max-page-size': '8',
        'allowlist-mode': 'invite',
        'session-ttl-seconds': '9',
        'challenge-ttl-seconds': '10',
        'retention-max-age-seconds': '11',
        'retention-max-bytes-per-topic': '12345',
      },
    });
    const answer = await relay.request('GET', '/v1/info');
    expect(answer.statusCode).toBe(200);
    const info = answer.json<{ publicKey: string }>();
    expect(info).toEqual({
      relayId: relay.relay.relayId,
      publicKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
      version: RELAY_VERSION,
      log: { origin: `parley-relay/${relay.relay.relayId}`, publicKey: info.publicKey },
      limits: {
        maxEnvelopeBytes: 2048,
        maxBodyBytes: 4096,
        publishPerSecond: 3,
        publishBurst: 4,
        claimsPerMinute: 5,
        cursorsPerMinute: 120,
        maxConnections: 6,
        maxSubscriptionsPerConnection: 7,
        maxPageSize: 8,
        maxPageBytes: 1024 * 1024,
        keyPackagesPerPairPerHour: 6,
        keyPackagesPerTargetPerHour: 30,
        authPerMinutePerAddress: 120,
        maxUnauthenticatedConnections: 1000,
        maxUnauthenticatedPerAddress: 8,
        authTimeoutMs: 3000,
        maxBufferedBytesPerSocket: 8 * 1024 * 1024,
        maxBufferedBytesTotal: 256 * 1024 * 1024,
        maxInboxBytesPerSender: 4 * 1024 * 1024,
      },
      policies: {
        allowlist: 'invite',
        sessionTtlMs: 9000,
        challengeTtlMs: 10_000,
        retention: { maxAgeMs: 11_000, maxBytesPerTopic: 12345 },
      },
    });
    // The relay id is the account id of the announced key.
    expect(accountIdFromPublicKey(fromBase64Url(info.publicKey))).toBe(relay.relay.relayId);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz while the store answers', async () => {
    const relay = await start();
    const health = await relay.request('GET', '/healthz');
    expect([health.statusCode, health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await relay.request('GET', '/readyz');
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('answers /readyz with 503 RELAY_NOT_READY when the store does not answer', async () => {
    let healthy = true;
    const relay = await start({
      wrapStore: (store) => ({ ...store, isHealthy: () => Promise.resolve(healthy) }),
    });
    healthy = false;
    const answer = await relay.request('GET', '/readyz');
    expect(answer.statusCode).toBe(503);
    expect(answer.json<ErrorBody>().error.code).toBe('RELAY_NOT_READY');
    expect((await relay.request('GET', '/healthz')).statusCode).toBe(200);
  });
});

describe('GET /docs', () => {
  it('is an OpenAPI document listing every HTTP route of docs/spec/relay-api.md', async () => {
    const relay = await start();
    const answer = await relay.request('GET', '/docs');
    expect(answer.statusCode).toBe(200);
    const document = answer.json<{
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.version).toBe(RELAY_VERSION);
    const routes = Object.entries(document.paths)
      .flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method} ${route}`))
      .sort();
    expect(routes).toEqual(
      [
        'get /v1/info',
        'get /healthz',
        'get /readyz',
        'get /metrics',
        'post /v1/auth/challenge',
        'post /v1/auth/session',
        'put /v1/directory/{accountId}',
        'get /v1/directory/{accountId}',
        'post /v1/directory/{accountId}/key-packages/claim',
        'post /v1/envelopes',
        'get /v1/topics/{topic}/envelopes',
        'post /v1/topics/{topic}/ack',
        'get /v1/log/checkpoint',
        'get /v1/log/checkpoints/{size}',
        'get /v1/log/proof/inclusion',
        'get /v1/log/proof/consistency',
        'get /v1/log/leaves',
        'get /v1/log/batches/{cid}',
        'post /v1/witness/add-checkpoint',
      ].sort(),
    );
  });
});

describe('GET /metrics', () => {
  it('counts accepted envelopes in parley_relay_envelopes_in_total, duplicates apart', async () => {
    const relay = await start();
    const token = await relay.login(await unsafeTestIdentity('alice'));
    const encoded = textEnvelope(topic, 'counted');
    await relay.request('POST', '/v1/envelopes', { token, cbor: encoded.bytes });
    await relay.request('POST', '/v1/envelopes', { token, cbor: textEnvelope(topic, '2').bytes });
    await relay.request('POST', '/v1/envelopes', { token, cbor: encoded.bytes });
    const answer = await relay.request('GET', '/metrics');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    expect(answer.body).toContain('# TYPE parley_relay_envelopes_in_total counter');
    expect(answer.body).toMatch(/^parley_relay_envelopes_in_total\{duplicate="false"\} 2$/m);
    expect(answer.body).toMatch(/^parley_relay_envelopes_in_total\{duplicate="true"\} 1$/m);
  });

  it('counts error answers by code', async () => {
    const relay = await start();
    await relay.request('GET', '/no/such/route');
    await relay.request('GET', `/v1/topics/${toBase64Url(topic)}/envelopes`);
    const metrics = (await relay.request('GET', '/metrics')).body;
    expect(metrics).toMatch(/^parley_relay_errors_total\{code="RELAY_NOT_FOUND"\} 1$/m);
    expect(metrics).toMatch(/^parley_relay_errors_total\{code="RELAY_UNAUTHENTICATED"\} 1$/m);
  });
});

describe('error answers', () => {
  it('answers an unknown route with 404 RELAY_NOT_FOUND', async () => {
    const relay = await start();
    const answer = await relay.request('GET', '/v2/nothing?secret=1');
    expect(answer.statusCode).toBe(404);
    expect(answer.json<ErrorBody>().error.code).toBe('RELAY_NOT_FOUND');
    expect(answer.body).not.toContain('secret');
  });

  it('answers an unexpected failure with a bare 500 RELAY_INTERNAL and logs the cause', async () => {
    const relay = await start({
      captureLog: true,
      wrapStore: (stores) => ({
        ...stores,
        topics: {
          ...stores.topics,
          listEnvelopes: () =>
            Promise.reject(new Error('disk says no at /var/lib/parley/relay.db')),
        },
      }),
    });
    const token = await relay.login(await unsafeTestIdentity('alice'));
    const answer = await relay.request('GET', `/v1/topics/${toBase64Url(topic)}/envelopes`, {
      token,
    });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toEqual({
      error: { code: 'RELAY_INTERNAL', message: 'The relay failed; the error was logged.' },
    });
    expect(relay.logLines.join('\n')).toContain('disk says no');
  });

  it('sends only { error: { code, message } } in error bodies, never a stack or a cause', async () => {
    const relay = await start({
      flags: { 'max-envelope-bytes': '1024', 'max-body-bytes': '2048' },
      wrapStore: (stores) => ({
        ...stores,
        directory: {
          ...stores.directory,
          getDirectoryEntry: () => Promise.reject(new TypeError('boom in getDirectoryEntry')),
        },
      }),
    });
    const alice = await unsafeTestIdentity('alice');
    const token = await relay.login(alice);
    const topicKey = toBase64Url(topic);
    const answers = [
      await relay.request('GET', '/nowhere'),
      await relay.request('GET', `/v1/topics/${topicKey}/envelopes`),
      await relay.request('GET', `/v1/topics/${topicKey}/envelopes?limit=0`, { token }),
      await relay.request('GET', `/v1/topics/abc/envelopes`, { token }),
      await relay.request('POST', '/v1/envelopes', { token, cbor: new Uint8Array([0xff]) }),
      await relay.request('POST', '/v1/envelopes', { token, cbor: new Uint8Array(4096) }),
      await relay.request('POST', '/v1/envelopes', {
        token,
        payload: '{',
        headers: { 'content-type': 'application/json' },
      }),
      await relay.request('POST', '/v1/envelopes', {
        token,
        payload: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
      await relay.request('POST', '/v1/auth/session', { json: { accountId: 'x' } }),
      await relay.request('GET', `/v1/directory/${alice.accountId}`),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([
      404, 401, 400, 400, 400, 413, 400, 415, 400, 500,
    ]);
    for (const answer of answers) {
      const body = answer.json<ErrorBody>();
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
      expect(body.error.code).toMatch(/^RELAY_[A-Z_]+$/);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.body).not.toMatch(/\bat .*\(|\.ts:\d|node_modules|boom|stack/i);
    }
  });
});

describe('version', () => {
  it('announces the version of packages/relay/package.json', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(RELAY_VERSION).toBe(manifest.version);
  });
});
