/** The e2e suite's error-body check must itself be able to fail: it refuses leaks, extra keys. */
import { describe, expect, it } from 'vitest';
import { errorShapeProblem } from './error-shape.js';

function problemOf(body: unknown): string | undefined {
  return errorShapeProblem(body, JSON.stringify(body));
}

describe('errorShapeProblem', () => {
  it('accepts exactly { error: { code, message } } with a RELAY_ code', () => {
    expect(problemOf({ error: { code: 'RELAY_NOT_FOUND', message: 'No such route.' } })).toBe(
      undefined,
    );
  });

  it.for([
    { name: 'a string', body: 'oops' },
    { name: 'an extra top-level key', body: { error: { code: 'RELAY_X', message: 'm' }, x: 1 } },
    { name: 'an extra error key', body: { error: { code: 'RELAY_X', message: 'm', stack: 's' } } },
    { name: 'a fastify code', body: { error: { code: 'FST_ERR_CTP_INVALID_JSON', message: 'm' } } },
    { name: 'an empty message', body: { error: { code: 'RELAY_X', message: '' } } },
    {
      name: 'a stack trace in the message',
      body: { error: { code: 'RELAY_X', message: 'boom\n    at parse (node:internal/x:1:2)' } },
    },
    {
      name: 'a file path in the message',
      body: {
        error: { code: 'RELAY_X', message: 'failed in /srv/parley/packages/relay/src/a.ts' },
      },
    },
    {
      name: 'a compiled file location in the message',
      body: { error: { code: 'RELAY_X', message: 'failed at dist/http/app.js:12:7' } },
    },
  ])('refuses $name', ({ body }) => {
    expect(problemOf(body)).toBeDefined();
  });
});
