/** Every relay error code has a row in docs/errors.md, and every documented code exists. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELAY_ERRORS } from '../src/errors.js';

const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set(
  [...errorsDoc.matchAll(/^\| `(RELAY_[A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]),
);

describe('the relay error catalogue and docs/errors.md', () => {
  it('documents every code the relay can answer with', () => {
    const missing = Object.keys(RELAY_ERRORS).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });

  it('documents no code the relay does not have', () => {
    const stale = [...documented].filter((code) => code !== undefined && !(code in RELAY_ERRORS));
    expect(stale).toEqual([]);
  });
});
