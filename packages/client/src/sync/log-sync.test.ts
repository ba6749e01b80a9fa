/**
 * Log sync reports a receipt that does not verify and refreshes the log only when there is
 * something to check; an unreachable relay is no error (a fake log monitor).
 */
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import type { HeldCheckpoint } from '../log/checkpoints.js';
import type { Receipt } from '../relay/relay-api.js';
import { refreshLog, trackReceipt } from './log-sync.js';

const receipt: Receipt = {
  cid: 'bafy-receipt',
  topic: 'AQ',
  seq: 1,
  receivedAt: 0,
  leafIndex: 0,
  mergeBy: 0,
  signature: 'AA',
  duplicate: false,
};
const held = { note: 'note' } as HeldCheckpoint;

function reporter() {
  const reported: { chat: string | undefined; code: unknown }[] = [];
  const report = (chat: string | undefined, error: unknown) => {
    reported.push({ chat, code: error instanceof ClientError ? error.code : error });
  };
  return { reported, report };
}

describe('trackReceipt', () => {
  it('reports a receipt that does not verify', async () => {
    const { reported, report } = reporter();
    await trackReceipt({ trackReceipt: () => Promise.resolve(false) }, report, 'chat', receipt);
    expect(reported).toEqual([{ chat: 'chat', code: 'CLIENT_LOG_RECEIPT_INVALID' }]);
  });

  it('reports nothing for a receipt that verifies', async () => {
    const { reported, report } = reporter();
    await trackReceipt({ trackReceipt: () => Promise.resolve(true) }, report, 'chat', receipt);
    expect(reported).toEqual([]);
  });

  it('reports a failure to track instead of throwing it', async () => {
    const { reported, report } = reporter();
    const log = { trackReceipt: () => Promise.reject(new ClientError('CLIENT_LOG_KEY_MISMATCH')) };
    await trackReceipt(log, report, 'chat', receipt);
    expect(reported).toEqual([{ chat: 'chat', code: 'CLIENT_LOG_KEY_MISMATCH' }]);
  });
});

describe('refreshLog', () => {
  function log(pending: number, latest: HeldCheckpoint | undefined, failure?: Error) {
    let refreshes = 0;
    return {
      pendingCount: () => Promise.resolve(pending),
      latest: () => Promise.resolve(latest),
      refresh: () => {
        refreshes++;
        return failure === undefined ? Promise.resolve(latest) : Promise.reject(failure);
      },
      refreshes: () => refreshes,
    };
  }

  it('does not ask the relay when nothing is pending and a checkpoint is held', async () => {
    const monitor = log(0, held);
    await refreshLog(monitor, reporter().report);
    expect(monitor.refreshes()).toBe(0);
  });

  it('refreshes while envelopes wait for a checkpoint', async () => {
    const monitor = log(2, held);
    await refreshLog(monitor, reporter().report);
    expect(monitor.refreshes()).toBe(1);
  });

  it('refreshes while no checkpoint is held', async () => {
    const monitor = log(0, undefined);
    await refreshLog(monitor, reporter().report);
    expect(monitor.refreshes()).toBe(1);
  });

  it('stays quiet when the relay is unreachable but reports other failures', async () => {
    const { reported, report } = reporter();
    await refreshLog(log(1, held, new ClientError('CLIENT_RELAY_UNREACHABLE')), report);
    expect(reported).toEqual([]);
    await refreshLog(log(1, held, new ClientError('CLIENT_LOG_CHECKPOINT_INVALID')), report);
    expect(reported).toEqual([{ chat: undefined, code: 'CLIENT_LOG_CHECKPOINT_INVALID' }]);
  });
});
