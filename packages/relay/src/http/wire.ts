/** Strict decoding of request fields: base64url bytes and topic ids, with RELAY_BAD_ENCODING. */
import { fromBase64Url, toBase64Url } from '@parley/core';
import { RelayError } from '../errors.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes unpadded base64url, accepting only its one canonical spelling.
 * @throws RelayError RELAY_BAD_ENCODING
 */
export function decodeBase64Url(text: string, field: string, length?: number): Uint8Array {
  if (!BASE64URL.test(text) || text.length % 4 === 1) {
    throw new RelayError('RELAY_BAD_ENCODING', `(${field} is not base64url)`);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch {
    throw new RelayError('RELAY_BAD_ENCODING', `(${field} is not base64url)`);
  }
  if (toBase64Url(bytes) !== text) {
    throw new RelayError('RELAY_BAD_ENCODING', `(${field} is not canonical base64url)`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw new RelayError('RELAY_BAD_ENCODING', `(${field} must be ${length} bytes)`);
  }
  return bytes;
}

/** JSON-schema fragments shared by routes (they also document the API at /docs). */
export const schemas = {
  base64url: { type: 'string', maxLength: 64 * 1024 * 1024, description: 'base64url, no padding' },
  topic: { type: 'string', minLength: 1, maxLength: 128, description: '32-byte topic, base64url' },
  accountId: { type: 'string', minLength: 1, maxLength: 128, description: 'Parley account id' },
  error: {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: { code: { type: 'string' }, message: { type: 'string' } },
        required: ['code', 'message'],
      },
    },
    required: ['error'],
  },
  receipt: {
    type: 'object',
    properties: {
      cid: { type: 'string' },
      topic: { type: 'string' },
      seq: { type: 'integer' },
      receivedAt: { type: 'integer' },
      leafIndex: { type: 'integer' },
      mergeBy: { type: 'integer' },
      signature: { type: 'string', description: 'base64url Ed25519 relay-receipt signature' },
    },
    required: ['cid', 'topic', 'seq', 'receivedAt', 'leafIndex', 'mergeBy', 'signature'],
  },
} as const;
