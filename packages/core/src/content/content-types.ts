/**
 * Message content types (docs/spec/chats.md §Content): what a chat entry's body says, as a
 * closed union of the types this version reads plus `unsupported` for every other type.
 */

/** Largest text of one message, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 64 * 1024;
/** Largest reaction (usually one emoji), in UTF-8 bytes. */
export const MAX_REACTION_BYTES = 64;
/** Largest canonical encoding of one content, known or not, in bytes. */
export const MAX_CONTENT_BYTES = MAX_TEXT_BYTES + 1024;
/** Deepest nesting of one content (the content's own map counts as level 1). */
export const MAX_CONTENT_DEPTH = 8;
/** Bytes of a message reference: the entry hash (SHA-256) of the message referred to. */
export const MESSAGE_REF_BYTES = 32;

/** A plain text message. */
export interface TextContent {
  readonly type: 'text';
  readonly text: string;
}

/** A text that answers an earlier message, named by its entry hash. */
export interface ReplyContent {
  readonly type: 'reply';
  readonly to: Uint8Array;
  readonly text: string;
}

/** Adds (or, with `remove`, takes back) the author's reaction to an earlier message. */
export interface ReactionContent {
  readonly type: 'reaction';
  readonly to: Uint8Array;
  readonly emoji: string;
  readonly remove: boolean;
}

/** New text for an earlier message of the same author; anyone else's edit is not applied. */
export interface EditContent {
  readonly type: 'edit';
  readonly to: Uint8Array;
  readonly text: string;
}

/** Deletes an earlier message of the same author; anyone else's delete is not applied. */
export interface DeleteContent {
  readonly type: 'delete';
  readonly to: Uint8Array;
}

/** The author asks the other members to remove them from the chat. */
export interface LeaveContent {
  readonly type: 'leave';
}

/**
 * A content this version does not read: a type from a newer client, a newer version of a known
 * type, or a reserved type (RESERVED_CONTENT_TYPES) that a later version fills. It is kept with
 * its exact canonical bytes (so a later version can read it) and shown as "unsupported message".
 */
export interface UnsupportedContent {
  readonly type: 'unsupported';
  /** The type string it carries on the wire. */
  readonly originalType: string;
  /** True when the type is one this version reserves but does not support yet. */
  readonly reserved: boolean;
  /** Its canonical DAG-CBOR encoding (a map with a `type`), exactly as received. */
  readonly bytes: Uint8Array;
}

/** Everything a chat entry's body can say. */
export type MessageContent =
  | TextContent
  | ReplyContent
  | ReactionContent
  | EditContent
  | DeleteContent
  | LeaveContent
  | UnsupportedContent;

/** The wire type names this version reads (version 1 of each). */
export const SUPPORTED_CONTENT_TYPES = [
  'text',
  'reply',
  'reaction',
  'edit',
  'delete',
  'leave',
] as const;

/**
 * Type names registered for features later versions add: recognised as "not yet supported
 * here" rather than unknown, whatever their fields.
 */
export const RESERVED_CONTENT_TYPES = [
  'file',
  'poll',
  'ballot',
  'results',
  'profile',
  'bounty',
  'approval',
] as const;

/** A wire type name: lower-case ASCII, 1–64 characters, starting with a letter. */
export const CONTENT_TYPE_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;
