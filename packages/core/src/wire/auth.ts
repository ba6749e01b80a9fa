/** The login handshake's bodies (docs/spec/relay-api.md §Login): challenge, then signed session. */
import { accountIdSchema, base64urlSchema, timestampSchema } from './fields.js';
import type { FromSchema } from './json-schema.js';

/** POST /v1/auth/challenge answer: a single-use nonce the client signs (core `loginMessage`). */
export const challengeAnswerSchema = {
  type: 'object',
  properties: {
    relayId: { type: 'string', minLength: 1 },
    nonce: base64urlSchema,
    expiresAt: timestampSchema,
  },
  required: ['relayId', 'nonce', 'expiresAt'],
} as const;

/** A login challenge. */
export type ChallengeAnswer = FromSchema<typeof challengeAnswerSchema>;

/** POST /v1/auth/session body: the signed challenge. */
export const sessionRequestSchema = {
  type: 'object',
  properties: {
    accountId: accountIdSchema,
    publicKey: { ...base64urlSchema, maxLength: 64 },
    nonce: { ...base64urlSchema, maxLength: 64 },
    signature: { ...base64urlSchema, maxLength: 128 },
    inviteCode: { type: 'string', minLength: 1, maxLength: 128 },
  },
  required: ['accountId', 'publicKey', 'nonce', 'signature'],
  additionalProperties: false,
} as const;

/** A login request. */
export type SessionRequest = FromSchema<typeof sessionRequestSchema>;

/** POST /v1/auth/session answer: a bearer token for HTTP and the WebSocket `auth` frame. */
export const sessionAnswerSchema = {
  type: 'object',
  properties: {
    token: { type: 'string', minLength: 1 },
    accountId: accountIdSchema,
    expiresAt: timestampSchema,
  },
  required: ['token', 'accountId', 'expiresAt'],
} as const;

/** A session. */
export type SessionAnswer = FromSchema<typeof sessionAnswerSchema>;
