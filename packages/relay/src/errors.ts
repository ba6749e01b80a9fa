/** The relay's error class and its catalogue: stable code, HTTP status, message (docs/errors.md). */

/** Every error the relay answers with, its HTTP status and the message shown to people. */
export const RELAY_ERRORS = {
  RELAY_INVALID_REQUEST: [400, 'The request is not valid for this route.'],
  RELAY_BAD_URL: [400, 'The URL is not valid (a broken percent-encoding).'],
  RELAY_MALFORMED_REQUEST: [400, 'The request is not well-formed HTTP.'],
  RELAY_INVALID_FRAME: [400, 'The WebSocket frame is too large or not valid.'],
  RELAY_MALFORMED_BODY: [400, 'The request body cannot be parsed.'],
  RELAY_BAD_ENCODING: [400, 'A field is not valid base64url or hex of the right length.'],
  RELAY_ENVELOPE_INVALID: [400, 'The envelope is not a valid canonical Parley envelope.'],
  RELAY_DIRECTORY_INVALID: [
    400,
    'The directory entry is malformed or its signatures do not verify.',
  ],
  RELAY_LOG_SIZE_INVALID: [400, 'The tree size is not one the log has signed a checkpoint for.'],
  RELAY_LOG_RANGE_INVALID: [400, 'The leaf range is empty, too long or beyond the log.'],
  RELAY_WITNESS_MALFORMED: [400, 'The add-checkpoint request is malformed.'],
  RELAY_WRITE_PROOF_INVALID: [
    400,
    'The write proof is missing, malformed or not signed by its writer key.',
  ],
  RELAY_AUTH_FAILED: [401, 'Login failed.'],
  RELAY_UNAUTHENTICATED: [401, 'A valid, unexpired session token is required.'],
  RELAY_ACCOUNT_NOT_ALLOWED: [403, 'This relay does not admit this account.'],
  RELAY_INVITE_INVALID: [403, 'The invite code is unknown or was already used.'],
  RELAY_FORBIDDEN: [403, 'This account may not do this.'],
  RELAY_WRITE_FORBIDDEN: [403, 'The writer key is not a current write key of the topic.'],
  RELAY_WITNESS_BAD_SIGNATURE: [403, 'The checkpoint is not signed by the log’s key.'],
  RELAY_NOT_FOUND: [404, 'No such resource or route.'],
  RELAY_LOG_CHECKPOINT_NOT_FOUND: [404, 'The log has no checkpoint of this size.'],
  RELAY_LOG_LEAF_NOT_FOUND: [404, 'No such leaf in the tree of this size.'],
  RELAY_LOG_BATCH_NOT_FOUND: [404, 'No batch file with this CID.'],
  RELAY_WITNESS_UNKNOWN_LOG: [404, 'This relay does not witness that log.'],
  RELAY_DIRECTORY_STALE: [409, 'A newer directory entry is already stored.'],
  RELAY_COMMIT_CONFLICT: [
    409,
    'A Commit for this epoch of the group was already accepted; process it and commit again.',
  ],
  RELAY_TOO_MANY_KEY_PACKAGES: [
    409,
    'The account already has the most one-time KeyPackages allowed.',
  ],
  RELAY_WITNESS_CONFLICT: [409, 'The old size is not the size this witness last cosigned.'],
  RELAY_REQUEST_TIMEOUT: [408, 'The request was not received in time.'],
  RELAY_PAYLOAD_TOO_LARGE: [413, 'The body or envelope is larger than this relay accepts.'],
  RELAY_URL_TOO_LONG: [414, 'A path segment of the URL is longer than any route takes.'],
  RELAY_UNSUPPORTED_MEDIA_TYPE: [415, 'The content type is not supported on this route.'],
  RELAY_WITNESS_BAD_PROOF: [422, 'The consistency proof does not verify.'],
  RELAY_HEADERS_TOO_LARGE: [431, 'The request headers are larger than the relay accepts.'],
  RELAY_RATE_LIMITED: [429, 'Too many requests; retry after the indicated time.'],
  RELAY_TOO_MANY_SUBSCRIPTIONS: [429, 'This connection has as many subscriptions as allowed.'],
  RELAY_INBOX_SENDER_QUOTA: [
    429,
    'This sender already has as many unacknowledged bytes in this inbox as allowed.',
  ],
  RELAY_INTERNAL: [500, 'The relay failed; the error was logged.'],
  RELAY_NOT_READY: [503, 'The relay is starting or shutting down.'],
  RELAY_TOO_MANY_CONNECTIONS: [503, 'The relay has as many connections as it allows.'],
  RELAY_TOO_MANY_UNAUTHENTICATED: [
    503,
    'This address (or the relay) has as many unauthenticated connections as allowed.',
  ],
  RELAY_TOPIC_FULL: [
    507,
    'The topic holds as many bytes as allowed and nothing acknowledged can be evicted.',
  ],
  RELAY_CONFIG_INVALID: [0, 'The relay configuration is invalid.'],
  RELAY_STORE_FAILED: [0, 'The relay store could not be opened or migrated.'],
  RELAY_DATA_DIR_INSECURE: [
    0,
    'The data directory or a file in it cannot be made readable by the relay’s user only.',
  ],
  RELAY_LEASE_NOT_HELD: [
    0,
    'The log has no checkpoint yet and another relay process holds the log writer’s lease.',
  ],
  RELAY_ANCHOR_DISABLED: [0, 'Anchoring is off: no anchor chain is configured.'],
  RELAY_ANCHOR_CHAIN_MISMATCH: [
    0,
    'The anchor RPC node serves another chain than the configured one.',
  ],
  RELAY_ANCHOR_CONTRACT_MISSING: [0, 'No contract code exists at the configured anchor address.'],
  RELAY_ANCHOR_UNFUNDED: [0, 'The anchor account has too little balance to pay for gas.'],
  RELAY_ANCHOR_RPC_FAILED: [0, 'The anchor chain’s RPC node is unreachable or failed.'],
  RELAY_ANCHOR_SIZE_NOT_GROWING: [
    0,
    'The anchor contract already holds an anchor of this log at this size or larger.',
  ],
  RELAY_ANCHOR_NOT_LOG_OWNER: [0, 'Another account owns this log id on the anchor contract.'],
  RELAY_ANCHOR_REFUSED: [0, 'The anchor chain refused the anchor transaction.'],
} as const satisfies Record<string, readonly [number, string]>;

/** A stable relay error code. */
export type RelayErrorCode = keyof typeof RELAY_ERRORS;

/** An error the relay reports with a stable code; HTTP errors carry their status. */
export class RelayError extends Error {
  override readonly name = 'RelayError';
  readonly code: RelayErrorCode;
  readonly status: number;
  /** Seconds a client should wait before retrying (429), sent as Retry-After. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: RelayErrorCode,
    detail?: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    const [status, message] = RELAY_ERRORS[code];
    super(detail === undefined ? message : `${message} ${detail}`, options);
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** True if `error` is a RelayError, optionally with the given code. */
export function isRelayError(error: unknown, code?: RelayErrorCode): error is RelayError {
  return error instanceof RelayError && (code === undefined || error.code === code);
}
