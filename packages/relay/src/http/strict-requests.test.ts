/** Strict requests in-process: unknown fields, stray query parameters and broken URLs get RELAY_ bodies. */
import { toBase64Url } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startTestRelay,
  textEnvelope,
  unsafeTestIdentity,
  type TestRelay,
} from '../../test/support/in-process-relay.js';

const topic = new Uint8Array(32).fill(0x43);
const open: TestRelay[] = [];
afterEach(async () => {
  for (const relay of open.splice(0)) await relay.close();
});

function expectExactError(body: unknown, code: string): void {
  expect(body).toEqual({ error: { code, message: expect.any(String) as unknown } });
}

describe('strict requests', () => {
  it('refuses an envelope POST with an extra JSON field with RELAY_INVALID_REQUEST', async () => {
    const relay = await startTestRelay();
    open.push(relay);
    const token = await relay.login(await unsafeTestIdentity('alice'));
    const envelope = toBase64Url(textEnvelope(topic, 'hi').bytes);
    const answer = await relay.request('POST', '/v1/envelopes', {
      token,
      json: { envelope, extra: 1 },
    });
    expect(answer.statusCode).toBe(400);
    expectExactError(answer.json(), 'RELAY_INVALID_REQUEST');
  });

  it('refuses a stray query parameter, a broken percent-encoding and an overlong parameter', async () => {
    const relay = await startTestRelay();
    open.push(relay);
    const token = await relay.login(await unsafeTestIdentity('bob'));
    const stray = await relay.request('GET', `/v1/topics/${toBase64Url(topic)}/envelopes?bogus=1`, {
      token,
    });
    expect(stray.statusCode).toBe(400);
    expectExactError(stray.json(), 'RELAY_INVALID_REQUEST');
    const badUrl = await relay.request('GET', '/v1/directory/%E0%A4%A');
    expectExactError(badUrl.json(), 'RELAY_BAD_URL');
    const long = await relay.request('GET', `/v1/directory/${'a'.repeat(5000)}`);
    expectExactError(long.json(), 'RELAY_URL_TOO_LONG');
  });
});
