/**
 * `parley reply|react|edit|delete` and what `parley read` shows of them: the quoted message, the
 * reactions, "(edited)", "message deleted"; and a refused edit of another account's message.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupRelays,
  makeTempDir,
  startRelay,
  type RelayProcess,
} from '@parley/test-support/relay-process';
import { killClis, runCli } from '@parley/test-support/cli-process';

afterAll(async () => {
  killClis();
  await cleanupRelays();
});

async function newPerson(dir: string, name: string, relay: RelayProcess) {
  await writeFile(join(dir, `${name}.pass`), `${name}'s passphrase\n`);
  const args = ['--home', join(dir, name), '--passphrase-file', join(dir, `${name}.pass`)];
  const created = await runCli([...args, 'id', 'new', '--json'], { cwd: dir });
  expect(created.code).toBe(0);
  const { accountId } = JSON.parse(created.stdout) as { accountId: string };
  expect((await runCli([...args, 'register', '--relay', relay.url], { cwd: dir })).code).toBe(0);
  return { args, accountId };
}

describe('parley reply, react, edit, delete', () => {
  it('acts on messages by id and shows the result in `parley read`', async () => {
    const relay = await startRelay();
    const dir = await makeTempDir('parley-cli-content-');
    const alice = await newPerson(dir, 'alice', relay);
    const bob = await newPerson(dir, 'bob', relay);
    const cli = async (person: { args: readonly string[] }, ...words: string[]) => {
      const result = await runCli([...person.args, ...words], { cwd: dir });
      return result;
    };
    const opened = await cli(alice, 'chat', 'new', '--with', bob.accountId);
    expect(opened.code).toBe(0);
    const chat = opened.stdout.trim();
    expect((await cli(alice, 'send', chat, 'lunch today?')).code).toBe(0);
    expect((await cli(alice, 'send', chat, 'at noom')).code).toBe(0);
    expect((await cli(alice, 'send', chat, 'never mind')).code).toBe(0);

    const read = await cli(bob, 'read', chat, '--ids');
    expect(read.stdout).toMatch(/^#1 {2}.* {2}lunch today\?$/m);
    const replied = await cli(bob, 'reply', chat, '#1', 'yes,', 'at one', '--json');
    expect(replied.code).toBe(0);
    expect(JSON.parse(replied.stdout)).toMatchObject({ type: 'reply', text: 'yes, at one' });
    expect((await cli(bob, 'react', chat, '1', '👍')).code).toBe(0);
    const refused = await cli(bob, 'edit', chat, '2', 'at noon');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('CLIENT_NOT_MESSAGE_AUTHOR');
    expect((await cli(bob, 'edit', chat, 'two', 'x')).code).toBe(2);

    expect((await cli(alice, 'edit', chat, '2', 'at noon')).code).toBe(0);
    expect((await cli(alice, 'delete', chat, '3')).code).toBe(0);
    const shown = await cli(bob, 'read', chat);
    const lines = shown.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/ {2}lunch today\? {2}\[👍 1\]$/);
    expect(lines[1]).toMatch(/ {2}at noon {2}\(edited\)$/);
    expect(lines[2]).toMatch(/ {2}message deleted$/);
    expect(lines[3]).toMatch(/ {2}you +↪ "lunch today\?": yes, at one$/);

    const unreacted = await cli(bob, 'react', chat, '1', '👍', '--remove', '--json');
    expect(JSON.parse(unreacted.stdout)).toMatchObject({ id: 1, reactions: {} });
  }, 120_000);
});
