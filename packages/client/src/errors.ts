/** The SDK's error class and its stable codes (docs/errors.md). */

/** Every failure the SDK reports and the message shown to people. */
export const CLIENT_ERRORS = {
  CLIENT_RELAY_UNREACHABLE: 'The relay cannot be reached.',
  CLIENT_RELAY_REFUSED: 'The relay refused the request.',
  CLIENT_RELAY_ANSWER_INVALID: 'The relay answered with a body the protocol does not allow.',
  CLIENT_NOT_REGISTERED: 'The account has no directory entry on this relay.',
  CLIENT_DIRECTORY_INVALID: 'The directory entry served for the account does not verify.',
  CLIENT_DIRECTORY_ROLLBACK:
    'The relay served a directory entry older than one it served before for the account.',
  CLIENT_DIRECTORY_NOT_LOGGED:
    'The directory entry served for the account is not in the relay’s log where the relay said.',
  CLIENT_KEY_PACKAGE_INVALID: 'The KeyPackage served for the account is not valid for it.',
  CLIENT_CHAT_NOT_FOUND: 'No such chat on this device.',
  CLIENT_NOT_A_MEMBER: 'This account is no longer a member of the chat.',
  CLIENT_MEMBER_NOT_FOUND: 'The account is not a member of the chat.',
  CLIENT_ALREADY_MEMBER: 'The account is already a member of the chat.',
  CLIENT_COMMIT_CONFLICT: 'The group kept changing under this change; it was not applied.',
  CLIENT_TEXT_TOO_LONG: 'The message is longer than allowed.',
  CLIENT_LOG_KEY_MISMATCH: 'The relay does not hold the key this client knows it by.',
  CLIENT_LOG_CHECKPOINT_INVALID: 'The relay served a log checkpoint that does not verify.',
  CLIENT_LOG_RECEIPT_INVALID: 'The relay signed a receipt that does not verify.',
  CLIENT_STORE_KEY_WRONG: 'The local store is sealed under another key than this identity’s.',
  CLIENT_STORE_DAMAGED: 'A sealed value of the local store does not open: it was altered or moved.',
  CLIENT_MESSAGE_NOT_FOUND: 'The message named is not in this chat’s history on this device.',
  CLIENT_NOT_MESSAGE_AUTHOR: 'Only the author of a message can edit or delete it.',
  CLIENT_MESSAGE_DELETED: 'The message was deleted; it cannot be edited or reacted to.',
  CLIENT_INTERNAL: 'A background operation failed unexpectedly.',
} as const;

/** A stable SDK error code. */
export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

/** The error the SDK throws; `relayCode` carries the relay's code when the relay refused. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: ClientErrorCode;
  readonly relayCode: string | undefined;
  readonly status: number | undefined;

  constructor(
    code: ClientErrorCode,
    detail?: string,
    options?: { cause?: unknown; relayCode?: string; status?: number },
  ) {
    super(detail === undefined ? CLIENT_ERRORS[code] : `${CLIENT_ERRORS[code]} ${detail}`, options);
    this.code = code;
    this.relayCode = options?.relayCode;
    this.status = options?.status;
  }
}

/** True if `error` is a ClientError, optionally with the given code. */
export function isClientError(error: unknown, code?: ClientErrorCode): error is ClientError {
  return error instanceof ClientError && (code === undefined || error.code === code);
}
