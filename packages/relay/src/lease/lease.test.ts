/** The in-process lease: held once acquired, renewable while held, lost on release. */
import { describe, expect, it } from 'vitest';
import { createInProcessLease } from './lease.js';

describe('createInProcessLease', () => {
  it('is held after acquire, renews while held, and neither after release', async () => {
    const lease = createInProcessLease();
    expect(lease.isHeld()).toBe(false);
    expect(await lease.renew()).toBe(false);
    expect(await lease.acquire()).toBe(true);
    expect(lease.isHeld()).toBe(true);
    expect(await lease.renew()).toBe(true);
    await lease.release();
    expect(lease.isHeld()).toBe(false);
    expect(await lease.renew()).toBe(false);
  });
});
