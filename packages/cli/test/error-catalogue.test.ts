import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_ERRORS } from '../src/errors.js';

const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...errorsDoc.matchAll(/^\| `(CLI_[A-Z0-9_]+)`\s*\|\s*(\d+)\s*\|/gm)].map((match) => [
    match[1] ?? '',
    Number(match[2]),
  ]),
);

describe('the CLI error catalogue and docs/errors.md', () => {
  it('documents every code the CLI can print, with its exit code', () => {
    expect(Object.fromEntries(documented)).toEqual(
      Object.fromEntries(Object.entries(CLI_ERRORS).map(([code, [, exit]]) => [code, exit])),
    );
  });
});
