import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORE_ERRORS } from '../src/errors.js';

const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set(
  [...errorsDoc.matchAll(/^\| `(CORE_[A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]),
);

describe('the core error catalogue and docs/errors.md', () => {
  it('documents every code the core can throw', () => {
    const missing = Object.keys(CORE_ERRORS).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });

  it('documents no code the core does not have', () => {
    const stale = [...documented].filter((code) => code !== undefined && !(code in CORE_ERRORS));
    expect(stale).toEqual([]);
  });
});
