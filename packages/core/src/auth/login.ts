/**
 * The relay login (docs/spec/relay-api.md §Login): the statement an account signs, with the
 * `login` context, to turn a relay's single-use challenge into a session, and the session request
 * that carries it. The SDK, the bench and the tests all log in through `answerChallenge`.
 */
import { fromBase64Url, toBase64Url } from '../crypto/base64url.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { encodeCanonical } from '../encoding/canonical.js';
import type { AccountId } from '../identity/account-id.js';
import type { Identity } from '../identity/identity.js';
import { signFor } from '../identity/signature.js';
import { fail, ok, type Result } from '../result.js';
import { challengeAnswerSchema, type SessionRequest } from '../wire/auth.js';
import { checkWire, type WireFailure } from '../wire/json-schema.js';

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

/** Who answers a login challenge: the account, the key it signs with, and the signing itself. */
export interface LoginSigner {
  readonly accountId: AccountId;
  /** The Ed25519 public key the relay checks the signature with (the account id's key). */
  readonly publicKey: Uint8Array;
  /** Signs a login statement's bytes (`loginMessage`) under the `login` context. */
  readonly sign: (message: Uint8Array) => Promise<Uint8Array>;
}

/** The login signer of an identity: its account id and identity key, the `login` context. */
export function identityLoginSigner(suite: CryptoSuite, identity: Identity): LoginSigner {
  return {
    accountId: identity.accountId,
    publicKey: identity.signingPublicKey,
    sign: (message) => signFor(suite, 'login', identity.secrets.signingSeed, message),
  };
}

/**
 * The `POST /v1/auth/session` body that answers a relay's challenge (the untrusted answer of
 * `POST /v1/auth/challenge`, as parsed JSON): checks it, signs its statement, builds the body.
 * A challenge that is not one (wrong shape, a nonce that is not 32 bytes of base64url) is
 * `wire-invalid`. Throws only what `signer.sign` throws.
 */
export async function answerChallenge(
  challenge: unknown,
  signer: LoginSigner,
  options: { readonly inviteCode?: string | undefined } = {},
): Promise<Result<SessionRequest, WireFailure>> {
  const checked = checkWire(challengeAnswerSchema, challenge, 'challenge');
  if (!checked.ok) return checked;
  let nonce: Uint8Array;
  try {
    nonce = fromBase64Url(checked.value.nonce);
  } catch {
    return fail('wire-invalid', 'challenge.nonce is not base64url');
  }
  if (nonce.length !== LOGIN_NONCE_BYTES) {
    return fail('wire-invalid', `challenge.nonce is not ${LOGIN_NONCE_BYTES} bytes`);
  }
  const signature = await signer.sign(
    loginMessage({
      relay: checked.value.relayId,
      account: signer.accountId,
      nonce,
      expiresAt: checked.value.expiresAt,
    }),
  );
  return ok({
    accountId: signer.accountId,
    publicKey: toBase64Url(signer.publicKey),
    nonce: checked.value.nonce,
    signature: toBase64Url(signature),
    ...(options.inviteCode === undefined ? {} : { inviteCode: options.inviteCode }),
  });
}
