/** Leave requests kept in the store until acted on: merged per account, listed per chat. */
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { PendingRemovals } from './pending-removals.js';

describe('PendingRemovals', () => {
  it('merges the leaves of repeated requests of one account', async () => {
    const removals = new PendingRemovals(openMemoryClientStore());
    await removals.add('chat', 'carol', ['bb']);
    await removals.add('chat', 'carol', ['aa', 'bb']);
    expect(await removals.of('chat')).toEqual([
      { account: 'carol', leaves: new Set(['aa', 'bb']) },
    ]);
  });

  it('lists only the requests of the chat asked for, in account order', async () => {
    const removals = new PendingRemovals(openMemoryClientStore());
    await removals.add('chat', 'dave', ['d1']);
    await removals.add('chat', 'carol', ['c1']);
    await removals.add('chat-2', 'erin', ['e1']);
    expect((await removals.of('chat')).map((r) => r.account)).toEqual(['carol', 'dave']);
    expect((await removals.of('chat-2')).map((r) => r.account)).toEqual(['erin']);
  });

  it('survives a restart: a new instance on the same store sees the requests', async () => {
    const store = openMemoryClientStore();
    await new PendingRemovals(store).add('chat', 'carol', ['c1']);
    expect(await new PendingRemovals(store).of('chat')).toHaveLength(1);
  });

  it('forgets a request once done, leaving the others', async () => {
    const removals = new PendingRemovals(openMemoryClientStore());
    await removals.add('chat', 'carol', ['c1']);
    await removals.add('chat', 'dave', ['d1']);
    await removals.done('chat', 'carol');
    expect((await removals.of('chat')).map((r) => r.account)).toEqual(['dave']);
  });

  it('keeps account names with separators apart from the chat id', async () => {
    const removals = new PendingRemovals(openMemoryClientStore());
    await removals.add('chat', 'odd/name', ['x']);
    expect(await removals.of('chat')).toEqual([{ account: 'odd/name', leaves: new Set(['x']) }]);
  });
});
