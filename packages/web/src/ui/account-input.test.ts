import { accountIdFromPublicKey } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { readAccountIds } from './account-input.js';

const alice = accountIdFromPublicKey(new Uint8Array(32).fill(1));
const bob = accountIdFromPublicKey(new Uint8Array(32).fill(2));

describe('readAccountIds', () => {
  it('reads ids separated by spaces, commas or lines, once each', () => {
    expect(readAccountIds(` ${bob},\n${bob}  `, alice)).toEqual({ ok: true, ids: [bob] });
    expect(readAccountIds('', alice)).toEqual({ ok: true, ids: [] });
  });

  it('refuses what is not an account id, in plain words', () => {
    const read = readAccountIds(`${bob} hello`, alice);
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.message).toMatch(/^That isn't a Parley account id/);
  });

  it("refuses one's own id", () => {
    expect(readAccountIds(alice, alice)).toEqual({
      ok: false,
      message: "That's your own account id.",
    });
  });
});
