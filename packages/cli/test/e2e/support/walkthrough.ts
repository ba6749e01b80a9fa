/**
 * Runs the README's CLI walkthrough exactly as written. The block between
 * `<!-- cli-walkthrough:start -->` and `<!-- cli-walkthrough:end -->` is read and each line is
 * carried out by a tiny interpreter that knows just the shell the block uses:
 *
 * - `mkdir -p DIR`                                        makes a directory;
 * - `echo 'text' > FILE`                                  writes a file;
 * - `name() { npx parley ARGS "$@"; }`                    defines a person's shorthand;
 * - `VAR=$(COMMAND)`                                      runs COMMAND and keeps its stdout;
 * - `COMMAND   # shows: a; hides: b; shows only: c`       runs COMMAND and checks its stdout;
 *
 * where COMMAND is `npx parley …` or `name …`, with '…' and "…$VAR…" quoting. Every command
 * must exit with 0. The relay URL of the block (http://127.0.0.1:8787) is replaced by the test's.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliResult } from '@parley/test-support/cli-process';

/** The README, from this file. */
const README = new URL('../../../../../README.md', import.meta.url);
/** The relay URL the README's block uses. */
const README_RELAY_URL = 'http://127.0.0.1:8787';

/** The lines of the walkthrough block. */
export async function readWalkthrough(): Promise<string[]> {
  const text = await readFile(README, 'utf8');
  const match =
    /<!-- cli-walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- cli-walkthrough:end -->/.exec(
      text,
    );
  if (match?.[1] === undefined) throw new Error('README.md has no cli-walkthrough block');
  return match[1].split('\n').filter((line) => line.trim() !== '');
}

/** One command the walkthrough ran, for the test's report. */
export interface WalkthroughStep {
  readonly line: string;
  readonly result: CliResult;
}

/** Runs every line in `cwd` against the relay at `relayUrl`; throws at the first failed check. */
export async function runWalkthrough(
  lines: readonly string[],
  cwd: string,
  relayUrl: string,
): Promise<WalkthroughStep[]> {
  const variables = new Map<string, string>();
  const people = new Map<string, string[]>();
  const steps: WalkthroughStep[] = [];
  const run = async (line: string, command: string): Promise<CliResult> => {
    const words = tokenize(command.replaceAll(README_RELAY_URL, relayUrl), variables);
    const [first, second, ...rest] = words;
    let args: string[];
    if (first === 'npx' && second === 'parley') args = rest;
    else if (first !== undefined && people.has(first))
      args = [...(people.get(first) ?? []), ...words.slice(1)];
    else throw new Error(`walkthrough: cannot run "${command}"`);
    const result = await runCli(args, { cwd });
    steps.push({ line, result });
    if (result.code !== 0) {
      throw new Error(
        `walkthrough: "${line}" exited with ${String(result.code)}:\n${result.stderr}`,
      );
    }
    return result;
  };

  for (const line of lines) {
    const { code, comment } = splitComment(line);
    const directory = /^mkdir -p (\S+)$/.exec(code);
    const echo = /^echo (.+) > (\S+)$/.exec(code);
    const definition = /^(\w+)\(\)\s*\{\s*npx parley (.*?)\s*"\$@";\s*\}$/.exec(code);
    const capture = /^([A-Z_]+)=\$\((.*)\)$/.exec(code);
    if (directory?.[1] !== undefined) {
      await mkdir(join(cwd, directory[1]), { recursive: true });
    } else if (echo?.[1] !== undefined && echo[2] !== undefined) {
      await writeFile(join(cwd, echo[2]), `${tokenize(echo[1], variables).join(' ')}\n`);
    } else if (definition?.[1] !== undefined && definition[2] !== undefined) {
      people.set(definition[1], tokenize(definition[2], variables));
    } else if (capture?.[1] !== undefined && capture[2] !== undefined) {
      variables.set(capture[1], (await run(line, capture[2])).stdout.trim());
    } else {
      const result = await run(line, code);
      if (comment !== undefined) check(line, comment, result.stdout);
    }
  }
  return steps;
}

/** `# shows: a; hides: b; shows only: c` checks on a command's stdout. */
function check(line: string, comment: string, stdout: string): void {
  for (const clause of comment.split(';')) {
    const [kind = '', ...rest] = clause.split(':');
    const text = rest.join(':').trim();
    const fail = (what: string) =>
      new Error(`walkthrough: "${line}" should ${what} "${text}"; it printed:\n${stdout}`);
    const lines = stdout.split('\n').filter((l) => l !== '');
    switch (kind.trim()) {
      case 'shows':
        if (!stdout.includes(text)) throw fail('show');
        break;
      case 'hides':
        if (stdout.includes(text)) throw fail('not show');
        break;
      case 'shows only':
        if (lines.length !== 1 || !stdout.includes(text)) throw fail('show only');
        break;
      default:
        throw new Error(`walkthrough: unknown check "${clause}" in "${line}"`);
    }
  }
}

function splitComment(line: string): { code: string; comment: string | undefined } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (i === 0 || line[i - 1] === ' ')) {
      return { code: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
    }
  }
  return { code: line.trim(), comment: undefined };
}

/** Shell words: '…' literal, "…" and bare words with $VAR expanded. */
function tokenize(text: string, variables: ReadonlyMap<string, string>): string[] {
  const expand = (part: string) =>
    part.replace(/\$([A-Z_]+)/g, (_, name: string) => {
      const value = variables.get(name);
      if (value === undefined) throw new Error(`walkthrough: $${name} is not set`);
      return value;
    });
  const words: string[] = [];
  const pattern = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    words.push(match[1] ?? expand(match[2] ?? match[3] ?? ''));
  }
  return words;
}
