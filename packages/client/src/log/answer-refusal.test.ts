/** Only a relay's answer that says no counts against it; no answer, overload or a lost session do not. */
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import { isAnswerRefusal } from './answer-refusal.js';

const refused = (status: number) => new ClientError('CLIENT_RELAY_REFUSED', '', { status });

describe('isAnswerRefusal', () => {
  it('counts a refusal with a 4xx status', () => {
    expect(isAnswerRefusal(refused(400))).toBe(true);
    expect(isAnswerRefusal(refused(404))).toBe(true);
  });

  it('does not count a lost session, a timeout, a rate limit or a server error', () => {
    for (const status of [401, 408, 429, 500, 503])
      expect(isAnswerRefusal(refused(status))).toBe(false);
  });

  it('does not count an unreachable relay or an error that is not the client’s', () => {
    expect(isAnswerRefusal(new ClientError('CLIENT_RELAY_UNREACHABLE'))).toBe(false);
    expect(isAnswerRefusal(new Error('refused'))).toBe(false);
    expect(isAnswerRefusal(new ClientError('CLIENT_RELAY_REFUSED'))).toBe(false);
  });
});
