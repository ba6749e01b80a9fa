/**
 * The command line: global flags, command words, per-command flags and positionals, parsed with
 * node:util parseArgs (strict). Every mistake is a CliError CLI_USAGE (exit code 2).
 */
import { parseArgs } from 'node:util';
import { parseAccountId, type AccountId } from '@parley/core';
import { CliError } from './errors.js';

/** The flags of one command, as parseArgs takes them. */
export type OptionSpec = Readonly<
  Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>
>;

/** What the parser needs to know of a command. */
export interface CommandSyntax {
  /** The command words, e.g. `['group', 'new']`. */
  readonly words: readonly string[];
  /** Positional names: `NAME` required, `NAME?` optional, `NAME...` one or more. */
  readonly positionals: readonly string[];
  /** The synopsis after `parley `, e.g. `group new NAME [--members ID,ID]`. */
  readonly usage: string;
  readonly options: OptionSpec;
  /** One line: what the command does. */
  readonly summary: string;
  /** The command's flags for its help: `['--limit N', 'at most N messages']`. */
  readonly flagHelp?: readonly (readonly [string, string])[];
}

/** Flags every command takes. */
const GLOBAL_OPTIONS = {
  home: { type: 'string' },
  json: { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/** The parsed flags and positionals of one command. */
export class Args {
  readonly #values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];

  constructor(
    values: Readonly<Record<string, string | boolean | undefined>>,
    positionals: string[],
  ) {
    this.#values = values;
    this.positionals = positionals;
  }

  /** A string flag's value, if given. */
  string(name: string): string | undefined {
    const value = this.#values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** True if a boolean flag was given. */
  flag(name: string): boolean {
    return this.#values[name] === true;
  }

  /** The positional at `index` (the parser checked that required ones are there). */
  positional(index: number): string {
    const value = this.positionals[index];
    if (value === undefined) throw new CliError('CLI_USAGE', `(missing argument ${index + 1})`);
    return value;
  }
}

/** The outcome of parsing: a command to run, or help to print. */
export type ParsedCommandLine<C extends CommandSyntax> =
  | { readonly kind: 'run'; readonly command: C; readonly args: Args }
  | { readonly kind: 'help'; readonly command: C | undefined };

/**
 * Finds the command named by the leading words of `argv` and parses its flags.
 * @throws CliError CLI_USAGE
 */
export function parseCommandLine<C extends CommandSyntax>(
  argv: readonly string[],
  commands: readonly C[],
): ParsedCommandLine<C> {
  // A loose first pass only to find the command words; the strict pass below checks everything.
  const allOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    ...GLOBAL_OPTIONS,
  };
  for (const command of commands) Object.assign(allOptions, command.options);
  const loose = parseArgs({
    args: [...argv],
    options: allOptions,
    strict: false,
    allowPositionals: true,
  });
  const words = loose.positionals;
  const wantsHelp = loose.values.help === true || words[0] === 'help';
  const commandWords = words[0] === 'help' ? words.slice(1) : words;
  const command = findCommand(commandWords, commands);
  if (wantsHelp || words.length === 0) {
    if (command === undefined && commandWords.length > 0) throw unknownCommand(commandWords);
    return { kind: 'help', command };
  }
  if (command === undefined) throw unknownCommand(commandWords);

  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: true,
    });
  } catch (cause) {
    throw new CliError('CLI_USAGE', `(${cause instanceof Error ? cause.message : String(cause)})`, {
      cause,
    });
  }
  const positionals = parsed.positionals.slice(command.words.length);
  checkPositionals(command, positionals);
  return { kind: 'run', command, args: new Args(parsed.values, positionals) };
}

function findCommand<C extends CommandSyntax>(
  words: readonly string[],
  commands: readonly C[],
): C | undefined {
  let best: C | undefined;
  for (const command of commands) {
    const matches = command.words.every((word, index) => words[index] === word);
    if (matches && command.words.length > (best?.words.length ?? 0)) best = command;
  }
  return best;
}

function unknownCommand(words: readonly string[]): CliError {
  return new CliError('CLI_USAGE', `(unknown command "${words.slice(0, 2).join(' ')}")`);
}

function checkPositionals(command: CommandSyntax, positionals: readonly string[]): void {
  const required = command.positionals.filter((name) => !name.endsWith('?')).length;
  const variadic = command.positionals.some((name) => name.endsWith('...'));
  const max = variadic ? Infinity : command.positionals.length;
  const usage = `usage: parley ${command.usage}`;
  if (positionals.length < required) {
    const missing = command.positionals[positionals.length] ?? '';
    throw new CliError('CLI_USAGE', `(missing ${missing.replace(/[.?]+$/, '')}; ${usage})`);
  }
  if (positionals.length > max) {
    throw new CliError('CLI_USAGE', `(unexpected argument "${positionals[max] ?? ''}"; ${usage})`);
  }
}

/**
 * An account id given on the command line.
 * @throws CoreError CORE_ACCOUNT_ID_INVALID (exit code 2)
 */
export function accountIdArg(text: string): AccountId {
  return parseAccountId(text.trim());
}

/**
 * A positive integer flag, or `fallback` when absent.
 * @throws CliError CLI_USAGE
 */
export function positiveIntArg(
  text: string | undefined,
  flag: string,
  fallback: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new CliError('CLI_USAGE', `(--${flag} must be a whole number from 1 to ${max})`);
  }
  return value;
}
