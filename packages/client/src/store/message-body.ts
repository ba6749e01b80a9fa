/**
 * The text form of a stored message's body (docs/spec/client-store.md §Messages): one JSON
 * object that the SQLite and IndexedDB stores keep per row and the sealed store seals. A
 * content is kept as its canonical DAG-CBOR (base64url), so an unsupported content keeps its
 * exact bytes; a deleted message keeps none.
 */
import { decodeContent, encodeContent, fromBase64Url, toBase64Url } from '@parley/core';
import { ClientError } from '../errors.js';
import type { ShownContent } from '../messages/apply-content.js';
import type { MessageBody } from './client-store.js';

/** Version of the body's JSON form (the object's `v`). */
const BODY_VERSION = 2;

interface BodyJson {
  readonly v: number;
  /** The content's canonical bytes, base64url; null for a deleted message. */
  readonly c: string | null;
  readonly e: number | null;
  readonly r: Readonly<Record<string, readonly string[]>>;
  readonly a: readonly string[];
}

/** The body of a message written before content types: its text, never edited or reacted to. */
export function legacyBody(text: string): MessageBody {
  return { content: { type: 'text', text }, editedAt: undefined, reactions: {}, applied: [] };
}

/** The body of a message just written: `content`, before any action. */
export function newBody(content: ShownContent): MessageBody {
  return { content, editedAt: undefined, reactions: {}, applied: [] };
}

/** Only the body fields of `message` (a StoredMessage or a body). */
export function bodyOf(message: MessageBody): MessageBody {
  const { content, editedAt, reactions, applied } = message;
  return { content, editedAt, reactions, applied };
}

/**
 * Encodes a body as its JSON text.
 * @throws CoreError CORE_CONTENT_INVALID for a content that has no canonical form
 */
export function encodeMessageBody(body: MessageBody): string {
  const json: BodyJson = {
    v: BODY_VERSION,
    c: body.content.type === 'deleted' ? null : toBase64Url(encodeContent(body.content)),
    e: body.editedAt ?? null,
    r: body.reactions,
    a: body.applied,
  };
  return JSON.stringify(json);
}

/**
 * Decodes a body written by encodeMessageBody.
 * @throws ClientError CLIENT_STORE_DAMAGED if the text is not such a body
 */
export function decodeMessageBody(text: string): MessageBody {
  try {
    const json = JSON.parse(text) as BodyJson;
    if (json.v !== BODY_VERSION) throw new Error(`unknown body version ${String(json.v)}`);
    let content: ShownContent;
    if (json.c === null) content = { type: 'deleted' };
    else {
      const decoded = decodeContent(fromBase64Url(json.c));
      if (decoded.type !== 'text' && decoded.type !== 'reply' && decoded.type !== 'unsupported') {
        throw new Error(`a ${decoded.type} is not shown as a message`);
      }
      content = decoded;
    }
    return { content, editedAt: json.e ?? undefined, reactions: json.r, applied: json.a };
  } catch (cause) {
    throw new ClientError('CLIENT_STORE_DAMAGED', '(message body)', { cause });
  }
}
