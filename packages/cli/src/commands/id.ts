/** `parley id new|show|export|import`: the identity of a home, kept in a passphrase-encrypted key file. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  createCryptoSuite,
  exportKeyFile,
  generateIdentity,
  importKeyFile,
  type ScryptParams,
} from '@parley/core';
import type { Command } from '../command.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { HomeLock } from '../home-lock.js';
import { readPassphrase } from '../passphrase.js';
import { unlockIdentity } from '../session.js';
import {
  hasIdentity,
  preparePrivateFiles,
  readConfig,
  readKeyFile,
  readUserFile,
  removeDeviceState,
  writeConfig,
  writeKeyFile,
  writeNewFile,
  type HomeConfig,
} from '../state.js';

/**
 * The scrypt cost used when PARLEY_UNSAFE_FAST_KDF=1: 2^10 instead of 2^17, so that test suites
 * unlock key files in milliseconds. A key file written with it is cheap to brute-force.
 */
const UNSAFE_TEST_SCRYPT: ScryptParams = { logN: 10, r: 8, p: 1 };

export const idNew: Command = {
  words: ['id', 'new'],
  usage: 'id new [--force]',
  summary: "create an identity in this home's key file",
  positionals: [],
  options: { force: { type: 'boolean' } },
  flagHelp: [['--force', 'replace an existing identity (deletes the chats on this device)']],
  async run(ctx) {
    const { io, out, home, args } = ctx;
    await refuseToReplace(ctx);
    const passphrase = await readPassphrase(io, {
      file: args.string('passphrase-file'),
      purpose: 'new',
      label: home.keyFile,
    });
    const unsafe = io.env.PARLEY_UNSAFE_FAST_KDF === '1';
    if (unsafe) {
      out.warning(
        'PARLEY_UNSAFE_FAST_KDF',
        'this key file uses cheap scrypt parameters (N = 2^10) and is easy to brute-force; for tests only',
      );
    }
    const identity = await generateIdentity(createCryptoSuite(globalThis.crypto.subtle), io.random);
    const bytes = await exportKeyFile({
      identity,
      passphrase,
      random: io.random,
      ...(unsafe ? { scrypt: UNSAFE_TEST_SCRYPT } : {}),
    });
    await installKeyFile(ctx, bytes, identity.accountId);
    out.result({ accountId: identity.accountId, keyFile: home.keyFile }, identity.accountId);
    out.notice(`Key file: ${home.keyFile} (it and its passphrase are your account: keep both)`);
  },
};

export const idShow: Command = {
  words: ['id', 'show'],
  usage: 'id show',
  summary: "print this home's account id",
  positionals: [],
  options: {},
  async run(ctx) {
    if (!(await hasIdentity(ctx.home))) throw new CliError('CLI_NO_IDENTITY', `(${ctx.home.dir})`);
    const config = await readConfig(ctx.home);
    let accountId = config.accountId;
    if (accountId === undefined) {
      // A key file put in place by hand: unlock it once and remember its account id.
      accountId = (await unlockIdentity(ctx)).accountId;
      await writeConfig(ctx.home, { ...config, accountId });
    }
    ctx.out.result({ accountId }, accountId);
  },
};

export const idExport: Command = {
  words: ['id', 'export'],
  usage: 'id export --out FILE [--force]',
  summary: 'copy the encrypted key file elsewhere',
  positionals: [],
  options: { out: { type: 'string' }, force: { type: 'boolean' } },
  flagHelp: [
    ['--out FILE', 'where to write the copy (mode 0600)'],
    ['--force', 'overwrite FILE'],
  ],
  async run(ctx) {
    const target = ctx.args.string('out');
    if (target === undefined) throw new CliError('CLI_USAGE', '(--out FILE is required)');
    const path = resolve(target);
    const bytes = await readKeyFile(ctx.home);
    if (ctx.args.flag('force')) await writeFile(path, bytes, { mode: 0o600 });
    else await writeNewFile(path, bytes);
    ctx.out.result({ file: path }, `Key file copied to ${path}`);
  },
};

export const idImport: Command = {
  words: ['id', 'import'],
  usage: 'id import FILE [--force]',
  summary: 'use an exported key file in this home',
  positionals: ['FILE'],
  options: { force: { type: 'boolean' } },
  flagHelp: [['--force', 'replace an existing identity (deletes the chats on this device)']],
  async run(ctx) {
    const file = resolve(ctx.args.positional(0));
    await refuseToReplace(ctx);
    const bytes = new Uint8Array(await readUserFile(file));
    const passphrase = await readPassphrase(ctx.io, {
      file: ctx.args.string('passphrase-file'),
      purpose: 'unlock',
      label: file,
    });
    const identity = await importKeyFile(
      createCryptoSuite(globalThis.crypto.subtle),
      bytes,
      passphrase,
    );
    await installKeyFile(ctx, bytes, identity.accountId);
    ctx.out.result(
      { accountId: identity.accountId, keyFile: ctx.home.keyFile },
      identity.accountId,
    );
  },
};

async function refuseToReplace(ctx: CommandContext): Promise<void> {
  if ((await hasIdentity(ctx.home)) && !ctx.args.flag('force')) {
    throw new CliError('CLI_IDENTITY_EXISTS', `(${ctx.home.keyFile})`);
  }
}

/** Writes the key file; the device state of a replaced identity goes with it. */
async function installKeyFile(
  ctx: CommandContext,
  bytes: Uint8Array,
  accountId: string,
): Promise<void> {
  await preparePrivateFiles(ctx.home);
  const lock = new HomeLock(ctx.home.lockFile, ctx.io.clock);
  await lock.acquire();
  try {
    const config: HomeConfig = await readConfig(ctx.home).catch(() => ({}));
    // The store holds the device keys and chats of whoever the key file named before: they
    // cannot serve another account.
    await removeDeviceState(ctx.home);
    await writeKeyFile(ctx.home, bytes);
    await writeConfig(ctx.home, {
      ...(config.relayUrl === undefined ? {} : { relayUrl: config.relayUrl }),
      accountId,
    });
  } finally {
    lock.close();
  }
}
