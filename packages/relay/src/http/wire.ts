/** Strict decoding of request fields: base64url bytes and topic ids, with RELAY_BAD_ENCODING. */
import {
  accountIdSchema,
  base64urlSchema,
  errorBodySchema,
  fromBase64Url,
  receiptSchema,
  toBase64Url,
  topicSchema,
} from '@parley/core';
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

/**
 * JSON-schema fragments shared by routes (they also document the API at /docs): the wire
 * module's schemas from @parley/core, so routes, the OpenAPI document and the client agree.
 */
export const schemas = {
  base64url: base64urlSchema,
  topic: topicSchema,
  accountId: accountIdSchema,
  error: errorBodySchema,
  receipt: receiptSchema,
} as const;

/** A JSON schema node, as far as `strictSchema` needs to see it. */
type SchemaNode = Record<string, unknown>;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of a request schema (body, params, querystring) in which every object schema — nested,
 * in array items, in anyOf/oneOf/allOf branches and in per-content-type bodies — that does not
 * say otherwise refuses properties it does not list (`additionalProperties: false`). Applied to
 * every route by the app, so a new route cannot forget.
 */
export function strictSchema<T>(schema: T): T {
  const copy: unknown = structuredClone(schema);
  const visit = (node: unknown): void => {
    if (!isNode(node)) return;
    const isObjectSchema = node.type === 'object' || isNode(node.properties);
    if (isObjectSchema && node.additionalProperties === undefined) {
      node.additionalProperties = false;
    }
    if (isNode(node.properties)) Object.values(node.properties).forEach(visit);
    if (isNode(node.additionalProperties)) visit(node.additionalProperties);
    visit(node.items);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const branches = node[key];
      if (Array.isArray(branches)) branches.forEach(visit);
    }
    if (isNode(node.content)) {
      for (const media of Object.values(node.content)) if (isNode(media)) visit(media.schema);
    }
  };
  visit(copy);
  return copy as T;
}
