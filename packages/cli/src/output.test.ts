import type { StoredMessage } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { CliError, describeError } from './errors.js';
import { Output, formatMessage, table } from './output.js';

function capture(json: boolean) {
  const out = { stdout: '', stderr: '' };
  const output = new Output({
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    json,
    debug: false,
  });
  return { out, output };
}

const message: StoredMessage = {
  chatId: 'c',
  id: 3,
  author: 'bciqkn523ofxemzh4dtsk2baybkctgzdxgxpgxb4ohobscters33zq4y',
  hash: undefined,
  content: { type: 'text', text: 'two\nlines' },
  editedAt: undefined,
  reactions: {},
  applied: [],
  sentAt: Date.UTC(2025, 0, 2, 3, 4, 5),
  own: false,
  status: 'received',
  cid: undefined,
  seq: 9,
};

describe('Output', () => {
  it('prints the human lines, or one JSON line with --json', () => {
    const human = capture(false);
    human.output.result({ a: 1 }, ['one', 'two']);
    expect(human.out.stdout).toBe('one\ntwo\n');
    const json = capture(true);
    json.output.result({ a: 1 }, ['one', 'two']);
    expect(json.out.stdout).toBe('{"a":1}\n');
  });

  it('prints errors on stderr with their code and hint, as JSON with --json', () => {
    const human = capture(false);
    human.output.error(describeError(new CliError('CLI_NO_IDENTITY', '(/h)')));
    expect(human.out.stdout).toBe('');
    expect(human.out.stderr).toBe(
      'parley: CLI_NO_IDENTITY: This home has no identity yet. (/h)\n  hint: create one with `parley id new`\n',
    );
    const json = capture(true);
    json.output.error(describeError(new CliError('CLI_USAGE')));
    expect(JSON.parse(json.out.stderr)).toEqual({
      error: { code: 'CLI_USAGE', message: 'The command line is not valid.', exitCode: 2 },
    });
  });
});

describe('formatMessage', () => {
  it('prints one line per message: time, short author or "you", text', () => {
    const line = formatMessage(message);
    expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:05 {2}bciqkn523ofx… {2}two ⏎ lines$/);
    expect(formatMessage({ ...message, own: true, status: 'queued' })).toMatch(
      / {2}you {12}two ⏎ lines {2}\(queued\)$/,
    );
  });
});

describe('table', () => {
  it('pads every column but the last to its widest cell, counting what people see as characters', () => {
    expect(
      table([
        ['ID', 'NAME', 'X'],
        ['a', 'café 👍🏽', 'y'],
        ['bbb', 'n', ''],
      ]),
    ).toEqual(['ID   NAME    X', 'a    café 👍🏽  y', 'bbb  n       ']);
  });
});
