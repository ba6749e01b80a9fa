/** Starts, restarts, kills and cleans up real relay processes for the end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

/** The relay's command-line entry point, as operators run it (after `npm run build`). */
export const RELAY_BIN = createRequire(import.meta.url).resolve('@parley/relay/cli');

/** The banner the relay prints on stdout once it accepts connections (the start contract). */
const BANNER =
  /^Parley relay listening on (http:\/\/127\.0\.0\.1:(\d+)) \(relay id ([^)\s]+)\)\s*$/m;

const DEFAULT_START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Command-line flags without their leading `--`, e.g. `{ 'session-ttl-seconds': 2 }`. */
export type RelayFlags = Readonly<Record<string, string | number>>;

/** How a process ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running relay process. */
export interface RelayProcess {
  /** `http://127.0.0.1:<port>`, parsed from the banner. */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/v1/ws`. */
  readonly wsUrl: string;
  readonly port: number;
  readonly relayId: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Whether the process has not exited yet. */
  isRunning(): boolean;
  /**
   * SIGTERM (or SIGINT), then waits for the exit. Throws if the process ignores it for 5 s (and
   * then kills it).
   */
  stop(signal?: 'SIGTERM' | 'SIGINT'): Promise<ProcessExit>;
  /** SIGKILL (no chance to flush or clean up), then waits for the exit. */
  kill9(): Promise<ProcessExit>;
}

/** Options for `startRelay`. */
export interface StartRelayOptions {
  /** Reuse this data directory (to restart on the same data); a fresh temp dir by default. */
  readonly dataDir?: string;
  readonly flags?: RelayFlags;
  readonly startTimeoutMs?: number;
  /** Run the relay under this umask (through `/bin/sh -c 'umask …; exec node …'`). */
  readonly umask?: number;
}

/** The command and arguments that run `node args` (under `umask` if given). */
function nodeCommand(args: readonly string[], umask: number | undefined): [string, string[]] {
  if (umask === undefined) return [process.execPath, [...args]];
  const script = `umask ${umask.toString(8).padStart(3, '0')} && exec "$0" "$@"`;
  return ['/bin/sh', ['-c', script, process.execPath, ...args]];
}

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A worker that dies mid-test must not leave relays behind listening.
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/** A fresh temporary directory, removed by `cleanupRelays`. */
export async function makeTempDir(label = 'parley-relay-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), label));
  tempDirs.add(dir);
  return dir;
}

function flagArgs(flags: RelayFlags): string[] {
  return Object.entries(flags).flatMap(([name, value]) => [`--${name}`, String(value)]);
}

function assertBuilt(): void {
  if (!existsSync(RELAY_BIN)) {
    throw new Error(`${RELAY_BIN} does not exist: run \`npm run build\` at the repository root`);
  }
}

function track(child: ChildProcess): { exited: Promise<ProcessExit>; output: () => string } {
  children.add(child);
  installExitHook();
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return { exited, output: () => output };
}

/**
 * Starts `parley-relay start` on 127.0.0.1 and an ephemeral port and resolves once the banner is
 * printed. Rejects (with everything the process printed) if it exits or stays silent too long.
 */
export async function startRelay(options: StartRelayOptions = {}): Promise<RelayProcess> {
  assertBuilt();
  const dataDir = options.dataDir ?? (await makeTempDir());
  const args = [
    RELAY_BIN,
    'start',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    ...flagArgs(options.flags ?? {}),
  ];
  const [command, commandArgs] = nodeCommand(args, options.umask);
  const child = spawn(command, commandArgs, {
    env: { ...process.env, PARLEY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { exited, output } = track(child);
  let running = true;
  void exited.then(() => (running = false));

  const banner = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay printed no banner within ${timeoutMs} ms; output:\n${output()}`));
    }, timeoutMs);
    const onData = (): void => {
      const match = BANNER.exec(output());
      if (match === null) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(match);
    };
    child.stdout.on('data', onData);
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(
        new Error(
          `relay exited before its banner (code ${String(exit.code)}, signal ${String(exit.signal)}); output:\n${output()}`,
        ),
      );
    });
  });

  const url = banner[1] ?? '';
  const port = Number(banner[2]);
  const waitFor = async (signal: NodeJS.Signals): Promise<ProcessExit> => {
    if (!running) return exited;
    child.kill(signal);
    if (signal === 'SIGKILL') return exited;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, STOP_TIMEOUT_MS);
    });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`relay did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}`);
    }
    return result;
  };
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/v1/ws`,
    port,
    relayId: banner[3] ?? '',
    dataDir,
    pid: child.pid ?? -1,
    output,
    isRunning: () => running,
    stop: (signal = 'SIGTERM') => waitFor(signal),
    kill9: () => waitFor('SIGKILL'),
  };
}

/** What a one-shot relay command printed and how it exited. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `parley-relay <args>` to completion (e.g. `invite`, or `start` with a bad config). */
export async function runRelayCommand(
  args: readonly string[],
  timeoutMs = 10_000,
  umask?: number,
): Promise<CommandResult> {
  assertBuilt();
  const [command, commandArgs] = nodeCommand([RELAY_BIN, ...args], umask);
  const child = spawn(command, commandArgs, {
    env: { ...process.env, PARLEY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  installExitHook();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    // 'close' (not 'exit'): stdout and stderr are fully read by then.
    child.once('close', (exitCode) => {
      resolve(exitCode);
    });
  });
  clearTimeout(timer);
  children.delete(child);
  return { code, stdout, stderr };
}

/** Kills every relay this module started and removes every temp dir it made. For afterAll. */
export async function cleanupRelays(): Promise<void> {
  const exits = [...children].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(exits);
  children.clear();
  const dirs = [...tempDirs];
  tempDirs.clear();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}
