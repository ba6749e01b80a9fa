#!/usr/bin/env node
// The `parley` command: identities and chats (packages/cli/dist, docs/cli.md) and
// `parley relay start|invite` (the relay's own command line, docs/operators.md).
// This is the only CLI code that reads argv, the environment and signals.
import { homedir } from 'node:os';

const [group, ...rest] = process.argv.slice(2);
if (group === 'relay') {
  const { main } = await import('@parley/relay/cli');
  const status = await main(rest, process.env);
  if (status !== undefined) process.exit(status);
} else {
  const { runCli } = await import('../dist/main.js');
  const status = await runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    homeDir: homedir(),
    clock: () => Date.now(),
    random: (length) => crypto.getRandomValues(new Uint8Array(length)),
    interrupted: () => {
      const controller = new AbortController();
      // Once only: a second Ctrl-C finds no handler and ends the process at once.
      const abort = () => {
        controller.abort();
      };
      process.once('SIGINT', abort);
      process.once('SIGTERM', abort);
      return controller.signal;
    },
  });
  process.exitCode = status;
  // A socket still closing must not keep a finished command alive.
  setTimeout(() => process.exit(status), 2_000).unref();
}
