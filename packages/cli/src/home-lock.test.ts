import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HomeLock } from './home-lock.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function lockPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-lock-'));
  dirs.push(dir);
  return join(dir, 'home.lock');
}

describe('HomeLock', () => {
  it('lets a second holder in only after the first releases', async () => {
    const path = await lockPath();
    const first = new HomeLock(path, () => Date.now());
    const second = new HomeLock(path, () => Date.now());
    await first.acquire();
    let secondHolds = false;
    const waiting = second.acquire().then(() => (secondHolds = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(secondHolds).toBe(false);
    first.release();
    await waiting;
    expect(second.isHeld).toBe(true);
    first.close();
    second.close();
  });

  it('is re-entrant in one process, and concurrent acquires share one attempt', async () => {
    const lock = new HomeLock(await lockPath(), () => Date.now());
    await Promise.all([lock.acquire(), lock.acquire(), lock.acquire()]);
    await lock.acquire();
    expect(lock.isHeld).toBe(true);
    lock.close();
    expect(lock.isHeld).toBe(false);
  });

  it('gives up with CLI_HOME_BUSY once its time is over', async () => {
    const path = await lockPath();
    const holder = new HomeLock(path, () => Date.now());
    await holder.acquire();
    let now = 0;
    const waiter = new HomeLock(path, () => (now += 1_000), 5_000);
    await expect(waiter.acquire()).rejects.toMatchObject({ code: 'CLI_HOME_BUSY' });
    holder.close();
    waiter.close();
  });
});
