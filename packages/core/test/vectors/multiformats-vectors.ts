/**
 * Readers for the multiformats vectors in ../shared/vectors/multiformats beside the repository (SOURCES.md): the IPLD
 * codec fixtures, the multibase and multihash test CSVs and the multicodec table. The files are
 * trusted test data; the readers fail loudly on a shape they do not expect.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatBytes, fromHex, utf8 } from '../../src/bytes.js';

/** The path of a file under ../shared/vectors/multiformats (five levels above this directory). */
function multiformatsPath(relativePath: string): string {
  return fileURLToPath(
    new URL(`../../../../../shared/vectors/multiformats/${relativePath}`, import.meta.url),
  );
}

/** One `fixtures/<name>/<cid>.dag-cbor` file. */
export interface DagCborFixture {
  readonly name: string;
  readonly cid: string;
  readonly bytes: Uint8Array;
}

/** Every dag-cbor fixture, sorted by name (each directory holds exactly one). */
export function loadDagCborFixtures(): DagCborFixture[] {
  const root = multiformatsPath('ipld-codec-fixtures/fixtures');
  const names = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return names.map((name) => {
    const files = readdirSync(join(root, name)).filter((file) => file.endsWith('.dag-cbor'));
    if (files.length !== 1 || files[0] === undefined) {
      throw new Error(`fixture ${name}: expected one .dag-cbor file, found ${files.length}`);
    }
    const file = files[0];
    return {
      name,
      cid: file.slice(0, -'.dag-cbor'.length),
      bytes: new Uint8Array(readFileSync(join(root, name, file))),
    };
  });
}

/** One must-fail case of `negative-fixtures/dag-cbor/decode/<file>.json`. */
export interface NegativeFixture {
  readonly file: string;
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The reference implementation's error text (informative; we match on our own codes). */
  readonly error: string;
}

/** Every dag-cbor decode negative fixture, in file order. */
export function loadNegativeDagCborDecodeFixtures(): NegativeFixture[] {
  const root = multiformatsPath('ipld-codec-fixtures/negative-fixtures/dag-cbor/decode');
  return readdirSync(root)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const cases = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
        name: string;
        hex: string;
        error: string;
      }[];
      return cases.map(({ name, hex, error }) => ({ file, name, bytes: fromHex(hex), error }));
    });
}

/** A multibase test CSV: the input bytes and each base's encoding of them. */
export interface MultibaseCsv {
  readonly file: string;
  /** False for `case_insensitivity.csv`, whose header says "non-canonical encoding". */
  readonly isCanonical: boolean;
  readonly input: Uint8Array;
  readonly rows: readonly { readonly base: string; readonly text: string }[];
}

/** Reads `multibase/tests/<file>`: `encoding, "<input>"` then `<base>, "<text>"` lines. */
export function loadMultibaseCsv(file: string): MultibaseCsv {
  const lines = readFileSync(multiformatsPath(`multibase/tests/${file}`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const parsed = lines.map((line) => {
    const match = /^([^,]+),\s*"(.*)"$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined)
      throw new Error(`${file}: bad line ${line}`);
    return { key: match[1].trim(), value: match[2] };
  });
  const [header, ...rows] = parsed;
  if (header === undefined || !header.key.endsWith('encoding'))
    throw new Error(`${file}: no header`);
  return {
    file,
    isCanonical: header.key === 'encoding',
    input: unescapeInput(header.value),
    rows: rows.map(({ key, value }) => ({ base: key, text: value })),
  };
}

/** The CSV input is UTF-8 text in which `\xNN` stands for the raw byte NN (leading zeros). */
function unescapeInput(text: string): Uint8Array {
  const parts = text.split(/(\\x[0-9a-fA-F]{2})/);
  return concatBytes(
    ...parts.map((part) =>
      /^\\x[0-9a-fA-F]{2}$/.test(part) ? fromHex(part.slice(2)) : utf8(part),
    ),
  );
}

/** Reads a comma-separated table with a header line into records keyed by the trimmed header. */
export function loadCsvTable(relativePath: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(multiformatsPath(relativePath), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  if (header === undefined) throw new Error(`${relativePath}: empty`);
  const columns = header.split(',').map((column) => column.trim());
  return lines.map((line) => {
    const cells = line.split(',').map((cell) => cell.trim());
    return Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? '']));
  });
}
