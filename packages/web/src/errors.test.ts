import { ClientError } from '@parley/client';
import { CoreError } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { isUnreachable, plainWords } from './errors.js';

describe('plainWords', () => {
  it('says what the issue promises for the common failures', () => {
    expect(plainWords(new ClientError('CLIENT_RELAY_UNREACHABLE'))).toBe(
      "Can't reach the relay. Your messages are kept and will be sent when it's back.",
    );
    expect(plainWords(new CoreError('CORE_KEYFILE_WRONG_PASSPHRASE'))).toBe('Wrong passphrase.');
    expect(plainWords(new ClientError('CLIENT_NOT_REGISTERED', '(bciq…)'))).toBe(
      "That person hasn't registered on this relay yet.",
    );
    expect(plainWords(new CoreError('CORE_ACCOUNT_ID_INVALID'))).toMatch(
      /^That isn't a Parley account id\./,
    );
  });

  it("words a relay's refusal by the relay's code", () => {
    const refused = new ClientError('CLIENT_RELAY_REFUSED', '(403)', {
      relayCode: 'RELAY_ACCOUNT_NOT_ALLOWED',
      status: 403,
    });
    expect(plainWords(refused)).toMatch(/only admits invited accounts/);
  });

  it('never shows a code, a message or a stack for an unexpected error', () => {
    const unexpected = new Error('boom at Object.<anonymous> (file.js:1:1)');
    const words = plainWords(unexpected);
    expect(words).toBe('Something went wrong. Nothing was lost; try again.');
    expect(plainWords({ code: 'SOMETHING_NEW' })).toBe(words);
    expect(plainWords(undefined)).toBe(words);
  });

  it('tells an unreachable relay apart from other failures', () => {
    expect(isUnreachable(new ClientError('CLIENT_RELAY_UNREACHABLE'))).toBe(true);
    expect(isUnreachable('CLIENT_RELAY_UNREACHABLE')).toBe(true);
    expect(isUnreachable(new ClientError('CLIENT_RELAY_REFUSED'))).toBe(false);
  });
});
