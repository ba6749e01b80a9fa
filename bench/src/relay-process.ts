/** Starts the real relay binary (`parley-relay start`) as a child process for one measurement. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The relay's command-line entry point, as operators run it. */
const RELAY_BIN = fileURLToPath(
  new URL('../../packages/relay/bin/parley-relay.js', import.meta.url),
);

// The start contract of the relay (docs/operators.md).
const BANNER = /^Parley relay listening on (http:\/\/127\.0\.0\.1:\d+) \(relay id ([^)\s]+)\)/m;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * The only settings the benchmark changes from the embedded defaults: per-session rate limits and
 * connection caps high enough for the load. Durability (WAL, synchronous = FULL) is untouched.
 */
export const BENCH_RELAY_FLAGS: Readonly<Record<string, string>> = {
  'publish-per-second': '1000000',
  'publish-burst': '1000000',
  'max-connections': '20000',
  'max-subscriptions-per-connection': '10000',
  // Every load generator connects from 127.0.0.1, thousands of sockets at once.
  'max-unauthenticated-connections': '20000',
  'max-unauthenticated-per-address': '20000',
};

const running = new Set<ChildProcess>();

/** Kills every relay this process started (for a harness interrupted by a signal). */
export function killRelays(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** A running relay. */
export interface RelayUnderTest {
  readonly url: string;
  readonly wsUrl: string;
  readonly pid: number;
  /** SIGTERM and wait (the relay flushes and exits 0); SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Options: extra Node flags (e.g. `--cpu-prof`) for the relay process. */
export interface StartOptions {
  readonly nodeFlags?: readonly string[];
}

/**
 * Starts the relay on 127.0.0.1, port 0, with a fresh temporary data directory removed on stop.
 * Throws if the relay is not built or prints no banner within 20 s.
 */
export async function startRelay(options: StartOptions = {}): Promise<RelayUnderTest> {
  if (!existsSync(RELAY_BIN)) throw new Error(`${RELAY_BIN} missing: run \`npm run build\``);
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-'));
  const flags = Object.entries(BENCH_RELAY_FLAGS).flatMap(([k, v]) => [`--${k}`, v]);
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      RELAY_BIN,
      'start',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const url = await waitForBanner(child, () => output, exited);
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/v1/ws`,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function waitForBanner(
  child: ChildProcess,
  output: () => string,
  exited: Promise<void>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay printed no banner in ${START_TIMEOUT_MS} ms:\n${output()}`));
    }, START_TIMEOUT_MS);
    const onData = (): void => {
      const match = BANNER.exec(output());
      if (match === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(match[1] ?? '');
    };
    child.stdout?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`relay exited before its banner:\n${output()}`));
    });
  });
}
