/**
 * The CLI's error class, its stable codes, and the one place that turns any failure (CLI, SDK or
 * core) into an exit code and a message for people (docs/cli.md, docs/errors.md).
 */
import { isCoreError } from '@parley/core';
import { isClientError } from '@parley/client';

/** Exit codes: the contract scripts rely on (docs/cli.md). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  keyFile: 3,
  unreachable: 4,
  /** `parley verify` or `parley audit` found a problem or misbehaviour. */
  misbehaviour: 5,
  interrupted: 130,
} as const;

/** Every failure of the CLI itself: its message and its exit code. */
export const CLI_ERRORS = {
  CLI_USAGE: ['The command line is not valid.', EXIT.usage],
  CLI_CONFIG_INVALID: ['The config file of this home cannot be read.', EXIT.usage],
  CLI_NO_IDENTITY: ['This home has no identity yet.', EXIT.usage],
  CLI_IDENTITY_EXISTS: ['This home already has an identity.', EXIT.usage],
  CLI_NO_RELAY: ['This home is not registered on a relay yet.', EXIT.usage],
  CLI_OTHER_RELAY: ['This home is registered on another relay.', EXIT.usage],
  CLI_FILE_EXISTS: ['The output file already exists.', EXIT.usage],
  CLI_FILE_UNREADABLE: ['A file named on the command line cannot be read.', EXIT.usage],
  CLI_PASSPHRASE_REQUIRED: ['No passphrase was given.', EXIT.usage],
  CLI_PASSPHRASE_MISMATCH: ['The two passphrases typed differ.', EXIT.usage],
  CLI_KEYFILE_UNREADABLE: ['The key file of this home cannot be read.', EXIT.keyFile],
  CLI_HOME_BUSY: ['Another parley process keeps this home busy.', EXIT.failed],
  CLI_VERIFY_FAILED: ['The history does not verify.', EXIT.misbehaviour],
  CLI_AUDIT_FAILED: ['The relay’s log shows misbehaviour.', EXIT.misbehaviour],
  CLI_INTERRUPTED: ['Interrupted.', EXIT.interrupted],
  CLI_INTERNAL: ['The command failed unexpectedly.', EXIT.failed],
} as const satisfies Record<string, readonly [string, number]>;

/** A stable CLI error code. */
export type CliErrorCode = keyof typeof CLI_ERRORS;

/** The error the CLI throws for its own failures. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail === undefined ? CLI_ERRORS[code][0] : `${CLI_ERRORS[code][0]} ${detail}`, options);
    this.code = code;
  }
}

/** A failure as shown to people and scripts. */
export interface DescribedError {
  readonly code: string;
  readonly message: string;
  readonly exitCode: number;
  /** What to do about it, when there is something to say. */
  readonly hint: string | undefined;
  /** The stack and causes, kept for PARLEY_DEBUG=1 only. */
  readonly debug: string;
}

const HINTS: Readonly<Record<string, string>> = {
  CLI_NO_IDENTITY: 'create one with `parley id new`',
  CLI_NO_RELAY: 'register with `parley register --relay URL`',
  CLI_OTHER_RELAY: 'use another --home for the other relay, or pass --force to move this one',
  CLI_IDENTITY_EXISTS: 'pass --force to replace it (this deletes the chats on this device)',
  CLI_PASSPHRASE_REQUIRED:
    'pass --passphrase-file FILE, set PARLEY_PASSPHRASE, or run on a terminal',
  CLI_HOME_BUSY: 'wait for the other parley command to finish',
  CORE_KEYFILE_WRONG_PASSPHRASE:
    'check the passphrase typed, in --passphrase-file or in PARLEY_PASSPHRASE',
  CORE_ACCOUNT_ID_INVALID: 'account ids start with `bciq`; print yours with `parley id show`',
  CLIENT_RELAY_UNREACHABLE: 'check that the relay runs and that the URL in config.json is right',
  CLIENT_CHAT_NOT_FOUND: 'list the chats of this account with `parley chats`',
  CLIENT_NOT_REGISTERED: 'ask that person to run `parley register` on this relay first',
  CLIENT_NOT_A_MEMBER: 'ask a member to add you again',
  CLIENT_STORE_KEY_WRONG:
    'client.db belongs to another identity: use that identity.key, or move client.db away',
  CLIENT_STORE_DAMAGED: 'client.db was altered outside parley; restore it from a backup',
};

/** Maps any thrown value to its code, message and exit code. Never throws. */
export function describeError(error: unknown): DescribedError {
  const debug = debugText(error);
  const make = (code: string, message: string, exitCode: number): DescribedError => ({
    code,
    message,
    exitCode,
    hint: HINTS[code],
    debug,
  });
  if (error instanceof CliError) return make(error.code, error.message, CLI_ERRORS[error.code][1]);
  if (isCoreError(error)) {
    if (error.code.startsWith('CORE_KEYFILE_'))
      return make(error.code, error.message, EXIT.keyFile);
    if (error.code === 'CORE_ACCOUNT_ID_INVALID')
      return make(error.code, error.message, EXIT.usage);
    return make(error.code, error.message, EXIT.failed);
  }
  if (isClientError(error)) {
    const exitCode = error.code === 'CLIENT_RELAY_UNREACHABLE' ? EXIT.unreachable : EXIT.failed;
    return make(error.code, error.message, exitCode);
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return make('CLI_INTERNAL', `${CLI_ERRORS.CLI_INTERNAL[0]} (${detail})`, EXIT.failed);
}

function debugText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    parts.push(
      current instanceof Error ? (current.stack ?? current.message) : JSON.stringify(current),
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\ncaused by: ');
}
