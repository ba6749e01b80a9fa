/** The body of every refusal, over HTTP and as a WebSocket `error` frame (docs/spec/relay-api.md §Errors). */
import type { FromSchema } from './json-schema.js';

/** `{ error: { code, message, retryAfter? } }`: the HTTP answer of every refused request. */
export const errorBodySchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'a stable code of docs/errors.md' },
        message: { type: 'string' },
        retryAfter: { type: 'integer', description: 'seconds, for a rate limit' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** An error answer's body. */
export type ErrorBody = FromSchema<typeof errorBodySchema>;

/** What a refusal says: its catalogue code, message and, for a rate limit, when to retry. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number | undefined;
}

/** The HTTP body of a refusal. */
export function errorBody(refusal: Refusal): ErrorBody {
  return {
    error: {
      code: refusal.code,
      message: refusal.message,
      ...(refusal.retryAfterSeconds === undefined ? {} : { retryAfter: refusal.retryAfterSeconds }),
    },
  };
}
