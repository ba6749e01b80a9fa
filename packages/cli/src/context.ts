/** What a command receives: the process's streams and environment (from bin/), and its parsed state. */
import type { RandomSource } from '@parley/core';
import type { Args } from './args.js';
import type { Output } from './output.js';
import type { Home } from './state.js';

/** The standard input, as far as the passphrase prompt needs it. */
export interface Stdin {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** A stream the CLI writes to. */
export interface Sink {
  write(text: string): unknown;
}

/** Everything the CLI takes from its process; bin/parley.js is the only code that builds it. */
export interface CliIo {
  readonly stdin: Stdin;
  readonly stdout: Sink;
  readonly stderr: Sink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory (for the default state dir, ~/.parley). */
  readonly homeDir: string;
  readonly clock: () => number;
  readonly random: RandomSource;
  /**
   * A signal aborted on SIGINT/SIGTERM. Only long-running commands ask for it: asking installs the
   * handlers, so a short command still dies on Ctrl-C as usual.
   */
  readonly interrupted: () => AbortSignal;
}

/** What a command's `run` receives. */
export interface CommandContext {
  readonly io: CliIo;
  readonly out: Output;
  readonly home: Home;
  readonly args: Args;
}
