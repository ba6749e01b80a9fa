import { describe, expect, it } from 'vitest';
import { parseCommandLine, positiveIntArg, type CommandSyntax } from './args.js';
import { CliError } from './errors.js';

const commands: CommandSyntax[] = [
  {
    words: ['group', 'new'],
    usage: 'group new NAME',
    summary: '',
    positionals: ['NAME'],
    options: { members: { type: 'string' } },
  },
  {
    words: ['group', 'add'],
    usage: 'group add CHAT ID',
    summary: '',
    positionals: ['CHAT', 'ID'],
    options: {},
  },
  {
    words: ['send'],
    usage: 'send CHAT TEXT...',
    summary: '',
    positionals: ['CHAT', 'TEXT...'],
    options: {},
  },
  {
    words: ['read'],
    usage: 'read CHAT',
    summary: '',
    positionals: ['CHAT'],
    options: { follow: { type: 'boolean', short: 'f' }, limit: { type: 'string' } },
  },
];

function usageError(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('parseCommandLine', () => {
  it('finds the command by its words and leaves the rest as positionals, global flags anywhere', () => {
    const parsed = parseCommandLine(
      ['--home', 'h', 'group', 'new', 'team', '--members', 'a,b', '--json'],
      commands,
    );
    expect(parsed.kind).toBe('run');
    if (parsed.kind !== 'run') return;
    expect(parsed.command.words).toEqual(['group', 'new']);
    expect(parsed.args.positionals).toEqual(['team']);
    expect(parsed.args.string('members')).toBe('a,b');
    expect(parsed.args.string('home')).toBe('h');
    expect(parsed.args.flag('json')).toBe(true);
  });

  it('takes any number of words for a variadic positional, and text after -- as it is', () => {
    const parsed = parseCommandLine(['send', 'chat', 'hello', 'there', '--', '--json'], commands);
    expect(parsed.kind === 'run' && parsed.args.positionals).toEqual([
      'chat',
      'hello',
      'there',
      '--json',
    ]);
    expect(parsed.kind === 'run' && parsed.args.flag('json')).toBe(false);
  });

  it('rejects unknown commands, unknown flags, flags of another command and wrong counts', () => {
    expect(usageError(() => parseCommandLine(['frobnicate'], commands)).code).toBe('CLI_USAGE');
    expect(usageError(() => parseCommandLine(['read', 'c', '--bogus'], commands)).code).toBe(
      'CLI_USAGE',
    );
    expect(usageError(() => parseCommandLine(['read', 'c', '--members', 'x'], commands)).code).toBe(
      'CLI_USAGE',
    );
    expect(
      usageError(() => parseCommandLine(['group', 'add', 'chat'], commands)).message,
    ).toContain('missing ID');
    expect(usageError(() => parseCommandLine(['read', 'a', 'b'], commands)).message).toContain(
      'unexpected argument "b"',
    );
    expect(usageError(() => parseCommandLine(['send', 'chat'], commands)).message).toContain(
      'missing TEXT',
    );
  });

  it('answers help for no words, help, --help and -h, with the command when one is named', () => {
    expect(parseCommandLine([], commands)).toEqual({ kind: 'help', command: undefined });
    expect(parseCommandLine(['help', 'read'], commands)).toMatchObject({
      kind: 'help',
      command: { words: ['read'] },
    });
    expect(parseCommandLine(['group', 'add', '--help'], commands)).toMatchObject({
      kind: 'help',
      command: { words: ['group', 'add'] },
    });
    expect(parseCommandLine(['read', '-h'], commands)).toMatchObject({ kind: 'help' });
  });
});

describe('positiveIntArg', () => {
  it('accepts whole numbers in range and refuses anything else', () => {
    expect(positiveIntArg(undefined, 'limit', 50, 100)).toBe(50);
    expect(positiveIntArg('7', 'limit', 50, 100)).toBe(7);
    for (const bad of ['0', '-1', '1.5', '1e2', 'x', '', '101']) {
      expect(usageError(() => positiveIntArg(bad, 'limit', 50, 100)).code).toBe('CLI_USAGE');
    }
  });
});
