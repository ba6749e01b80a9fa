/**
 * The relay's files are owner-only (docs/operators.md §Files) against a real relay process started
 * under umask 022 in a data directory made by hand as 0755: the directory becomes 0700 and
 * relay.db, its -wal and -shm files and relay-key.json are 0600 (the blob directory 0700), also
 * after files were loosened between two runs; a data directory that cannot be made private is
 * refused with a code.
 */
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeEnvelope, newSession, publish, randomTopic } from '@parley/test-support/relay-api';
import {
  cleanupRelays,
  makeTempDir,
  runRelayCommand,
  startRelay,
} from '@parley/test-support/relay-process';

afterAll(cleanupRelays);

const UMASK = 0o022;

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
}

/** Every entry of the data directory with its mode, and the directory's own. */
function modes(dataDir: string): Record<string, string> {
  const result: Record<string, string> = { '.': modeOf(dataDir) };
  for (const name of readdirSync(dataDir)) result[name] = modeOf(join(dataDir, name));
  return result;
}

function expectPrivate(dataDir: string): void {
  const found = modes(dataDir);
  expect(found['.']).toBe('0700');
  for (const name of ['relay.db', 'relay.db-wal', 'relay.db-shm', 'relay-key.json']) {
    expect(found[name], `${name} in ${JSON.stringify(found)}`).toBe('0600');
  }
  expect(found.blobs, 'the blob store directory').toBe('0700');
  for (const [name, mode] of Object.entries(found)) {
    if (name === '.') continue;
    const isDirectory = statSync(join(dataDir, name)).isDirectory();
    expect(mode, name).toBe(isDirectory ? '0700' : '0600');
  }
}

describe('relay files under umask 022 in a pre-existing 0755 data directory', () => {
  it('tightens the directory to 0700 and creates every file 0600', async () => {
    const dataDir = await makeTempDir();
    chmodSync(dataDir, 0o755);
    const relay = await startRelay({ dataDir, umask: UMASK });
    const session = await newSession(relay.url);
    await publish(relay.url, session.token, makeEnvelope(randomTopic()).bytes);
    expectPrivate(dataDir);
    await relay.stop();
  });

  it('sets files loosened to 0644 between two runs back to 0600', async () => {
    const dataDir = await makeTempDir();
    const first = await startRelay({ dataDir, umask: UMASK });
    const session = await newSession(first.url);
    await publish(first.url, session.token, makeEnvelope(randomTopic()).bytes);
    // SIGKILL keeps the -wal and -shm files on disk, as a crash does.
    await first.kill9();
    chmodSync(dataDir, 0o755);
    for (const name of readdirSync(dataDir)) {
      const path = join(dataDir, name);
      chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
    }
    expect(modeOf(join(dataDir, 'relay.db-wal'))).toBe('0644');
    const second = await startRelay({ dataDir, umask: UMASK });
    expectPrivate(dataDir);
    await second.stop();
  });

  it('creates a fresh data directory 0700 with `invite` too', async () => {
    const dataDir = join(await makeTempDir(), 'new', 'data');
    const result = await runRelayCommand(['invite', '--data-dir', dataDir], 10_000, UMASK);
    expect(result.code, result.stderr).toBe(0);
    expect(modeOf(dataDir)).toBe('0700');
    expect(modeOf(join(dataDir, 'relay.db'))).toBe('0600');
  });

  it('refuses a data directory that is not a directory with RELAY_DATA_DIR_INSECURE', async () => {
    const path = join(await makeTempDir(), 'a-file');
    writeFileSync(path, '');
    const result = await runRelayCommand(['start', '--port', '0', '--data-dir', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^RELAY_DATA_DIR_INSECURE: /);
  });
});
