/**
 * Envelopes (docs/spec/envelope.md): the spec's example, round trips, mutated bytes, and every
 * refusal with its code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../bytes.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { cidForBytes } from '../encoding/cid.js';
import { CoreError } from '../errors.js';
import { thrownCode } from '../../test/support/core-error.js';
import { applyMutation, mutationArbitrary } from '../../test/support/mutations.js';
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  ENVELOPE_VERSION,
  TOPIC_BYTES,
  asTopic,
  createEnvelope,
  decodeEnvelope,
} from './envelope.js';

const topic = new Uint8Array(TOPIC_BYTES).fill(0xab);
const fieldsArbitrary = fc.record({
  topic: fc.uint8Array({ minLength: TOPIC_BYTES, maxLength: TOPIC_BYTES }),
  payload: fc.uint8Array({ maxLength: 512 }),
  createdAt: fc.maxSafeNat(),
});

/** Canonical bytes of an arbitrary map, to build envelopes that `createEnvelope` would refuse. */
function rawEnvelope(fields: Record<string, unknown>): Uint8Array {
  return encodeCanonical(fields);
}

const valid = { v: 1, topic, payload: utf8('hello'), createdAt: 1_767_225_600_000 };

describe('the example of docs/spec/envelope.md', () => {
  it('encodes to the 77 bytes and the CID the spec gives', () => {
    const { bytes, cid } = createEnvelope({
      topic,
      payload: utf8('hello'),
      createdAt: 1_767_225_600_000,
    });
    expect(toHex(bytes)).toBe(
      'a461760165746f7069635820' +
        'ab'.repeat(32) +
        '677061796c6f61644568656c6c6f' +
        '696372656174656441741b0000019b76daa800',
    );
    expect(bytes).toHaveLength(77);
    expect(cid.toString()).toBe('bafyreiaedi6fcz6lcfznfx57wggi76cizu5qbwugirudsrhbu6emi3jdh4');
  });
});

describe('createEnvelope and decodeEnvelope', () => {
  it('round-trip: decoding the created bytes gives the same fields, bytes and CID', () => {
    fc.assert(
      fc.property(fieldsArbitrary, (fields) => {
        const created = createEnvelope(fields);
        expect(created.envelope).toEqual({ v: ENVELOPE_VERSION, ...fields });
        expect(created.cid.toString()).toBe(cidForBytes(created.bytes).toString());
        const decoded = decodeEnvelope(created.bytes);
        expect(decoded.envelope).toEqual(created.envelope);
        expect(toHex(decoded.bytes)).toBe(toHex(created.bytes));
        expect(decoded.cid.toString()).toBe(created.cid.toString());
      }),
      { numRuns: 300 },
    );
  });

  it('never crashes on mutated bytes, and never decodes them to the original CID', () => {
    fc.assert(
      fc.property(fieldsArbitrary, mutationArbitrary, (fields, mutation) => {
        const original = createEnvelope(fields);
        const mutated = applyMutation(original.bytes, mutation);
        let decoded;
        try {
          decoded = decodeEnvelope(mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(CoreError);
          return;
        }
        expect(toHex(encodeCanonical(decoded.envelope))).toBe(toHex(mutated));
        expect(decoded.cid.toString()).toBe(cidForBytes(mutated).toString());
        expect(decoded.cid.equals(original.cid)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('refusals', () => {
  it.each([
    ['0', 0],
    ['2', 2],
    ['the text "1"', '1'],
    ['null', null],
  ])('refuses version %s with CORE_UNKNOWN_VERSION', (_, v) => {
    expect(thrownCode(() => decodeEnvelope(rawEnvelope({ ...valid, v })))).toBe(
      'CORE_UNKNOWN_VERSION',
    );
  });

  it('refuses version 2 with CORE_UNKNOWN_VERSION whatever its version-1 fields hold', () => {
    expect(
      thrownCode(() => decodeEnvelope(rawEnvelope({ v: 2, topic: utf8('not 32 bytes') }))),
    ).toBe('CORE_UNKNOWN_VERSION');
    expect(thrownCode(() => decodeEnvelope(rawEnvelope({ v: 2 })))).toBe('CORE_UNKNOWN_VERSION');
  });

  it('refuses nesting before reading the version: every version is a flat map (CORE_SCHEMA_INVALID)', () => {
    const nested = rawEnvelope({ v: 2, topic, payload: [valid.payload] });
    expect(thrownCode(() => decodeEnvelope(nested))).toBe('CORE_SCHEMA_INVALID');
  });

  it('refuses version 2 with a field version 1 lacks with CORE_UNKNOWN_VERSION', () => {
    const future = rawEnvelope({ ...valid, v: 2, replyTo: new Uint8Array(36) });
    expect(thrownCode(() => decodeEnvelope(future))).toBe('CORE_UNKNOWN_VERSION');
  });

  it.each([
    ['a 31-byte topic', { ...valid, topic: new Uint8Array(31) }],
    ['a 33-byte topic', { ...valid, topic: new Uint8Array(33) }],
    ['a text topic', { ...valid, topic: 'ab'.repeat(16) }],
    ['a text payload', { ...valid, payload: 'hello' }],
    ['an extra field', { ...valid, extra: 0 }],
    ['no topic', { v: 1, payload: valid.payload, createdAt: valid.createdAt }],
    ['no payload', { v: 1, topic, createdAt: valid.createdAt }],
    ['no createdAt', { v: 1, topic, payload: valid.payload }],
    ['no v', { topic, payload: valid.payload, createdAt: valid.createdAt }],
    ['a float createdAt', { ...valid, createdAt: 1.5 }],
    ['a negative createdAt', { ...valid, createdAt: -1 }],
    ['a createdAt beyond 2^53', { ...valid, createdAt: 2n ** 60n }],
    ['a nested payload', { ...valid, payload: [valid.payload] }],
    ['a nested createdAt', { ...valid, createdAt: { ms: 1 } }],
    ['a CID link as payload', { ...valid, payload: cidForBytes(utf8('x')) }],
  ])('refuses %s with CORE_SCHEMA_INVALID', (_, fields) => {
    expect(thrownCode(() => decodeEnvelope(rawEnvelope(fields)))).toBe('CORE_SCHEMA_INVALID');
  });

  it.each([
    ['an array', [1, topic, valid.payload, valid.createdAt]],
    ['bytes', valid.payload],
    ['null', null],
  ])('refuses %s instead of a map with CORE_SCHEMA_INVALID', (_, value) => {
    expect(thrownCode(() => decodeEnvelope(encodeCanonical(value)))).toBe('CORE_SCHEMA_INVALID');
  });

  it('refuses non-canonical bytes (keys out of order) with CORE_CBOR_NON_CANONICAL', () => {
    const created = toHex(createEnvelope({ topic, payload: utf8('hello'), createdAt: 1 }).bytes);
    // Move the "v" entry (617601, right after the map header a4) to the end: same map, wrong order.
    const reordered = 'a4' + created.slice(8) + '617601';
    expect(created.slice(0, 8)).toBe('a4617601');
    expect(thrownCode(() => decodeEnvelope(fromHex(reordered)))).toBe('CORE_CBOR_NON_CANONICAL');
  });

  it(`refuses an envelope over the default ${DEFAULT_MAX_ENVELOPE_BYTES} bytes with CORE_ENVELOPE_TOO_LARGE`, () => {
    expect(DEFAULT_MAX_ENVELOPE_BYTES).toBe(256 * 1024);
    // Header overhead of a 32-byte topic, createdAt 0 and a payload of 2^16..2^32 bytes: 61 bytes.
    const overhead =
      createEnvelope({ topic, payload: new Uint8Array(65_536), createdAt: 0 }).bytes.length -
      65_536;
    const largest = createEnvelope({
      topic,
      payload: new Uint8Array(DEFAULT_MAX_ENVELOPE_BYTES - overhead),
      createdAt: 0,
    });
    expect(largest.bytes).toHaveLength(DEFAULT_MAX_ENVELOPE_BYTES);
    expect(decodeEnvelope(largest.bytes).cid.toString()).toBe(largest.cid.toString());
    const fields = {
      topic,
      payload: new Uint8Array(DEFAULT_MAX_ENVELOPE_BYTES - overhead + 1),
      createdAt: 0,
    };
    expect(thrownCode(() => createEnvelope(fields))).toBe('CORE_ENVELOPE_TOO_LARGE');
    expect(thrownCode(() => decodeEnvelope(rawEnvelope({ v: 1, ...fields })))).toBe(
      'CORE_ENVELOPE_TOO_LARGE',
    );
  });

  it('refuses an envelope over a configured maxBytes with CORE_ENVELOPE_TOO_LARGE', () => {
    const { bytes } = createEnvelope({
      topic,
      payload: utf8('hello'),
      createdAt: 1_767_225_600_000,
    });
    expect(decodeEnvelope(bytes, { maxBytes: 77 }).bytes).toHaveLength(77);
    expect(thrownCode(() => decodeEnvelope(bytes, { maxBytes: 76 }))).toBe(
      'CORE_ENVELOPE_TOO_LARGE',
    );
    const fields = { topic, payload: utf8('hello'), createdAt: 1_767_225_600_000 };
    expect(createEnvelope(fields, { maxBytes: 77 }).bytes).toHaveLength(77);
    expect(thrownCode(() => createEnvelope(fields, { maxBytes: 76 }))).toBe(
      'CORE_ENVELOPE_TOO_LARGE',
    );
  });

  it('lets a relay raise the limit above the default', () => {
    const fields = { topic, payload: new Uint8Array(DEFAULT_MAX_ENVELOPE_BYTES), createdAt: 0 };
    const { bytes } = createEnvelope(fields, { maxBytes: 2 * DEFAULT_MAX_ENVELOPE_BYTES });
    expect(thrownCode(() => decodeEnvelope(bytes))).toBe('CORE_ENVELOPE_TOO_LARGE');
    expect(
      decodeEnvelope(bytes, { maxBytes: 2 * DEFAULT_MAX_ENVELOPE_BYTES }).envelope.payload,
    ).toHaveLength(DEFAULT_MAX_ENVELOPE_BYTES);
  });

  it.each([
    ['a 31-byte topic', { topic: new Uint8Array(31), payload: utf8('x'), createdAt: 0 }],
    ['a float createdAt', { topic, payload: utf8('x'), createdAt: 0.5 }],
    ['a negative createdAt', { topic, payload: utf8('x'), createdAt: -1 }],
    ['an unsafe createdAt', { topic, payload: utf8('x'), createdAt: 2 ** 53 }],
    ['an extra field', { topic, payload: utf8('x'), createdAt: 0, extra: 1 }],
  ])('createEnvelope refuses %s with CORE_SCHEMA_INVALID', (_, fields) => {
    expect(thrownCode(() => createEnvelope(fields))).toBe('CORE_SCHEMA_INVALID');
  });
});

describe('asTopic', () => {
  it('accepts exactly 32 bytes and refuses other lengths with CORE_SCHEMA_INVALID', () => {
    expect(asTopic(topic)).toBe(topic);
    expect(thrownCode(() => asTopic(new Uint8Array(0)))).toBe('CORE_SCHEMA_INVALID');
    expect(thrownCode(() => asTopic(new Uint8Array(64)))).toBe('CORE_SCHEMA_INVALID');
  });
});
