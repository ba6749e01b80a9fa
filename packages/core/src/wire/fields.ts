/** Schema fragments every wire body is built from: base64url bytes, topics, account ids, counts. */

/** Bytes as unpadded base64url text (the relay checks the canonical spelling itself). */
export const base64urlSchema = {
  type: 'string',
  maxLength: 64 * 1024 * 1024,
  description: 'base64url, no padding',
} as const;

/** A 32-byte topic as base64url. */
export const topicSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  description: '32-byte topic, base64url',
} as const;

/** A Parley account id (docs/spec/identity.md). */
export const accountIdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  description: 'Parley account id',
} as const;

/** A CID in its string form. */
export const cidSchema = { type: 'string', minLength: 1, maxLength: 128 } as const;

/** A non-negative safe integer (sequence numbers, leaf indexes, sizes). */
export const countSchema = {
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
} as const;

/** Milliseconds since the Unix epoch. */
export const timestampSchema = {
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'ms since the Unix epoch',
} as const;

/** A count as it appears in a path or query string: decimal digits, no sign, no leading zero. */
export const decimalCountSchema = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } as const;
