import { CoreError } from '@parley/core';
import { ClientError } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { CliError, describeError } from './errors.js';

describe('describeError', () => {
  it('maps failures to the documented exit codes', () => {
    const cases: [unknown, string, number][] = [
      [new CliError('CLI_USAGE'), 'CLI_USAGE', 2],
      [new CliError('CLI_NO_RELAY'), 'CLI_NO_RELAY', 2],
      [new CliError('CLI_KEYFILE_UNREADABLE'), 'CLI_KEYFILE_UNREADABLE', 3],
      [new CliError('CLI_HOME_BUSY'), 'CLI_HOME_BUSY', 1],
      [new CoreError('CORE_KEYFILE_WRONG_PASSPHRASE'), 'CORE_KEYFILE_WRONG_PASSPHRASE', 3],
      [new CoreError('CORE_KEYFILE_TAMPERED'), 'CORE_KEYFILE_TAMPERED', 3],
      [new CoreError('CORE_ACCOUNT_ID_INVALID'), 'CORE_ACCOUNT_ID_INVALID', 2],
      [new CoreError('CORE_CBOR_MALFORMED'), 'CORE_CBOR_MALFORMED', 1],
      [new ClientError('CLIENT_RELAY_UNREACHABLE'), 'CLIENT_RELAY_UNREACHABLE', 4],
      [new ClientError('CLIENT_CHAT_NOT_FOUND'), 'CLIENT_CHAT_NOT_FOUND', 1],
      [
        new ClientError('CLIENT_RELAY_REFUSED', undefined, { status: 503 }),
        'CLIENT_RELAY_REFUSED',
        1,
      ],
    ];
    for (const [error, code, exitCode] of cases) {
      expect(describeError(error)).toMatchObject({ code, exitCode });
    }
  });

  it('reports anything unexpected as CLI_INTERNAL with its message but no stack', () => {
    const described = describeError(new TypeError('x is not a function'));
    expect(described).toMatchObject({ code: 'CLI_INTERNAL', exitCode: 1 });
    expect(described.message).toContain('TypeError: x is not a function');
    expect(described.message).not.toContain('\n');
    expect(described.debug).toContain('errors.test.ts');
  });

  it('keeps the causes for PARLEY_DEBUG', () => {
    const error = new ClientError('CLIENT_RELAY_UNREACHABLE', undefined, {
      cause: new Error('ECONNREFUSED'),
    });
    expect(describeError(error).debug).toContain('caused by: Error: ECONNREFUSED');
  });
});
