/**
 * The content registry (docs/spec/chats.md §Content): maps a chat entry's body to a
 * MessageContent and back. A body is a canonical DAG-CBOR map with a `type` string and a version
 * `v`, absent for version 1 — so the round-1 bodies `{type:"text",text}` and `{type:"leave"}` are
 * version 1 of their types, byte for byte, and `v: 1` written out is a second form, refused.
 * A type or version this software does not read is kept as `unsupported`, never an error.
 */
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { CoreError } from '../errors.js';
import { CONTENT_CODECS, decodeSupported, type SupportedContent } from './content-codecs.js';
import {
  CONTENT_TYPE_PATTERN,
  MAX_CONTENT_BYTES,
  MAX_CONTENT_DEPTH,
  RESERVED_CONTENT_TYPES,
  SUPPORTED_CONTENT_TYPES,
  type MessageContent,
} from './content-types.js';

const supported: ReadonlySet<string> = new Set(SUPPORTED_CONTENT_TYPES);
const reserved: ReadonlySet<string> = new Set(RESERVED_CONTENT_TYPES);

function invalid(detail: string): CoreError {
  return new CoreError('CORE_CONTENT_INVALID', `(${detail})`);
}

function isMap(value: unknown): value is Readonly<Record<string, unknown>> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

/**
 * Reads a decoded body (a chat entry's `body` field, already canonical DAG-CBOR). A map whose
 * `type` is a well-formed name this version does not read, or a known type at a version above
 * 1, becomes `unsupported` with its canonical bytes.
 * @throws CoreError CORE_CONTENT_INVALID if it is not a map with a well-formed `type`, if `v` is
 *   present but not an integer ≥ 2, if it encodes to more than MAX_CONTENT_BYTES, or if a
 *   supported type at version 1 breaks its codec's rules
 */
export function contentFromWire(value: unknown): MessageContent {
  if (!isMap(value)) throw invalid('content is not a map');
  const type = value.type;
  if (typeof type !== 'string' || !CONTENT_TYPE_PATTERN.test(type)) {
    throw invalid('content "type" is not a content type name');
  }
  if ('v' in value) {
    const v = value.v;
    // Version 1 is written without `v`: one content, one encoding.
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 2) {
      throw invalid('content "v" must be an integer ≥ 2 (version 1 omits it)');
    }
  }
  const bytes = encodeCanonical(value);
  if (bytes.length > MAX_CONTENT_BYTES) throw invalid(`content over ${MAX_CONTENT_BYTES} bytes`);
  if (!supported.has(type) || 'v' in value) {
    return { type: 'unsupported', originalType: type, reserved: reserved.has(type), bytes };
  }
  return decodeSupported(type as SupportedContent['type'], value);
}

/**
 * The wire map of a content: `type` plus its codec's fields, copied field by field (no stray
 * property reaches signed bytes); an unsupported content gives back the map it was read from.
 * @throws CoreError CORE_CONTENT_INVALID if the content breaks its type's rules
 */
export function contentToWire(content: MessageContent): Readonly<Record<string, unknown>> {
  if (content.type === 'unsupported') {
    const value = decodeCanonical(content.bytes, {
      maxBytes: MAX_CONTENT_BYTES,
      maxDepth: MAX_CONTENT_DEPTH,
    });
    const read = contentFromWire(value);
    if (read.type !== 'unsupported' || read.originalType !== content.originalType) {
      throw invalid('unsupported content bytes do not hold an unsupported content of its type');
    }
    return value as Readonly<Record<string, unknown>>;
  }
  const codec = (CONTENT_CODECS as Record<string, (typeof CONTENT_CODECS)['text'] | undefined>)[
    content.type
  ];
  if (codec === undefined) throw invalid(`content type "${content.type}" unknown`);
  const wire = { type: content.type, ...codec.encode(content) };
  // Encode and read back: what is written is what any reader accepts.
  decodeSupported(content.type, wire);
  return wire;
}

/**
 * Encodes a content on its own as canonical DAG-CBOR (the body map of a chat entry).
 * @throws CoreError CORE_CONTENT_INVALID
 */
export function encodeContent(content: MessageContent): Uint8Array {
  if (content.type === 'unsupported') {
    contentToWire(content);
    return Uint8Array.from(content.bytes);
  }
  return encodeCanonical(contentToWire(content));
}

/**
 * Decodes a content from untrusted bytes: canonical DAG-CBOR of at most MAX_CONTENT_BYTES and
 * MAX_CONTENT_DEPTH levels, then `contentFromWire`.
 * @throws CoreError CORE_CONTENT_INVALID, or a CORE_CBOR_* code for bytes that are not canonical
 *   DAG-CBOR within those limits
 */
export function decodeContent(bytes: Uint8Array): MessageContent {
  return contentFromWire(
    decodeCanonical(bytes, { maxBytes: MAX_CONTENT_BYTES, maxDepth: MAX_CONTENT_DEPTH }),
  );
}

/** The entry hash a content refers to (reply, reaction, edit, delete), if it refers to one. */
export function contentTarget(content: MessageContent): Uint8Array | undefined {
  return 'to' in content ? content.to : undefined;
}

/** True for a content a person reads as a message of its own (text, reply, unsupported). */
export function isShownAsMessage(
  content: MessageContent,
): content is Extract<MessageContent, { type: 'text' | 'reply' | 'unsupported' }> {
  return content.type === 'text' || content.type === 'reply' || content.type === 'unsupported';
}
