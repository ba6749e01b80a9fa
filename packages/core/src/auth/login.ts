/**
 * The relay login statement (docs/spec/relay-api.md §Login): what an account signs, with the
 * `login` context, to turn a relay's single-use challenge into a session.
 */
import { encodeCanonical } from '../encoding/canonical.js';
import type { AccountId } from '../identity/account-id.js';

/** Length of a relay challenge nonce. */
export const LOGIN_NONCE_BYTES = 32;

/** The fields of a login statement. */
export interface LoginStatement {
  /** The relay's id: binds the signature to one relay. */
  readonly relay: string;
  readonly account: AccountId;
  readonly nonce: Uint8Array;
  /** The challenge's expiry, ms since the epoch. */
  readonly expiresAt: number;
}

/**
 * The canonical bytes an account signs to log in: DAG-CBOR of
 * `{ v: 1, relay, account, nonce, expiresAt }`. Throws RangeError on a wrong nonce length.
 */
export function loginMessage(statement: LoginStatement): Uint8Array {
  if (statement.nonce.length !== LOGIN_NONCE_BYTES) {
    throw new RangeError(`login nonce must be ${LOGIN_NONCE_BYTES} bytes`);
  }
  return encodeCanonical({
    v: 1,
    relay: statement.relay,
    account: statement.account,
    nonce: statement.nonce,
    expiresAt: statement.expiresAt,
  });
}
