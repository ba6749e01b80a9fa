/**
 * Reads the MLS interop vectors (mlswg/mls-implementations test-vectors, RFC 9420) from
 * ../shared/vectors/mls, resolves their cipher suites through ts-mls, and declares one `describe`
 * per file that proves every selected case ran.
 */
import { readFileSync } from 'node:fs';
import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  type CryptoProvider,
  type GroupContext,
  type MLSMessage,
  ciphersuites,
  decodeMlsMessage,
  defaultCryptoProvider,
  defaultKeyRetentionConfig,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
} from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { sharedVectorUrl } from './wycheproof.js';

/**
 * The cipher suites these tests run: those ts-mls 1.6.4 implements with the packages core installs
 * (@hpke/core, @noble/curves, @noble/ciphers, @noble/hashes). Suites 3 and 6 need the optional peer
 * @hpke/chacha20poly1305 and suites 4 and 6 need @hpke/dhkem-x448; core does not install them.
 */
const SUPPORTED_SUITES: ReadonlySet<number> = new Set([1, 2, 5, 7]);

/** A parsed vector file: its name under mls/ and its cases, in file order. */
export interface MlsVectorFile<C> {
  readonly fileName: string;
  readonly cases: readonly C[];
}

/** Parses `mls/<fileName>`; the caller states the case type (the JSON is trusted data). */
export function loadMlsVectors<C>(fileName: string): MlsVectorFile<C> {
  const text = readFileSync(sharedVectorUrl(`mls/${fileName}`), 'utf8');
  return { fileName, cases: JSON.parse(text) as C[] };
}

/** Hex from the vectors as bytes. */
export const hex = fromHex;

/** The ts-mls name of an RFC 9420 cipher suite id; throws RangeError for an unknown id. */
function suiteName(id: number): CiphersuiteName {
  for (const [name, value] of Object.entries(ciphersuites)) {
    if (value === id) return name as CiphersuiteName;
  }
  throw new RangeError(`unknown MLS cipher suite ${id}`);
}

const impls = new Map<string, Promise<CiphersuiteImpl>>();

/** The ts-mls implementation of suite `id` through `provider` (the library default unless given). */
export function suiteImpl(
  id: number,
  provider: CryptoProvider = defaultCryptoProvider,
): Promise<CiphersuiteImpl> {
  const key = `${id}/${provider === defaultCryptoProvider ? 'default' : 'other'}`;
  let impl = impls.get(key);
  if (impl === undefined) {
    impl = getCiphersuiteImpl(getCiphersuiteFromName(suiteName(id)), provider);
    impls.set(key, impl);
  }
  return impl;
}

/** One case of a file, with the title it is reported under. */
export interface TitledCase<C> {
  readonly vector: C;
  readonly title: string;
}

/** Counts a file must hold: all its cases, and how many of them these tests select. */
export interface ExpectedCounts {
  readonly total: number;
  readonly selected: number;
}

/** Which cases of a file a `describe` takes, and how its title names that choice. */
export interface Selection {
  /** Cipher suites to run (a subset of SUPPORTED_SUITES); all supported ones when absent. */
  readonly suites?: ReadonlySet<number>;
  /** Appended to the `describe` title, e.g. `suites 1 and 2`. */
  readonly note?: string;
}

/**
 * Titles each case `#<index> suite <n>` (or `#<index>` for suite-less files) and keeps those whose
 * suite is selected and supported here.
 */
function selectCases<C extends object>(
  all: readonly C[],
  suites: ReadonlySet<number> = SUPPORTED_SUITES,
): (TitledCase<C> & { readonly index: number })[] {
  return all.flatMap((vector, index) => {
    const suite = (vector as { readonly cipher_suite?: number }).cipher_suite;
    if (suite !== undefined && !(SUPPORTED_SUITES.has(suite) && suites.has(suite))) return [];
    const title = suite === undefined ? `#${index}` : `#${index} suite ${suite}`;
    return [{ vector, title, index }];
  });
}

/**
 * Declares `describe('<file>[, <note>] (<selected> of <total> cases)')` with one test per selected
 * case and a last test asserting that the file still holds `expected.total` cases and that every
 * one of the `expected.selected` cases was started, so no case is skipped without a failing test.
 * `body` gets the case and its index in the file.
 */
export function describeVectorFile<C extends object>(
  file: MlsVectorFile<C>,
  expected: ExpectedCounts,
  body: (vector: C, index: number) => Promise<void> | void,
  selection: Selection = {},
): void {
  const { fileName, cases: all } = file;
  const cases = selectCases(all, selection.suites);
  const note = selection.note === undefined ? '' : `, ${selection.note}`;
  describe(`${fileName}${note} (${cases.length} of ${all.length} cases)`, () => {
    let started = 0;
    for (const { vector, title, index } of cases) {
      it(title, async () => {
        started += 1;
        await body(vector, index);
      });
    }
    it(`ran all ${expected.selected} selected cases of ${expected.total}`, () => {
      expect(all).toHaveLength(expected.total);
      expect(cases).toHaveLength(expected.selected);
      expect(started).toBe(expected.selected);
    });
  });
}

/** Decodes with a ts-mls decoder, failing unless it consumes exactly the whole input. */
export function decodeAll<T>(
  decoder: (bytes: Uint8Array, offset: number) => [T, number] | undefined,
  bytes: Uint8Array,
): T {
  const decoded = decoder(bytes, 0);
  if (decoded === undefined) throw new Error('the decoder refused the bytes');
  expect(decoded[1]).toBe(bytes.length);
  return decoded[0];
}

/** An MLSMessage from hex; fails unless it has the expected wire format. */
export function mlsMessage<W extends MLSMessage['wireformat']>(
  hexBytes: string,
  wireformat: W,
): Extract<MLSMessage, { wireformat: W }> {
  const message = decodeAll(decodeMlsMessage, fromHex(hexBytes));
  expect(message.wireformat).toBe(wireformat);
  return message as Extract<MLSMessage, { wireformat: W }>;
}

/** A GroupContext (RFC 9420 §8.1) with no extensions, as the vectors build them. */
export function groupContext(
  suite: number,
  fields: { groupId: string; epoch: number | bigint; treeHash: string; transcript: string },
): GroupContext {
  return {
    version: 'mls10',
    cipherSuite: suiteName(suite),
    groupId: fromHex(fields.groupId),
    epoch: BigInt(fields.epoch),
    treeHash: fromHex(fields.treeHash),
    confirmedTranscriptHash: fromHex(fields.transcript),
    extensions: [],
  };
}

/** Key retention that never refuses a generation the vectors ask for. */
export const generousRetention = {
  ...defaultKeyRetentionConfig,
  retainKeysForGenerations: 1_000,
  maximumForwardRatchetSteps: 1_000,
};
