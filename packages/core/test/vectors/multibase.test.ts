/**
 * multiformats/multibase test CSVs for the four bases Parley uses, through the multiformats codecs
 * it uses: base32 'b' (CIDs, account ids), base58btc 'z', base64url 'u', base16 'f'.
 */
import { base16 } from 'multiformats/bases/base16';
import { base32 } from 'multiformats/bases/base32';
import { base58btc } from 'multiformats/bases/base58';
import { base64url } from 'multiformats/bases/base64';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { loadMultibaseCsv } from './multiformats-vectors.js';

const CODECS = { base16, base32, base58btc, base64url } as const;
type BaseName = keyof typeof CODECS;

function isUsedBase(name: string): name is BaseName {
  return Object.hasOwn(CODECS, name);
}

const canonicalFiles = ['basic.csv', 'leading_zero.csv', 'two_leading_zeros.csv'].map(
  loadMultibaseCsv,
);
const canonicalCases = canonicalFiles.flatMap(({ file, input, rows }) =>
  rows.flatMap(({ base, text }) => (isUsedBase(base) ? [{ file, base, text, input }] : [])),
);

// Only base16 and base32 are case-insensitive, and only they appear in this file among our bases.
const caseFile = loadMultibaseCsv('case_insensitivity.csv');
const caseCases = caseFile.rows.flatMap(({ base, text }) =>
  isUsedBase(base) ? [{ file: caseFile.file, base, text, input: caseFile.input }] : [],
);

describe(`multibase tests/*.csv for base16, base32, base58btc, base64url (${canonicalCases.length + caseCases.length} cases)`, () => {
  it('covers each of the four bases in each canonical file, and base16 and base32 for case', () => {
    expect(canonicalFiles.every(({ isCanonical }) => isCanonical)).toBe(true);
    expect(canonicalCases.map(({ file, base }) => `${file} ${base}`)).toEqual(
      canonicalFiles.flatMap(({ file }) => [
        `${file} base16`,
        `${file} base32`,
        `${file} base58btc`,
        `${file} base64url`,
      ]),
    );
    expect(caseFile.isCanonical).toBe(false);
    expect(caseCases.map(({ base }) => base)).toEqual(['base16', 'base32']);
  });

  describe(`encoding gives the canonical text (${canonicalCases.length})`, () => {
    it.each(canonicalCases)('$file $base', ({ base, text, input }) => {
      expect(CODECS[base].encode(input)).toBe(text);
    });
  });

  describe(`decoding the canonical text gives the input (${canonicalCases.length})`, () => {
    it.each(canonicalCases)('$file $base', ({ base, text, input }) => {
      expect(toHex(CODECS[base].decode(text))).toBe(toHex(input));
    });
  });

  describe(`decoding accepts mixed case in case-insensitive bases (${caseCases.length})`, () => {
    it.each(caseCases)('$file $base $text', ({ base, text, input }) => {
      expect(text).not.toBe(CODECS[base].encode(input));
      expect(toHex(CODECS[base].decode(text))).toBe(toHex(input));
    });
  });
});
