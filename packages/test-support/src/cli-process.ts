/** Runs `parley` (packages/cli/bin/parley.js, after `npm run build`) as separate processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const CLI_ROOT = dirname(createRequire(import.meta.url).resolve('@parley/cli/package.json'));

/** The CLI's entry point, as `npx parley` runs it. */
export const CLI_BIN = join(CLI_ROOT, 'bin', 'parley.js');
const CLI_DIST = join(CLI_ROOT, 'dist', 'main.js');

/** What a finished command printed and how it exited. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and how to run the CLI. */
export interface CliOptions {
  readonly cwd: string;
  /** Added to a clean environment (no PARLEY_* variables of the machine running the tests). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

const running = new Set<ChildProcess>();

function cleanEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('PARLEY_')) env[name] = value;
  }
  // Cheap key files (scrypt N = 2^10): see PARLEY_UNSAFE_FAST_KDF in docs/cli.md.
  return { ...env, PARLEY_UNSAFE_FAST_KDF: '1', ...extra };
}

/** A CLI process still running (`parley read --follow`). */
export interface CliProcess {
  stdout(): string;
  stderr(): string;
  /** Resolves once `check` holds for what the process printed; rejects after `timeoutMs`. */
  waitFor(check: (stdout: string, stderr: string) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves once the process ended by itself. */
  finished(): Promise<CliResult>;
  /** Sends `signal` and resolves with the exit once the process ended. */
  stop(signal: NodeJS.Signals): Promise<CliResult>;
}

/** Starts `parley <args>` and returns at once. */
export function startCli(args: readonly string[], options: CliOptions): CliProcess {
  if (!existsSync(CLI_DIST)) {
    throw new Error(`${CLI_DIST} does not exist: run \`npm run build\` at the repository root`);
  }
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<CliResult>((resolve) => {
    // 'close', not 'exit': both streams are fully read by then.
    child.once('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async waitFor(check, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check(stdout, stderr)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(
            `parley ${args.join(' ')} never printed what was expected:\n${stdout}${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    finished: () => closed,
    stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return closed;
    },
  };
}

/** Runs `parley <args>` to completion. */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const cli = startCli(args, options);
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, timeoutMs);
  });
  const result = await Promise.race([cli.finished(), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    await cli.stop('SIGKILL');
    throw new Error(`parley ${args.join(' ')} did not finish within ${timeoutMs} ms`);
  }
  return result;
}

/** Kills every CLI process still running. For afterAll. */
export function killClis(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
