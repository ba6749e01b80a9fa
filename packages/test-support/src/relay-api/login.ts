/** Logging in to a relay under test through core's answerChallenge, and ways to get it wrong. */
import {
  answerChallenge,
  challengeAnswerSchema,
  identityLoginSigner,
  sessionAnswerSchema,
  signFor,
  type AccountId,
  type ChallengeAnswer,
  type Identity,
  type SessionAnswer,
  type SessionRequest,
  type SignatureContext,
} from '@parley/core';
import { bodyOf, call, newIdentity, suite, wireBodyOf, type Answer } from './http.js';

export type { SessionRequest };

/** `POST /v1/auth/challenge`. */
export type Challenge = ChallengeAnswer;

/** `POST /v1/auth/session`. */
export type Session = SessionAnswer & { readonly accountId: AccountId };

/** Asks the relay for a login challenge. */
export async function requestChallenge(baseUrl: string): Promise<Challenge> {
  const answer = await call(baseUrl, 'POST', '/v1/auth/challenge', { json: {} });
  return wireBodyOf(answer, 200, challengeAnswerSchema);
}

/** Ways to build a wrong login, for the failure tests. */
export interface LoginTamper {
  readonly context?: SignatureContext;
  /** The public key sent (and the seed that signs), instead of the identity's own. */
  readonly signer?: Identity;
  /** Flip one bit of the signature. */
  readonly corruptSignature?: boolean;
  /** Signs for this relay id instead of the challenge's. */
  readonly relayId?: string;
  /** Signs this expiry instead of the challenge's. */
  readonly expiresAt?: number;
  /** Claims this account id in the body (the statement still names the identity's). */
  readonly accountId?: string;
  readonly inviteCode?: string;
}

/** Signs `challenge` with core's `answerChallenge`, optionally tampered with. */
export async function signChallenge(
  identity: Identity,
  challenge: Challenge,
  tamper: LoginTamper = {},
): Promise<SessionRequest> {
  const key = tamper.signer ?? identity;
  const signer = {
    accountId: identity.accountId,
    publicKey: key.signingPublicKey,
    sign: async (message: Uint8Array) => {
      const signature =
        tamper.context === undefined
          ? await identityLoginSigner(suite, key).sign(message)
          : await signFor(suite, tamper.context, key.secrets.signingSeed, message);
      if (tamper.corruptSignature === true) signature[7] = (signature[7] ?? 0) ^ 0x01;
      return signature;
    },
  };
  // The relay id and expiry are signed, never sent: tampering with them is signing another challenge.
  const signed = {
    ...challenge,
    relayId: tamper.relayId ?? challenge.relayId,
    expiresAt: tamper.expiresAt ?? challenge.expiresAt,
  };
  const request = await answerChallenge(signed, signer, { inviteCode: tamper.inviteCode });
  if (!request.ok) throw new Error(`challenge refused: ${request.detail ?? request.reason}`);
  return tamper.accountId === undefined
    ? request.value
    : { ...request.value, accountId: tamper.accountId };
}

/** `POST /v1/auth/session` with a prepared body. */
export function requestSession(baseUrl: string, body: SessionRequest): Promise<Answer> {
  return call(baseUrl, 'POST', '/v1/auth/session', { json: body });
}

/** Challenge, sign, session: the answer of the last step, whatever it is. */
export async function tryLogin(
  baseUrl: string,
  identity: Identity,
  tamper: LoginTamper = {},
): Promise<Answer> {
  const challenge = await requestChallenge(baseUrl);
  return requestSession(baseUrl, await signChallenge(identity, challenge, tamper));
}

/** Logs in and returns the session; throws with the relay's answer if it is not 200. */
export async function login(
  baseUrl: string,
  identity: Identity,
  options: { inviteCode?: string } = {},
): Promise<Session> {
  const answer = await tryLogin(baseUrl, identity, options);
  wireBodyOf(answer, 200, sessionAnswerSchema);
  return bodyOf<Session>(answer, 200);
}

/** A new identity and a session for it. */
export async function newSession(baseUrl: string): Promise<Session & { identity: Identity }> {
  const identity = await newIdentity();
  return { ...(await login(baseUrl, identity)), identity };
}
