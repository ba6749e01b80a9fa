/**
 * Owner-only files for the relay's data (docs/operators.md §Files): the data directory is 0700 and
 * every file in it 0600, whatever the process umask or the mode a file or directory already had.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  statSync,
} from 'node:fs';
import { RelayError } from '../errors.js';

/** Mode of every directory the relay creates or uses for its data. */
const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file the relay keeps in its data directory. */
export const PRIVATE_FILE_MODE = 0o600;

function insecure(detail: string, cause?: unknown): RelayError {
  return new RelayError(
    'RELAY_DATA_DIR_INSECURE',
    `(${detail})`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Creates `dir` (and its missing parents) as 0700, or tightens an existing directory of this
 * user to 0700 (a directory made by hand under umask 022 is 0755).
 * @throws RelayError RELAY_DATA_DIR_INSECURE if it is not a directory, belongs to another user, or
 *   its mode cannot be changed
 */
export function preparePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (cause) {
    throw insecure(`${dir} cannot be created`, cause);
  }
  const stats = statSync(dir);
  if (!stats.isDirectory()) throw insecure(`${dir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) throw insecure(`${dir} belongs to another user`);
  if ((stats.mode & 0o777) === PRIVATE_DIR_MODE) return;
  try {
    chmodSync(dir, PRIVATE_DIR_MODE);
  } catch (cause) {
    throw insecure(`the mode of ${dir} cannot be set to 0700`, cause);
  }
}

/**
 * Makes `path` an owner-only file: creates it empty as 0600 if missing (before SQLite or a key
 * writer opens it, so files derived from it — SQLite's -wal and -shm — are 0600 too), else sets
 * an existing file's mode to 0600.
 * @throws RelayError RELAY_DATA_DIR_INSECURE if the file cannot be created or its mode changed
 */
export function preparePrivateFile(path: string): void {
  try {
    const fd = openSync(path, 'a', PRIVATE_FILE_MODE);
    try {
      if ((fstatSync(fd).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(path, PRIVATE_FILE_MODE);
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    if (cause instanceof RelayError) throw cause;
    throw insecure(`${path} cannot be made owner-only`, cause);
  }
}

/**
 * Sets an existing file's mode to 0600; does nothing if it does not exist.
 * @throws RelayError RELAY_DATA_DIR_INSECURE if its mode cannot be changed
 */
export function tightenIfPresent(path: string): void {
  if (!existsSync(path)) return;
  try {
    if ((statSync(path).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(path, PRIVATE_FILE_MODE);
  } catch (cause) {
    throw insecure(`${path} cannot be made owner-only`, cause);
  }
}
