#!/usr/bin/env node
// The `parley` command. Today it runs and administers relays: `parley relay start|invite`.
const USAGE = `usage: parley relay start [--config FILE] [--SETTING VALUE ...]
       parley relay invite [--count N] [--data-dir DIR]

See docs/operators.md for every setting.`;

const [group, ...rest] = process.argv.slice(2);
if (group === 'relay') {
  const { main } = await import('@parley/relay/cli');
  const status = await main(rest, process.env);
  if (status !== undefined) process.exit(status);
} else if (group === undefined || group === 'help' || group === '--help') {
  process.stdout.write(`${USAGE}\n`);
} else {
  process.stderr.write(`unknown command "${group}"\n${USAGE}\n`);
  process.exit(2);
}
