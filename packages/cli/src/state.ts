/**
 * The state directory of one account on this device (~/.parley, --home or PARLEY_HOME):
 * identity.key (the passphrase-encrypted key file, 0600), config.json (relay URL and account id),
 * client.db (the SDK's SQLite store, its secrets sealed under a key derived from identity.key)
 * and home.lock (the lock that keeps two commands apart). The directory is 0700 and every file
 * 0600, whatever the umask or the modes an older version left.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliError } from './errors.js';

/** The files of one state directory. */
export interface Home {
  readonly dir: string;
  readonly keyFile: string;
  readonly configFile: string;
  readonly dbFile: string;
  readonly lockFile: string;
}

/** What config.json holds. */
export interface HomeConfig {
  readonly relayUrl?: string;
  /** The account id of identity.key, so `parley id show` needs no passphrase. */
  readonly accountId?: string;
}

/** The state directory: `--home`, else PARLEY_HOME, else ~/.parley. */
export function resolveHome(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): Home {
  const fromEnv = env.PARLEY_HOME === '' ? undefined : env.PARLEY_HOME;
  const dir = resolve(flag ?? fromEnv ?? join(homeDir, '.parley'));
  return {
    dir,
    keyFile: join(dir, 'identity.key'),
    configFile: join(dir, 'config.json'),
    dbFile: join(dir, 'client.db'),
    lockFile: join(dir, 'home.lock'),
  };
}

/** Creates the state directory if it does not exist, and makes it 0700 if it does. */
async function ensureHome(home: Home): Promise<void> {
  await mkdir(home.dir, { recursive: true, mode: 0o700 });
  await chmod(home.dir, 0o700);
}

/**
 * Creates the home (0700) and, empty, the files SQLite will open (0600), and sets 0600 on those
 * that exist: client.db holds this device's keys and MLS state (sealed, but nobody else needs to
 * read even that), and SQLite gives its -wal and -shm files the mode of the database.
 */
export async function preparePrivateFiles(home: Home): Promise<void> {
  await ensureHome(home);
  for (const path of [home.dbFile, home.lockFile]) {
    await writeFile(path, '', { flag: 'a', mode: 0o600 });
    await chmod(path, 0o600);
  }
  for (const path of [home.keyFile, home.configFile]) {
    try {
      await chmod(path, 0o600);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
}

/**
 * Reads config.json; an absent file is an empty config.
 * @throws CliError CLI_CONFIG_INVALID
 */
export async function readConfig(home: Home): Promise<HomeConfig> {
  let text: string;
  try {
    text = await readFile(home.configFile, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return {};
    throw new CliError('CLI_CONFIG_INVALID', `(${home.configFile}: ${errnoText(error)})`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CliError('CLI_CONFIG_INVALID', `(${home.configFile} is not JSON)`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError('CLI_CONFIG_INVALID', `(${home.configFile} is not a JSON object)`);
  }
  const { relayUrl, accountId } = parsed as Record<string, unknown>;
  if (
    (relayUrl !== undefined && typeof relayUrl !== 'string') ||
    (accountId !== undefined && typeof accountId !== 'string')
  ) {
    throw new CliError(
      'CLI_CONFIG_INVALID',
      `(${home.configFile}: relayUrl and accountId are strings)`,
    );
  }
  return {
    ...(relayUrl === undefined ? {} : { relayUrl }),
    ...(accountId === undefined ? {} : { accountId }),
  };
}

/** Replaces config.json atomically. */
export async function writeConfig(home: Home, config: HomeConfig): Promise<void> {
  await ensureHome(home);
  await writeAtomically(home.configFile, `${JSON.stringify(config, null, 2)}\n`, 0o600);
}

/** True if the home holds a key file. */
export async function hasIdentity(home: Home): Promise<boolean> {
  try {
    await stat(home.keyFile);
    return true;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    return true;
  }
}

/**
 * The key file's bytes.
 * @throws CliError CLI_NO_IDENTITY | CLI_KEYFILE_UNREADABLE
 */
export async function readKeyFile(home: Home): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(home.keyFile));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) throw new CliError('CLI_NO_IDENTITY', `(${home.dir})`);
    throw new CliError('CLI_KEYFILE_UNREADABLE', `(${home.keyFile}: ${errnoText(error)})`, {
      cause: error,
    });
  }
}

/** Writes the key file atomically with mode 0600. */
export async function writeKeyFile(home: Home, bytes: Uint8Array): Promise<void> {
  await ensureHome(home);
  await writeAtomically(home.keyFile, bytes, 0o600);
}

/** Deletes this device's SDK store (chats, device keys), as replacing the identity requires. */
export async function removeDeviceState(home: Home): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    await rm(`${home.dbFile}${suffix}`, { force: true });
  }
}

/**
 * Writes `data` to a new file at `path` (mode 0600), failing if it exists.
 * @throws CliError CLI_FILE_EXISTS
 */
export async function writeNewFile(path: string, data: Uint8Array): Promise<void> {
  try {
    await writeFile(path, data, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (isErrno(error, 'EEXIST')) throw new CliError('CLI_FILE_EXISTS', `(${path})`);
    throw error;
  }
}

/**
 * Reads a file named on the command line.
 * @throws CliError CLI_FILE_UNREADABLE
 */
export async function readUserFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError('CLI_FILE_UNREADABLE', `(${path}: ${errnoText(error)})`, { cause: error });
  }
}

async function writeAtomically(path: string, data: string | Uint8Array, mode: number) {
  // Write beside, then rename: a crash leaves the old file or the new one, never half of one.
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, data, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

function errnoText(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String(error.code);
  return error instanceof Error ? error.message : String(error);
}
