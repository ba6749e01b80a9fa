/**
 * A relay that rolls its log back (issue #5): after a client or an auditor verified a checkpoint,
 * it serves an older one. The SDK keeps the newer checkpoint and records both signed notes as
 * evidence; `parley audit` exits 5 and writes an evidence file. Against an honest relay the
 * auditor passes run after run, each new checkpoint proven consistent with the last.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killClis, runCli, type CliResult } from '@parley/test-support/cli-process';
import { makeEnvelope, newSession, publish, randomTopic } from '@parley/test-support/relay-api';
import { cleanupRelays, makeTempDir } from '@parley/test-support/relay-process';
import { cleanupClients, fullHistory, openClient, record } from '../support/clients.js';
import {
  checkpointBeyond,
  closeProxies,
  expectIntact,
  proxyFor,
  sendStored,
  signedByRelay,
  startFastRelay,
  waitFor,
} from './scenario.js';
import { messageText } from '../../../src/index.js';

afterEach(async () => {
  killClis();
  await cleanupClients();
  await closeProxies();
  await cleanupRelays();
});

/** What `parley audit --json` prints on stdout (packages/cli/src/commands/history.ts). */
interface AuditJson {
  readonly ok: boolean;
  readonly previousSize: number | null;
  readonly size: number;
  readonly consistency: 'first-contact' | 'same' | 'verified' | 'failed';
  readonly samples: readonly { index: number; cid: string; ok: boolean }[];
  readonly problems: readonly { kind: string; detail: string; notes: readonly string[] }[];
  readonly checkpoint: string;
}

/** Runs `parley audit URL --home HOME --json` and parses its report. */
async function audit(url: string, home: string): Promise<CliResult & { report: AuditJson }> {
  const result = await runCli(['audit', url, '--home', home, '--json'], { cwd: home });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  let report: AuditJson;
  try {
    report = JSON.parse(line) as AuditJson;
  } catch {
    throw new Error(
      `parley audit printed no JSON report (exit ${String(result.code)}):\n${result.stdout}${result.stderr}`,
    );
  }
  return { ...result, report };
}

/** Posts `count` envelopes on fresh topics as a fresh account; returns the last leaf index. */
async function postEnvelopes(relayUrl: string, count: number): Promise<number> {
  const session = await newSession(relayUrl);
  let last = -1;
  for (let i = 0; i < count; i++) {
    const receipt = await publish(relayUrl, session.token, makeEnvelope(randomTopic()).bytes);
    last = Math.max(last, (receipt as typeof receipt & { leafIndex: number }).leafIndex);
  }
  return last;
}

describe('a relay that serves a client an older checkpoint', () => {
  it('leaves the client on the newer one, with rollback evidence holding both signed notes', async () => {
    const relay = await startFastRelay();
    const proxy = await proxyFor(relay);
    const alice = await openClient({ relayUrl: proxy.url });
    const bob = await openClient({ relayUrl: relay.url });
    const group = await alice.client.chats.createGroup({
      name: 'rolled back',
      members: [bob.client.accountId],
    });
    const one = await sendStored(alice, group.id, 'one');
    const first = await waitFor(
      'Alice holds a checkpoint',
      () => alice.client.checkLog().catch(() => undefined),
      (held) => (held?.checkpoint.size ?? 0) > 0,
    );
    const firstSize = first?.checkpoint.size ?? 0;
    const two = await sendStored(alice, group.id, 'two');
    const three = await sendStored(alice, group.id, 'three');
    const later = await waitFor(
      `Alice holds a checkpoint of more than ${firstSize} leaves`,
      () => alice.client.checkLog(),
      (held) => (held?.checkpoint.size ?? 0) > firstSize,
    );
    expect(await alice.client.logEvidence()).toEqual([]);

    const evidence = record(alice.client, 'evidence');
    const old = await proxy.rollback(firstSize);
    expect(old).toBe(first?.note);
    const held = await alice.client.checkLog();
    expect(proxy.tampered.some((lie) => lie.kind === 'rollback')).toBe(true);
    // The client keeps the newer checkpoint…
    expect(held?.checkpoint.size).toBe(later?.checkpoint.size);
    expect(held?.note).toBe(later?.note);
    // …and files the two notes that prove the rollback.
    const rollbacks = evidence.filter((event) => event.evidence.kind === 'rollback');
    expect(rollbacks).toHaveLength(1);
    const [found] = rollbacks;
    expect(found?.evidence).toMatchObject({ kind: 'rollback', notes: [later?.note, old] });
    const notes = found?.evidence.kind === 'rollback' ? found.evidence.notes : ['', ''];
    const newer = await signedByRelay(relay.url, notes[0]);
    const older = await signedByRelay(relay.url, notes[1]);
    expect(newer.size).toBeGreaterThan(older.size);
    expect(older.size).toBe(firstSize);
    expect(
      (await alice.client.logEvidence()).filter((item) => item.kind === 'rollback'),
    ).toHaveLength(1);

    // The chat is untouched: Alice's messages as she sent them, Bob gets them once, in order.
    const sent = [one, two, three];
    const aliceHistory = await fullHistory(group);
    expect(aliceHistory.map((m) => [messageText(m), m.status])).toEqual([
      ['one', 'sent'],
      ['two', 'sent'],
      ['three', 'sent'],
    ]);
    expectIntact(aliceHistory, sent, ['one', 'two', 'three']);
    await bob.client.sync();
    const bobHistory = await fullHistory(await bob.client.chats.get(group.id));
    expect(bobHistory.map((m) => messageText(m))).toEqual(['one', 'two', 'three']);
    expectIntact(bobHistory, sent, ['one', 'two', 'three']);
  });
});

describe('parley audit', () => {
  it('passes against an honest relay run after run, each new checkpoint proven consistent', async () => {
    const relay = await startFastRelay();
    const home = await makeTempDir('parley-audit-');
    await checkpointBeyond(relay.url, await postEnvelopes(relay.url, 3));

    const first = await audit(relay.url, home);
    expect(first.code, first.stderr).toBe(0);
    expect(first.report).toMatchObject({ ok: true, consistency: 'first-contact', problems: [] });

    await checkpointBeyond(relay.url, await postEnvelopes(relay.url, 3));
    const second = await audit(relay.url, home);
    expect(second.code, second.stderr).toBe(0);
    expect(second.report).toMatchObject({
      ok: true,
      consistency: 'verified',
      previousSize: first.report.size,
      problems: [],
    });
    expect(second.report.size).toBeGreaterThan(first.report.size);

    await checkpointBeyond(relay.url, await postEnvelopes(relay.url, 3));
    const third = await audit(relay.url, home);
    expect(third.code, third.stderr).toBe(0);
    expect(third.report).toMatchObject({
      ok: true,
      consistency: 'verified',
      previousSize: second.report.size,
    });
    expect(third.report.size).toBeGreaterThan(second.report.size);
    for (const run of [first, second, third]) {
      expect(run.report.samples.length).toBeGreaterThan(0);
      expect(run.report.samples.every((sample) => sample.ok)).toBe(true);
    }
    expect((await readdir(join(home, 'audit'))).filter((f) => f.startsWith('evidence-'))).toEqual(
      [],
    );
  });

  it('exits 5 with a rollback report and an evidence file when the relay serves an older checkpoint', async () => {
    const relay = await startFastRelay();
    const proxy = await proxyFor(relay);
    const home = await makeTempDir('parley-audit-');
    await checkpointBeyond(relay.url, await postEnvelopes(relay.url, 3));

    const honest = await audit(proxy.url, home);
    expect(honest.code, honest.stderr).toBe(0);
    expect(honest.report.ok).toBe(true);

    await checkpointBeyond(relay.url, await postEnvelopes(relay.url, 3));
    const newer = await audit(proxy.url, home);
    expect(newer.code, newer.stderr).toBe(0);
    expect(newer.report).toMatchObject({ ok: true, consistency: 'verified' });
    expect(newer.report.size).toBeGreaterThan(honest.report.size);

    const old = await proxy.rollback(honest.report.size);
    const rolledBack = await audit(proxy.url, home);
    expect(rolledBack.code).toBe(5);
    expect(rolledBack.stderr).toContain('CLI_AUDIT_FAILED');
    expect(rolledBack.report).toMatchObject({ ok: false, consistency: 'failed' });
    expect(rolledBack.report.problems.map((problem) => problem.kind)).toEqual(['rollback']);
    const [problem] = rolledBack.report.problems;
    expect(problem?.notes).toEqual([newer.report.checkpoint, old]);
    expect((await signedByRelay(relay.url, problem?.notes[0] ?? '')).size).toBe(newer.report.size);
    expect((await signedByRelay(relay.url, problem?.notes[1] ?? '')).size).toBe(honest.report.size);

    const files = (await readdir(join(home, 'audit'))).filter((f) => f.startsWith('evidence-'));
    expect(files).toHaveLength(1);
    const saved = JSON.parse(
      await readFile(join(home, 'audit', files[0] ?? ''), 'utf8'),
    ) as AuditJson;
    expect(saved.problems).toEqual(rolledBack.report.problems);

    // The auditor kept the last good checkpoint: once the relay is honest again, it checks out.
    proxy.honest();
    const again = await audit(proxy.url, home);
    expect(again.code, again.stderr).toBe(0);
    expect(again.report).toMatchObject({
      ok: true,
      previousSize: newer.report.size,
    });
    expect(['same', 'verified']).toContain(again.report.consistency);
  });
});
