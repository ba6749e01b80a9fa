/**
 * `parley verify`, `parley export`, `parley verify --file` and `parley audit` as separate
 * processes against a real relay (the hostile cases live in packages/client/test/e2e/hostile).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeTranscript, encodeTranscript } from '@parley/core';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRelays, makeTempDir, startRelay } from '@parley/test-support/relay-process';
import { killClis, runCli } from '@parley/test-support/cli-process';

afterAll(async () => {
  killClis();
  await cleanupRelays();
});

async function person(dir: string, name: string, relayUrl: string): Promise<string[]> {
  await writeFile(join(dir, `${name}.pass`), `${name}'s passphrase\n`);
  const args = ['--home', join(dir, name), '--passphrase-file', join(dir, `${name}.pass`)];
  expect((await runCli([...args, 'id', 'new'], { cwd: dir })).code).toBe(0);
  expect((await runCli([...args, 'register', '--relay', relayUrl], { cwd: dir })).code).toBe(0);
  return args;
}

async function idOf(dir: string, name: string): Promise<string> {
  return (await runCli(['--home', join(dir, name), 'id', 'show'], { cwd: dir })).stdout.trim();
}

describe('parley verify and export', () => {
  it('verifies a chat, exports it, checks the file offline, and refuses a damaged file with exit 5', async () => {
    const relay = await startRelay();
    const dir = await makeTempDir('parley-cli-history-');
    const alice = await person(dir, 'alice', relay.url);
    const bob = await person(dir, 'bob', relay.url);
    const chat = (
      await runCli([...alice, 'chat', 'new', '--with', await idOf(dir, 'bob')], { cwd: dir })
    ).stdout.trim();
    expect((await runCli([...alice, 'send', chat, 'one'], { cwd: dir })).code).toBe(0);
    expect((await runCli([...bob, 'send', chat, 'two'], { cwd: dir })).code).toBe(0);

    const verified = await runCli([...alice, 'verify', chat, '--json'], { cwd: dir });
    expect(verified.code).toBe(0);
    const report = JSON.parse(verified.stdout) as {
      ok: boolean;
      entries: number;
      problems: unknown[];
      log: { checkpoint: { size: number } | null };
    };
    expect(report).toMatchObject({ ok: true, entries: 2, problems: [] });

    const file = join(dir, 'chat.transcript');
    expect((await runCli([...alice, 'export', chat, '--out', file], { cwd: dir })).code).toBe(0);
    // Checking the file needs no home, no passphrase and no relay.
    await relay.stop();
    const offline = await runCli(['verify', '--file', file, '--json'], { cwd: dir });
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ ok: true, entries: 2 });
    // Exporting again never overwrites.
    const again = await runCli([...alice, 'export', chat, '--out', file], { cwd: dir });
    expect(again.code).not.toBe(0);

    const bytes = await readFile(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x20;
    const damaged = join(dir, 'damaged.transcript');
    await writeFile(damaged, bytes);
    const refused = await runCli(['verify', '--file', damaged], { cwd: dir });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('CLI_VERIFY_FAILED');
    expect(refused.stderr).not.toMatch(/^\s+at /m);

    // The same entries with entries 0 and 1 swapped: every signature holds, the order does not.
    const transcript = decodeTranscript(await readFile(file));
    const [one, two, ...rest] = transcript.entries;
    if (one === undefined || two === undefined) throw new Error('the transcript has no 2 entries');
    const reordered = join(dir, 'reordered.transcript');
    await writeFile(reordered, encodeTranscript({ ...transcript, entries: [two, one, ...rest] }));
    const swapped = await runCli(['verify', '--file', reordered], { cwd: dir });
    expect(swapped.code).toBe(5);
    expect(swapped.stderr).toContain('CLI_VERIFY_FAILED');
    expect(swapped.stdout).toMatch(
      /PROBLEM entries out of causal order: entry 0 .* is listed before entry 1 /,
    );
    const swappedJson = await runCli(['verify', '--file', reordered, '--json'], { cwd: dir });
    expect(JSON.parse(swappedJson.stdout)).toMatchObject({
      ok: false,
      entries: 2,
      problems: [{ kind: 'out-of-causal-order', index: 0, dependencyIndex: 1 }],
    });

    const usage = await runCli(['verify'], { cwd: dir });
    expect(usage.code).toBe(2);
  }, 120_000);
});

describe('parley audit', () => {
  it('trusts the relay on first contact, then verifies consistency from the stored checkpoint', async () => {
    const relay = await startRelay();
    const dir = await makeTempDir('parley-cli-audit-');
    const home = ['--home', join(dir, 'auditor')];
    const first = await runCli([...home, 'audit', relay.url, '--json'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, consistency: 'first-contact' });

    const alice = await person(dir, 'alice', relay.url);
    await person(dir, 'bob', relay.url);
    const chat = (
      await runCli([...alice, 'chat', 'new', '--with', await idOf(dir, 'bob')], { cwd: dir })
    ).stdout.trim();
    expect((await runCli([...alice, 'send', chat, 'hello'], { cwd: dir })).code).toBe(0);
    // Registrations and envelopes are leaves: wait for a checkpoint that covers them.
    let second: { ok: boolean; consistency: string; size: number; samples: unknown[] } | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      const result = await runCli([...home, 'audit', relay.url, '--json', '--samples', '4'], {
        cwd: dir,
      });
      expect(result.code).toBe(0);
      second = JSON.parse(result.stdout) as typeof second;
      if (second !== undefined && second.size >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(second).toMatchObject({ ok: true, consistency: 'verified' });
    expect(second?.samples).toHaveLength(4);
    const human = await runCli([...home, 'audit', relay.url], { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/OK\n$/);
    expect(await readdir(join(dir, 'auditor', 'audit'))).toHaveLength(1);
  }, 120_000);

  it('exits 4 when the relay cannot be reached and 2 for a bad URL', async () => {
    const dir = await makeTempDir('parley-cli-audit-');
    const home = ['--home', join(dir, 'auditor')];
    const down = await runCli([...home, 'audit', 'http://127.0.0.1:9'], { cwd: dir });
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('CLIENT_RELAY_UNREACHABLE');
    expect((await runCli([...home, 'audit', 'not a url'], { cwd: dir })).code).toBe(2);
  });
});
