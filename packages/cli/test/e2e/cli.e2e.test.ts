import { chmod, copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupRelays,
  makeTempDir,
  startRelay,
  type RelayProcess,
} from '@parley/test-support/relay-process';
import { killClis, runCli, startCli, type CliResult } from '@parley/test-support/cli-process';
import { readWalkthrough, runWalkthrough } from './support/walkthrough.js';

afterAll(async () => {
  killClis();
  await cleanupRelays();
});

/** A person with a home and a passphrase file in `dir`. */
interface Person {
  readonly args: readonly string[];
  readonly accountId: string;
}

async function newPerson(dir: string, name: string, relay: RelayProcess): Promise<Person> {
  await writeFile(join(dir, `${name}.pass`), `${name}'s passphrase\n`);
  const args = ['--home', join(dir, name), '--passphrase-file', join(dir, `${name}.pass`)];
  const created = await runCli([...args, 'id', 'new', '--json'], { cwd: dir });
  expect(created.code).toBe(0);
  const { accountId } = JSON.parse(created.stdout) as { accountId: string };
  expect((await runCli([...args, 'register', '--relay', relay.url], { cwd: dir })).code).toBe(0);
  return { args, accountId };
}

function expectFailure(result: CliResult, exitCode: number, code: string): void {
  expect({ exitCode: result.code, stderr: result.stderr }).toMatchObject({
    exitCode,
    stderr: expect.stringContaining(code) as unknown,
  });
  // People get the code and plain words, never a stack trace.
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('the README walkthrough: three people, one relay', () => {
  it('runs every line as written: carol sees only what follows her add, bob nothing after his removal', async () => {
    const relay = await startRelay();
    const cwd = await makeTempDir('parley-cli-e2e-');
    const lines = await readWalkthrough();
    expect(lines.length).toBeGreaterThan(10);
    const steps = await runWalkthrough(lines, cwd, relay.url);
    // Each person ran `id new` and `register`; the checks in the block's comments all held.
    expect(steps.filter((step) => / id new$/.test(step.line))).toHaveLength(3);
    expect(steps.filter((step) => step.line.includes(' register '))).toHaveLength(3);
  }, 120_000);
});

describe('read --follow', () => {
  it('prints messages as they arrive, including those sent by this home elsewhere, and exits 0 on SIGINT', async () => {
    const relay = await startRelay();
    const dir = await makeTempDir('parley-cli-e2e-');
    const alice = await newPerson(dir, 'alice', relay);
    const bob = await newPerson(dir, 'bob', relay);
    const opened = await runCli([...alice.args, 'chat', 'new', '--with', bob.accountId], {
      cwd: dir,
    });
    expect(opened.code).toBe(0);
    const chatId = opened.stdout.trim();

    const follower = startCli([...bob.args, 'read', chatId, '--follow'], { cwd: dir });
    await follower.waitFor((_, stderr) => stderr.includes('Following'));
    expect(
      (await runCli([...alice.args, 'send', chatId, 'are you there?'], { cwd: dir })).code,
    ).toBe(0);
    await follower.waitFor((stdout) => stdout.includes('are you there?'));
    // Bob answers from a second terminal on the same home while the first one follows.
    expect((await runCli([...bob.args, 'send', chatId, 'right here'], { cwd: dir })).code).toBe(0);
    await follower.waitFor((stdout) => stdout.includes('right here'));

    const ended = await follower.stop('SIGINT');
    expect(ended.code).toBe(0);
    const lines = ended.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}bciq\S+ +are you there\?$/);
    expect(lines[1]).toMatch(/ {2}you +right here$/);
  }, 60_000);
});

describe('a home other local users can list', () => {
  it('makes an existing 0755 home 0700 and its files 0600 under umask 022, with client.db sealed', async () => {
    const relay = await startRelay();
    const dir = await makeTempDir('parley-cli-e2e-');
    const previous = process.umask(0o022);
    try {
      await mkdir(join(dir, 'alice'), { mode: 0o755 });
      await chmod(join(dir, 'alice'), 0o755);
      const alice = await newPerson(dir, 'alice', relay);
      const bob = await newPerson(dir, 'bob', relay);
      const opened = await runCli([...alice.args, 'chat', 'new', '--with', bob.accountId], {
        cwd: dir,
      });
      expect(opened.code).toBe(0);
      const chatId = opened.stdout.trim();
      const sent = await runCli([...alice.args, 'send', chatId, 'the vault code is 4417'], {
        cwd: dir,
      });
      expect(sent.code).toBe(0);

      const home = join(dir, 'alice');
      expect((await stat(home)).mode & 0o777).toBe(0o700);
      const files = await readdir(home);
      expect(files).toEqual(expect.arrayContaining(['client.db', 'identity.key', 'home.lock']));
      const modes = await Promise.all(
        files.map(async (file) => [file, (await stat(join(home, file))).mode & 0o777] as const),
      );
      expect(modes.filter(([, mode]) => mode !== 0o600)).toEqual([]);
      const bytes = Buffer.concat(
        await Promise.all(
          files.filter((file) => file.startsWith('client.db')).map((f) => readFile(join(home, f))),
        ),
      );
      expect(bytes.includes(Buffer.from('vault code'))).toBe(false);

      // Bob's sealed store under Alice's identity: refused by name, never read as garbage.
      await copyFile(join(dir, 'bob', 'client.db'), join(home, 'client.db'));
      expectFailure(
        await runCli([...alice.args, 'chats'], { cwd: dir }),
        1,
        'CLIENT_STORE_KEY_WRONG',
      );
    } finally {
      process.umask(previous);
    }
  });
});

describe('exit codes and errors', () => {
  let relay: RelayProcess;
  let dir: string;
  let alice: Person;

  beforeAll(async () => {
    relay = await startRelay();
    dir = await makeTempDir('parley-cli-e2e-');
    alice = await newPerson(dir, 'alice', relay);
  });

  it('prints the account id as JSON with --json and without a passphrase', async () => {
    const shown = await runCli(['--home', join(dir, 'alice'), 'id', 'show', '--json'], {
      cwd: dir,
    });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({ accountId: alice.accountId });
  });

  it('exits 3 with CORE_KEYFILE_WRONG_PASSPHRASE for a wrong passphrase', async () => {
    await writeFile(join(dir, 'wrong.pass'), 'not it\n');
    const result = await runCli(
      ['--home', join(dir, 'alice'), '--passphrase-file', join(dir, 'wrong.pass'), 'chats'],
      { cwd: dir },
    );
    expectFailure(result, 3, 'CORE_KEYFILE_WRONG_PASSPHRASE');
  });

  it('exits 3 with CORE_KEYFILE_MALFORMED for a damaged key file', async () => {
    const other = await newPerson(dir, 'damaged', relay);
    await writeFile(join(dir, 'damaged', 'identity.key'), 'not a key file');
    expectFailure(
      await runCli([...other.args, 'chats'], { cwd: dir }),
      3,
      'CORE_KEYFILE_MALFORMED',
    );
  });

  it('exits 1 with CLIENT_CHAT_NOT_FOUND for a chat this account does not have', async () => {
    const result = await runCli([...alice.args, 'send', 'bm90LWEtY2hhdA', 'hello'], { cwd: dir });
    expectFailure(result, 1, 'CLIENT_CHAT_NOT_FOUND');
  });

  it('exits 1 with CLIENT_NOT_REGISTERED when inviting an account the relay does not know', async () => {
    const stranger = await runCli(
      ['--home', join(dir, 'stranger'), '--passphrase-file', join(dir, 'alice.pass'), 'id', 'new'],
      { cwd: dir },
    );
    expect(stranger.code).toBe(0);
    const result = await runCli([...alice.args, 'chat', 'new', '--with', stranger.stdout.trim()], {
      cwd: dir,
    });
    expectFailure(result, 1, 'CLIENT_NOT_REGISTERED');
  });

  it('exits 2 on usage errors, naming CLI_USAGE or the bad account id', async () => {
    const run = (...args: string[]) => runCli([...alice.args, ...args], { cwd: dir });
    expectFailure(await run('frobnicate'), 2, 'CLI_USAGE');
    expectFailure(await run('send'), 2, 'CLI_USAGE');
    expectFailure(await run('read', 'chat', '--limit', 'many'), 2, 'CLI_USAGE');
    expectFailure(await run('read', 'chat', '--bogus'), 2, 'CLI_USAGE');
    expectFailure(
      await run('group', 'add', 'chat', 'not-an-account'),
      2,
      'CORE_ACCOUNT_ID_INVALID',
    );
    const json = await run('read', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'CLI_USAGE', exitCode: 2 } });
  });

  it('exits 2 on configuration errors: no identity, an existing identity, no passphrase source', async () => {
    const empty = ['--home', join(dir, 'empty')];
    expectFailure(await runCli([...empty, 'chats'], { cwd: dir }), 2, 'CLI_NO_IDENTITY');
    expectFailure(
      await runCli([...alice.args, 'id', 'new'], { cwd: dir }),
      2,
      'CLI_IDENTITY_EXISTS',
    );
    // No --passphrase-file, no PARLEY_PASSPHRASE, and stdin is not a terminal: no prompt.
    expectFailure(
      await runCli(['--home', join(dir, 'alice'), 'chats'], { cwd: dir }),
      2,
      'CLI_PASSPHRASE_REQUIRED',
    );
  });

  it('exits 4 with CLIENT_RELAY_UNREACHABLE when the relay is down', async () => {
    const own = await startRelay();
    const dave = await newPerson(dir, 'dave', own);
    await own.stop();
    expectFailure(
      await runCli([...dave.args, 'chats'], { cwd: dir }),
      4,
      'CLIENT_RELAY_UNREACHABLE',
    );
  });
});
