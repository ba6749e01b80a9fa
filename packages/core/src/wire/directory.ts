/** Directory bodies (docs/spec/directory.md): publish an entry with KeyPackages, read it, claim one. */
import { base64urlSchema, cidSchema, countSchema } from './fields.js';
import type { FromSchema } from './json-schema.js';

/** Most unclaimed one-time KeyPackages an account may keep on a relay. */
export const MAX_KEY_PACKAGES = 256;

/** PUT /v1/directory/:accountId body. */
export const directoryPutSchema = {
  type: 'object',
  properties: {
    entry: base64urlSchema,
    // The pool limit (MAX_KEY_PACKAGES unclaimed) is the store's to enforce, with 409.
    keyPackages: { type: 'array', items: base64urlSchema, maxItems: 4 * MAX_KEY_PACKAGES },
    device: {
      ...base64urlSchema,
      description:
        'the device (Ed25519 key, base64url) the keyPackages belong to; optional if the entry lists one device',
    },
  },
  required: ['entry'],
  additionalProperties: false,
} as const;

/** A directory publication. */
export type DirectoryPut = FromSchema<typeof directoryPutSchema>;

/** PUT /v1/directory/:accountId answer. */
export const directoryPutAnswerSchema = {
  type: 'object',
  properties: {
    cid: cidSchema,
    availableKeyPackages: countSchema,
    leafIndex: { type: 'integer', description: 'the entry’s leaf in the relay’s log' },
  },
  required: ['cid', 'availableKeyPackages', 'leafIndex'],
} as const;

/** What publishing answered. */
export type DirectoryPutAnswer = FromSchema<typeof directoryPutAnswerSchema>;

/** GET /v1/directory/:accountId answer. */
export const directoryEntryAnswerSchema = {
  type: 'object',
  properties: {
    entry: base64urlSchema,
    cid: cidSchema,
    availableKeyPackages: countSchema,
    leafIndex: { type: 'integer', description: 'the entry’s leaf in the relay’s log' },
  },
  required: ['entry', 'cid', 'availableKeyPackages', 'leafIndex'],
} as const;

/** A served directory entry. */
export type DirectoryEntryAnswer = FromSchema<typeof directoryEntryAnswerSchema>;

/** POST /v1/directory/:accountId/key-packages/claim answer. */
export const keyPackageClaimAnswerSchema = {
  type: 'object',
  properties: { keyPackage: base64urlSchema, lastResort: { type: 'boolean' } },
  required: ['keyPackage', 'lastResort'],
} as const;

/** A claimed KeyPackage. */
export type KeyPackageClaimAnswer = FromSchema<typeof keyPackageClaimAnswerSchema>;
