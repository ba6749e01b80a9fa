/**
 * The codec of each supported content type, version 1 (docs/spec/chats.md §Content): the exact
 * fields of its wire map and the rules of each field. Decoders are strict: a known type with a
 * missing, extra or bad field is refused, never guessed at.
 */
import { utf8 } from '../bytes.js';
import { expectBytes, expectFields, expectString, type Fields } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import {
  MAX_REACTION_BYTES,
  MAX_TEXT_BYTES,
  MESSAGE_REF_BYTES,
  type MessageContent,
  type UnsupportedContent,
} from './content-types.js';

/** A content this version reads and writes. */
export type SupportedContent = Exclude<MessageContent, UnsupportedContent>;

/** One codec: its fields on the wire (besides `type`), and map ↔ content. */
interface ContentCodec {
  readonly fields: readonly string[];
  /** The wire map without `type` (and without `v`: every codec here is version 1). */
  readonly encode: (content: SupportedContent) => Record<string, unknown>;
  /** @throws CoreError CORE_CONTENT_INVALID */
  readonly decode: (fields: Fields) => SupportedContent;
}

function invalid(detail: string): CoreError {
  return new CoreError('CORE_CONTENT_INVALID', `(${detail})`);
}

/** Reads a message text: at most MAX_TEXT_BYTES of UTF-8 (a lone surrogate has no UTF-8 form). */
function readText(fields: Fields, type: string): string {
  const text = expectString(fields, 'text', `${type} content`);
  if (/\p{Cs}/u.test(text) || utf8(text).length > MAX_TEXT_BYTES) {
    throw invalid(`${type} text over ${MAX_TEXT_BYTES} bytes or not UTF-8`);
  }
  return text;
}

function readRef(fields: Fields, type: string): Uint8Array {
  return expectBytes(fields, 'to', `${type} content`, MESSAGE_REF_BYTES);
}

/** A reaction is short and visible: no control characters, no white space, no lone surrogate. */
function readEmoji(fields: Fields): string {
  const emoji = expectString(fields, 'emoji', 'reaction content');
  const bytes = utf8(emoji).length;
  if (bytes === 0 || bytes > MAX_REACTION_BYTES || /[\p{Cs}\p{Cc}\p{White_Space}]/u.test(emoji)) {
    throw invalid(`reaction must be 1–${MAX_REACTION_BYTES} bytes of visible UTF-8`);
  }
  return emoji;
}

function readBoolean(fields: Fields, key: string, what: string): boolean {
  const value = fields[key];
  if (typeof value !== 'boolean') throw invalid(`${what} "${key}" is not a boolean`);
  return value;
}

/** Narrows a content to the type its table row is chosen by (the registry dispatches on it). */
function as<T extends SupportedContent['type']>(
  content: SupportedContent,
  type: T,
): Extract<SupportedContent, { type: T }> {
  if (content.type !== type) throw new TypeError(`content is ${content.type}, not ${type}`);
  return content as Extract<SupportedContent, { type: T }>;
}

/** The codec table, by wire type name. */
export const CONTENT_CODECS: Readonly<Record<SupportedContent['type'], ContentCodec>> = {
  text: {
    fields: ['text'],
    encode: (content) => ({ text: as(content, 'text').text }),
    decode: (fields) => ({ type: 'text', text: readText(fields, 'text') }),
  },
  reply: {
    fields: ['to', 'text'],
    encode: (content) => {
      const { to, text } = as(content, 'reply');
      return { to, text };
    },
    decode: (fields) => ({
      type: 'reply',
      to: readRef(fields, 'reply'),
      text: readText(fields, 'reply'),
    }),
  },
  reaction: {
    fields: ['to', 'emoji', 'remove'],
    encode: (content) => {
      const { to, emoji, remove } = as(content, 'reaction');
      return { to, emoji, remove };
    },
    decode: (fields) => ({
      type: 'reaction',
      to: readRef(fields, 'reaction'),
      emoji: readEmoji(fields),
      remove: readBoolean(fields, 'remove', 'reaction content'),
    }),
  },
  edit: {
    fields: ['to', 'text'],
    encode: (content) => {
      const { to, text } = as(content, 'edit');
      return { to, text };
    },
    decode: (fields) => ({
      type: 'edit',
      to: readRef(fields, 'edit'),
      text: readText(fields, 'edit'),
    }),
  },
  delete: {
    fields: ['to'],
    encode: (content) => ({ to: as(content, 'delete').to }),
    decode: (fields) => ({ type: 'delete', to: readRef(fields, 'delete') }),
  },
  leave: {
    fields: [],
    encode: () => ({}),
    decode: () => ({ type: 'leave' }),
  },
};

/**
 * Decodes the wire map of a supported type, version 1: exactly `type` plus the codec's fields.
 * @throws CoreError CORE_CONTENT_INVALID
 */
export function decodeSupported(type: SupportedContent['type'], value: unknown): SupportedContent {
  const codec = CONTENT_CODECS[type];
  let fields: Fields;
  try {
    fields = expectFields(value, `${type} content`, ['type', ...codec.fields]);
  } catch (error) {
    if (error instanceof CoreError) throw invalid(error.message);
    throw error;
  }
  try {
    return codec.decode(fields);
  } catch (error) {
    if (error instanceof CoreError && error.code !== 'CORE_CONTENT_INVALID') {
      throw invalid(error.message);
    }
    throw error;
  }
}
