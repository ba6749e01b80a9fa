/**
 * Plain words for every failure the app can meet. The SDK and core throw errors with stable codes
 * (docs/errors.md); people see one sentence that says what happened and what to do, never a code
 * or a stack trace.
 */

/** The web app's own failure codes (docs/web.md#errors). */
export const WEB_ERRORS = {
  WEB_ACCOUNT_IN_USE:
    'This account is open in another tab or window of this browser. Use that one, or close it first.',
  WEB_KEY_FILE_MISSING:
    "This browser no longer holds that account's key file. Log in again with your key file.",
  WEB_KEY_FILE_MISMATCH:
    'The key file stored for that account belongs to another account. Log in again with your key file.',
  WEB_STORAGE_UNAVAILABLE:
    "This browser's storage can't be opened (private windows of some browsers have none).",
} as const;

/** A stable web app failure code. */
export type WebErrorCode = keyof typeof WEB_ERRORS;

/** A failure of the web app itself, with a stable code. */
export class WebError extends Error {
  override readonly name = 'WebError';
  readonly code: WebErrorCode;

  constructor(code: WebErrorCode, options?: { cause?: unknown }) {
    super(WEB_ERRORS[code], options);
    this.code = code;
  }
}

/** Sentences for SDK and core codes, keyed by code. */
const PLAIN_WORDS: Readonly<Record<string, string>> = {
  ...WEB_ERRORS,
  CLIENT_RELAY_UNREACHABLE:
    "Can't reach the relay. Your messages are kept and will be sent when it's back.",
  CLIENT_NOT_REGISTERED: "That person hasn't registered on this relay yet.",
  CLIENT_DIRECTORY_INVALID:
    "That account's published keys don't check out, so it wasn't added. Ask them to register again.",
  CLIENT_KEY_PACKAGE_INVALID:
    "That account's published keys don't check out, so it wasn't added. Ask them to register again.",
  CLIENT_CHAT_NOT_FOUND: "That chat isn't on this device.",
  CLIENT_NOT_A_MEMBER: "You're no longer a member of this chat.",
  CLIENT_MEMBER_NOT_FOUND: "That person isn't a member of this chat.",
  CLIENT_ALREADY_MEMBER: 'That person is already a member of this chat.',
  CLIENT_COMMIT_CONFLICT:
    "The group kept changing while you made this change, so it wasn't applied. Try again.",
  CLIENT_TEXT_TOO_LONG: 'That message is too long (at most 64 KiB).',
  CLIENT_LOG_KEY_MISMATCH:
    "The relay now signs with a different key than before. Don't trust it until its operator explains.",
  CLIENT_LOG_CHECKPOINT_INVALID:
    "The relay's log doesn't add up. This was kept as evidence; your messages are unaffected.",
  CLIENT_LOG_RECEIPT_INVALID:
    "The relay's receipt for a message doesn't add up. This was kept as evidence.",
  CLIENT_STORE_KEY_WRONG:
    "This browser's saved data for that account was encrypted under another key and can't be opened.",
  CLIENT_STORE_DAMAGED:
    "This browser's saved data for that account was changed outside Parley and can't be trusted.",
  CORE_ACCOUNT_ID_INVALID:
    "That isn't a Parley account id. Copy it again: it starts with “bciq” and is 56 characters long.",
  CORE_KEYFILE_WRONG_PASSPHRASE: 'Wrong passphrase.',
  CORE_KEYFILE_MALFORMED:
    "That file isn't a Parley key file, or it was cut short. Use the file exactly as it was downloaded.",
  CORE_KEYFILE_TAMPERED:
    'The passphrase is right, but the key file was changed after it was saved. Use an unmodified copy.',
  CORE_KEYFILE_UNSUPPORTED_VERSION:
    'That key file was made by a newer version of Parley. Update, then import it again.',
  CORE_KEYFILE_UNSUPPORTED_PARAMS: "That key file wasn't made by Parley and can't be opened here.",
};

/** Sentences for the relay's own refusals, which the SDK passes on as `relayCode`. */
const RELAY_WORDS: Readonly<Record<string, string>> = {
  RELAY_ACCOUNT_NOT_ALLOWED:
    'This relay only admits invited accounts. Ask its operator for an invite code.',
  RELAY_INVITE_INVALID: 'That invite code is unknown or was already used.',
  RELAY_RATE_LIMITED: 'The relay asks us to slow down. Try again in a few seconds.',
  RELAY_PAYLOAD_TOO_LARGE: 'That message is larger than this relay accepts.',
  RELAY_TOPIC_FULL: 'This chat is full on the relay. Try again later.',
  RELAY_NOT_READY:
    "The relay is starting or stopping. Your messages are kept and will be sent when it's back.",
  RELAY_TOO_MANY_CONNECTIONS: 'The relay is busy. Try again in a moment.',
  RELAY_INTERNAL: 'The relay had a problem. Try again in a moment.',
};

const FALLBACK = 'Something went wrong. Nothing was lost; try again.';

/** The code an error carries (`ClientError`, `CoreError`), if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** The relay's code of a refusal passed on by the SDK, if any. */
function relayCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('relayCode' in error)) return undefined;
  return typeof error.relayCode === 'string' ? error.relayCode : undefined;
}

/** One plain sentence for an error or an error code; never a stack trace. Throws nothing. */
export function plainWords(error: unknown): string {
  const code = typeof error === 'string' ? error : errorCode(error);
  const relay = relayCode(error);
  if (code === 'CLIENT_RELAY_REFUSED' && relay !== undefined) {
    return RELAY_WORDS[relay] ?? 'The relay refused this. Try again later.';
  }
  if (code !== undefined) return PLAIN_WORDS[code] ?? RELAY_WORDS[code] ?? FALLBACK;
  return FALLBACK;
}

/** True if the error only means the relay could not be reached (the outbox keeps the work). */
export function isUnreachable(error: unknown): boolean {
  const code = typeof error === 'string' ? error : errorCode(error);
  return code === 'CLIENT_RELAY_UNREACHABLE';
}
