/** The wire checker: a value passes exactly when it satisfies its schema, and never makes it throw. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorBodySchema } from './error-body.js';
import { checkWire, parseWire } from './json-schema.js';
import { receiptSchema } from './receipt.js';
import { sessionRequestSchema } from './auth.js';

const receipt = {
  cid: 'bafyreib',
  topic: 'AAAA',
  seq: 3,
  receivedAt: 1_767_225_600_000,
  leafIndex: 9,
  mergeBy: 1_767_225_601_000,
  signature: 'c2ln',
};

const receipts = fc.record({
  cid: fc.string({ minLength: 1, maxLength: 128 }),
  topic: fc.string({ minLength: 1, maxLength: 128 }),
  seq: fc.nat(),
  receivedAt: fc.nat(),
  leafIndex: fc.nat(),
  mergeBy: fc.nat(),
  signature: fc.string(),
});

describe('checkWire', () => {
  it('accepts every receipt that satisfies the schema, unchanged, even after a JSON round trip', () => {
    fc.assert(
      fc.property(receipts, (value) => {
        const checked = parseWire(receiptSchema, JSON.stringify(value), 'receipt');
        expect(checked).toEqual({ ok: true, value });
      }),
    );
  });

  it('refuses a receipt with any required field missing, naming the field', () => {
    for (const key of receiptSchema.required) {
      const { [key]: _dropped, ...rest } = receipt;
      expect(checkWire(receiptSchema, rest, 'receipt')).toEqual({
        ok: false,
        reason: 'wire-invalid',
        detail: `receipt.${key} is missing`,
      });
    }
  });

  it('refuses wrong types, fractional or unsafe integers and negative counts', () => {
    const bad = [
      { ...receipt, seq: '3' },
      { ...receipt, seq: 1.5 },
      { ...receipt, seq: 2 ** 53 },
      { ...receipt, leafIndex: -1 },
      { ...receipt, signature: null },
      { ...receipt, topic: '' },
      { ...receipt, cid: 'x'.repeat(129) },
    ];
    for (const value of bad) expect(checkWire(receiptSchema, value, 'receipt').ok).toBe(false);
  });

  it('refuses what is not an object: arrays, null, bytes, strings', () => {
    for (const value of [[], null, new Uint8Array(1), 'receipt', 7, undefined]) {
      expect(checkWire(receiptSchema, value, 'receipt')).toMatchObject({ ok: false });
    }
  });

  it('lets unlisted fields through unless the schema is closed', () => {
    expect(checkWire(receiptSchema, { ...receipt, newer: 1 }, 'receipt').ok).toBe(true);
    const login = { accountId: 'a', publicKey: 'b', nonce: 'c', signature: 'd' };
    expect(checkWire(sessionRequestSchema, login, 'body').ok).toBe(true);
    expect(checkWire(sessionRequestSchema, { ...login, admin: true }, 'body')).toEqual({
      ok: false,
      reason: 'wire-invalid',
      detail: 'body.admin is not allowed',
    });
  });

  it('checks nested objects: an error body whose code is not a string is refused', () => {
    expect(checkWire(errorBodySchema, { error: { code: 'X', message: 'm' } }, 'e').ok).toBe(true);
    expect(checkWire(errorBodySchema, { error: { code: 1, message: 'm' } }, 'e')).toEqual({
      ok: false,
      reason: 'wire-invalid',
      detail: 'e.error.code is not a string',
    });
  });

  it('does not take a property named like an Object prototype member for a listed one', () => {
    expect(checkWire(receiptSchema, { ...receipt, toString: 5 }, 'receipt').ok).toBe(true);
  });

  it('never throws, whatever JSON text it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        const checked = parseWire(receiptSchema, text, 'receipt');
        expect(typeof checked.ok).toBe('boolean');
      }),
    );
  });
});
