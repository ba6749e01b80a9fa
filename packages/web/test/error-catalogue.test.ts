import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WEB_ERRORS } from '../src/errors.js';

const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set(
  [...errorsDoc.matchAll(/^\| `(WEB_[A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]),
);

describe('the web app error catalogue and docs/errors.md', () => {
  it('documents every code the app has, and no other', () => {
    expect(Object.keys(WEB_ERRORS).filter((code) => !documented.has(code))).toEqual([]);
    expect([...documented].filter((code) => code !== undefined && !(code in WEB_ERRORS))).toEqual(
      [],
    );
  });
});
