/** The core package's one error class and its catalogue of stable error codes. */

/**
 * Every failure the core reports, with the message shown to people. Codes are stable: tests and
 * callers match on the code, never on the message. Each one is explained in docs/errors.md.
 */
export const CORE_ERRORS = {
  CORE_CBOR_TOO_LARGE: 'The encoded object is larger than the size limit.',
  CORE_CBOR_TOO_DEEP: 'The encoded object is nested more deeply than allowed.',
  CORE_CBOR_MALFORMED: 'The bytes are not well-formed DAG-CBOR.',
  CORE_CBOR_NON_CANONICAL: 'The bytes are DAG-CBOR but not in canonical form.',
  CORE_CBOR_DUPLICATE_KEY: 'A map in the encoded object has the same key twice.',
  CORE_CBOR_UNENCODABLE: 'The value cannot be encoded as DAG-CBOR.',
  CORE_CID_MALFORMED: 'The content id cannot be parsed.',
  CORE_CID_UNSUPPORTED_HASH: 'The content id uses a hash other than sha2-256.',
  CORE_CID_UNSUPPORTED_CODEC: 'The content id names a codec other than dag-cbor or raw.',
  CORE_SCHEMA_INVALID: 'The object does not have the fields and types its schema requires.',
  CORE_UNKNOWN_VERSION: 'The object carries a version this software does not know.',
  CORE_ACCOUNT_ID_INVALID: 'The account id is not a valid Parley account id.',
  CORE_KEY_INVALID: 'The key has the wrong length or is not a valid point.',
  CORE_KEY_WEAK: 'The public key is of small order and cannot be used.',
  CORE_DH_ZERO_SHARED_SECRET: 'The X25519 exchange produced the all-zero shared secret.',
  CORE_AEAD_OPEN_FAILED: 'The ciphertext could not be authenticated.',
  CORE_HPKE_OPEN_FAILED: 'The HPKE ciphertext could not be opened.',
  CORE_ENVELOPE_TOO_LARGE: 'The envelope is larger than the size limit.',
  CORE_KEYFILE_MALFORMED: 'The key file is truncated or is not a Parley key file.',
  CORE_KEYFILE_UNSUPPORTED_VERSION: 'The key file was written by a newer or unknown version.',
  CORE_KEYFILE_UNSUPPORTED_PARAMS:
    'The key file asks for key-derivation parameters outside the allowed range.',
  CORE_KEYFILE_WRONG_PASSPHRASE: 'The passphrase does not unlock this key file.',
  CORE_KEYFILE_TAMPERED: 'The key file was modified after it was written.',
  CORE_NOTE_TOO_LARGE: 'The signed note is larger than the size limit.',
  CORE_NOTE_MALFORMED: 'The text is not a well-formed signed note.',
  CORE_CHECKPOINT_TOO_LARGE: 'The checkpoint is larger than the size limit.',
  CORE_CHECKPOINT_MALFORMED: 'The text is not a well-formed checkpoint.',
  CORE_CHECKPOINT_SIZE_INVALID: 'The checkpoint tree size is not a canonical decimal in range.',
  CORE_CHECKPOINT_ROOT_INVALID: 'The checkpoint root hash is not canonical base64 of 32 bytes.',
  CORE_WITNESS_REQUEST_MALFORMED: 'The witness add-checkpoint request is not well-formed.',
  CORE_BATCH_INVALID: 'The bytes are not a valid log batch file.',
  CORE_TRANSCRIPT_INVALID: 'The bytes are not a valid chat transcript.',
  CORE_CONTENT_INVALID: 'The message content breaks the rules of its content type.',
} as const;

/** A stable error code of the core package. */
export type CoreErrorCode = keyof typeof CORE_ERRORS;

/** The error the core throws when an operation fails; `code` is stable, `message` is for people. */
export class CoreError extends Error {
  override readonly name = 'CoreError';
  readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail === undefined ? CORE_ERRORS[code] : `${CORE_ERRORS[code]} ${detail}`, options);
    this.code = code;
  }
}

/** True if `error` is a CoreError, optionally with the given code. */
export function isCoreError(error: unknown, code?: CoreErrorCode): error is CoreError {
  return error instanceof CoreError && (code === undefined || error.code === code);
}
