/**
 * The content registry: every supported codec round-trips canonically, malformed known contents
 * are refused with CORE_CONTENT_INVALID, and unknown or reserved types are kept byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { isCoreError } from '../errors.js';
import { contentToWire, decodeContent, encodeContent } from './content.js';
import {
  MAX_REACTION_BYTES,
  MAX_TEXT_BYTES,
  RESERVED_CONTENT_TYPES,
  type MessageContent,
} from './content-types.js';

const ref = fc.uint8Array({ minLength: 32, maxLength: 32 });
const text = fc.string({ maxLength: 200 });
const emoji = fc.constantFrom('👍', '❤️', '🎉', '+1', '🇺🇦');

const supportedContent: fc.Arbitrary<MessageContent> = fc.oneof(
  text.map((t) => ({ type: 'text', text: t }) as const),
  fc.record({ type: fc.constant('reply' as const), to: ref, text }),
  fc.record({ type: fc.constant('reaction' as const), to: ref, emoji, remove: fc.boolean() }),
  fc.record({ type: fc.constant('edit' as const), to: ref, text }),
  fc.record({ type: fc.constant('delete' as const), to: ref }),
  fc.constant({ type: 'leave' } as const),
);

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return isCoreError(error) ? error.code : String(error);
  }
  return undefined;
}

describe('content registry', () => {
  it('decodes what it encodes, for every supported type (property)', () => {
    fc.assert(
      fc.property(supportedContent, (content) => {
        expect(decodeContent(encodeContent(content))).toEqual(content);
      }),
    );
  });

  it('writes the round-1 text and leave bodies byte for byte (version 1 omits v)', () => {
    expect(encodeContent({ type: 'text', text: 'hi' })).toEqual(
      encodeCanonical({ type: 'text', text: 'hi' }),
    );
    expect(encodeContent({ type: 'leave' })).toEqual(encodeCanonical({ type: 'leave' }));
  });

  it('refuses non-canonical bytes of a valid content', () => {
    // {"type":"text","text":"a"} with "type" first: canonical order sorts equal-length keys
    // bytewise, so "text" must come first.
    const wrongOrder = Uint8Array.from([
      0xa2,
      0x64,
      ...utf8('type'),
      0x64,
      ...utf8('text'),
      0x64,
      ...utf8('text'),
      0x61,
      0x61,
    ]);
    expect(codeOf(() => decodeContent(wrongOrder))).toBe('CORE_CBOR_NON_CANONICAL');
  });

  it('refuses malformed known contents with CORE_CONTENT_INVALID', () => {
    const cases: Record<string, unknown>[] = [
      { type: 'text' },
      { type: 'text', text: 'x', extra: 1 },
      { type: 'text', text: 'x', v: 1 },
      { type: 'text', text: 'x'.repeat(MAX_TEXT_BYTES + 1) },
      { type: 'reply', to: new Uint8Array(31), text: 'x' },
      { type: 'reaction', to: new Uint8Array(32), emoji: '', remove: false },
      { type: 'reaction', to: new Uint8Array(32), emoji: 'a b', remove: false },
      {
        type: 'reaction',
        to: new Uint8Array(32),
        emoji: 'x'.repeat(MAX_REACTION_BYTES + 1),
        remove: false,
      },
      { type: 'reaction', to: new Uint8Array(32), emoji: '👍' },
      { type: 'delete' },
      { type: 'leave', why: 'bye' },
      { type: 'Capitalised' },
      { notype: true },
    ];
    for (const value of cases) {
      expect(
        codeOf(() => decodeContent(encodeCanonical(value))),
        JSON.stringify(value),
      ).toBe('CORE_CONTENT_INVALID');
    }
    expect(codeOf(() => encodeContent({ type: 'reply', to: new Uint8Array(3), text: 'x' }))).toBe(
      'CORE_CONTENT_INVALID',
    );
  });

  it('keeps an unknown type, a newer version and every reserved type as unsupported', () => {
    const unknown = { type: 'sticker', pack: 'cats', n: 3 };
    expect(decodeContent(encodeCanonical(unknown))).toEqual({
      type: 'unsupported',
      originalType: 'sticker',
      reserved: false,
      bytes: encodeCanonical(unknown),
    });
    const newer = { type: 'text', v: 2, text: 'x', style: 'bold' };
    expect(decodeContent(encodeCanonical(newer))).toMatchObject({
      type: 'unsupported',
      originalType: 'text',
      reserved: false,
    });
    for (const type of RESERVED_CONTENT_TYPES) {
      // Whatever its fields: a later version defines them.
      expect(decodeContent(encodeCanonical({ type, anything: [1, 2] }))).toMatchObject({
        type: 'unsupported',
        originalType: type,
        reserved: true,
      });
    }
  });

  it('re-encodes an unsupported content to exactly the bytes it came as', () => {
    const bytes = encodeCanonical({ type: 'poll', options: ['a', 'b'], closes: 5 });
    const content = decodeContent(bytes);
    expect(encodeContent(content)).toEqual(bytes);
    expect(contentToWire(content)).toEqual({ type: 'poll', options: ['a', 'b'], closes: 5 });
  });

  it('refuses unsupported bytes that hold a supported content instead', () => {
    const forged: MessageContent = {
      type: 'unsupported',
      originalType: 'text',
      reserved: false,
      bytes: encodeCanonical({ type: 'text', text: 'x' }),
    };
    expect(codeOf(() => encodeContent(forged))).toBe('CORE_CONTENT_INVALID');
  });
});
