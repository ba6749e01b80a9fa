#!/usr/bin/env node
// The relay's command line: `start` (the default) runs a relay; `invite` makes invite codes.
// This is the only relay code that reads argv and the environment or opens a port.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createCryptoSuite } from '@parley/core';
import {
  SETTINGS,
  createFileBlobStore,
  createInProcessBus,
  createInProcessLease,
  createInvites,
  createNoAnchorChain,
  createRelay,
  createSystemTimers,
  isRelayError,
  loadConfig,
  loadOrCreateRelayIdentity,
  openSqliteStores,
  preparePrivateDir,
} from '../dist/index.js';

const USAGE = `usage: parley relay [start] [--config FILE] [--SETTING VALUE ...]
       parley relay invite [--count N] [--config FILE] [--data-dir DIR]

Settings (flags, PARLEY_* environment variables, or the config file): see docs/operators.md.`;

/** @param {readonly string[]} argv @param {NodeJS.ProcessEnv} env */
export async function main(argv, env) {
  const [first, ...rest] = argv;
  const command = first === undefined || first.startsWith('-') ? 'start' : first;
  const args = command === first ? rest : argv;
  if (command === 'help' || args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'start' && command !== 'invite') {
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  /** @type {Record<string, { type: 'string' }>} */
  const options = { config: { type: 'string' }, count: { type: 'string' } };
  for (const key of Object.keys(SETTINGS)) options[key] = { type: 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (error) {
    process.stderr.write(
      `RELAY_CONFIG_INVALID: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  const { config: configPath = env.PARLEY_CONFIG, count, ...flags } = parsed.values;
  let config;
  try {
    const file =
      configPath === undefined
        ? undefined
        : { name: configPath, text: readFileSync(configPath, 'utf8') };
    config = loadConfig({ file, env, flags: /** @type {Record<string, string>} */ (flags) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = isRelayError(error) ? error.code : 'RELAY_CONFIG_INVALID';
    process.stderr.write(`${code}: ${message}\n`);
    return 2;
  }

  const dataDir = resolve(config.dataDir);
  let store;
  try {
    // Owner-only whatever the umask: a pre-existing 0755 directory is tightened to 0700.
    preparePrivateDir(dataDir);
    store = openSqliteStores(resolve(dataDir, 'relay.db'));
  } catch (error) {
    if (!isRelayError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return 1;
  }
  const random = (/** @type {number} */ n) => crypto.getRandomValues(new Uint8Array(n));

  if (command === 'invite') {
    const howMany = count === undefined ? 1 : Number(count);
    if (!Number.isInteger(howMany) || howMany < 1 || howMany > 1000) {
      process.stderr.write('RELAY_CONFIG_INVALID: --count must be 1..1000\n');
      return 2;
    }
    const codes = await createInvites(store.membership, random, howMany, Date.now());
    await store.close();
    process.stdout.write(`${codes.join('\n')}\n`);
    return 0;
  }

  const log = pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'token', '*.token'],
  });
  const suite = createCryptoSuite(crypto.subtle);
  const identity = await loadOrCreateRelayIdentity(dataDir, suite, random);
  // The default ports of a relay that runs as one process (docs/adr/0017-relay-ports.md).
  const relay = await createRelay({
    config,
    stores: store,
    bus: createInProcessBus(),
    blobs: createFileBlobStore(join(dataDir, 'blobs')),
    anchor: createNoAnchorChain(),
    lease: createInProcessLease(),
    clock: () => Date.now(),
    timers: createSystemTimers(),
    random,
    logger: log,
    suite,
    identity,
    fetch,
  }).catch(async (/** @type {unknown} */ error) => {
    await store.close();
    if (!isRelayError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return undefined;
  });
  if (relay === undefined) return 1;
  const url = await relay.app.listen({ host: config.host, port: config.port });
  process.stdout.write(`Parley relay listening on ${url} (relay id ${relay.relayId})\n`);
  if (existsSync(join(config.web.dir, 'index.html'))) {
    process.stdout.write(`Web app: open ${url}/ in a browser\n`);
  } else {
    process.stdout.write(`Web app not built (${config.web.dir}): run npm run build:web\n`);
  }

  let stopping = false;
  const stop = async (/** @type {string} */ signal) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await relay.close();
    await store.close();
    process.stdout.write('Parley relay stopped\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return undefined;
}

// Run only when executed directly; `parley relay …` and `npm start` import `main`.
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
) {
  const status = await main(process.argv.slice(2), process.env);
  if (status !== undefined) process.exit(status);
}
