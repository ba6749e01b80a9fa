/** Which relay failures are transient (retried later) and which are for good. */
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import { isTransient, unlessTransient } from './transient.js';
import { refusal } from '../../test/support/unit-fixtures.js';

describe('isTransient', () => {
  it('counts an unreachable relay, a lost session, rate limits and relay errors as transient', () => {
    expect(isTransient(new ClientError('CLIENT_RELAY_UNREACHABLE'))).toBe(true);
    expect(isTransient(refusal('RELAY_UNAUTHENTICATED', 401))).toBe(true);
    expect(isTransient(refusal('RELAY_RATE_LIMITED', 429))).toBe(true);
    expect(isTransient(refusal('RELAY_INTERNAL', 500))).toBe(true);
    expect(isTransient(refusal('RELAY_UNAVAILABLE', 503))).toBe(true);
  });

  it('counts other refusals, SDK errors without a status and foreign errors as for good', () => {
    expect(isTransient(refusal('RELAY_WRITE_FORBIDDEN', 403))).toBe(false);
    expect(isTransient(refusal('RELAY_PAYLOAD_TOO_LARGE', 413))).toBe(false);
    expect(isTransient(new ClientError('CLIENT_NOT_A_MEMBER'))).toBe(false);
    expect(isTransient(new Error('network'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});

describe('unlessTransient', () => {
  it('swallows a transient failure', async () => {
    await expect(
      unlessTransient(() => Promise.reject(new ClientError('CLIENT_RELAY_UNREACHABLE'))),
    ).resolves.toBeUndefined();
  });

  it('rethrows a failure for good', async () => {
    await expect(
      unlessTransient(() => Promise.reject(refusal('RELAY_WRITE_FORBIDDEN', 403))),
    ).rejects.toMatchObject({ code: 'CLIENT_RELAY_REFUSED', relayCode: 'RELAY_WRITE_FORBIDDEN' });
  });
});
