import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERRORS } from '../src/errors.js';

const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set(
  [...errorsDoc.matchAll(/^\| `(CLIENT_[A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]),
);

describe('the client error catalogue and docs/errors.md', () => {
  it('documents every code the SDK can throw', () => {
    expect(Object.keys(CLIENT_ERRORS).filter((code) => !documented.has(code))).toEqual([]);
  });

  it('documents no code the SDK does not have', () => {
    expect(
      [...documented].filter((code) => code !== undefined && !(code in CLIENT_ERRORS)),
    ).toEqual([]);
  });
});
