/** The session and membership store contracts: sessions by token hash, single-use invites. */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { freshStores } from './store-fixtures.js';
import type { RelayStores } from '../relay-stores.js';

/** Runs the session and membership store rules against fresh, empty stores from `open`. */
export function describeSessionStoreContract(name: string, open: () => RelayStores): void {
  describe(name, () => {
    const current = freshStores(open);

    describe('sessions', () => {
      it('stores a session under its token hash and deletes expired ones', async () => {
        const live = sha256(new TextEncoder().encode('live'));
        const expired = sha256(new TextEncoder().encode('expired'));
        await current().sessions.putSession(live, { account: 'alice', expiresAt: 2000 });
        await current().sessions.putSession(expired, { account: 'bob', expiresAt: 1000 });
        expect(await current().sessions.getSession(live)).toEqual({
          account: 'alice',
          expiresAt: 2000,
        });
        expect(await current().sessions.getSession(new Uint8Array(32))).toBeUndefined();
        // A session expiring exactly now is expired.
        await current().sessions.deleteExpiredSessions(1000);
        expect(await current().sessions.getSession(expired)).toBeUndefined();
        expect(await current().sessions.getSession(live)).toEqual({
          account: 'alice',
          expiresAt: 2000,
        });
      });
    });

    describe('invites and members', () => {
      it('redeems an invite once, admitting the account that redeemed it', async () => {
        const code = sha256(new TextEncoder().encode('code'));
        const other = sha256(new TextEncoder().encode('other'));
        await current().membership.addInvites([code, other], 1000);
        expect(await current().membership.isMember('alice')).toBe(false);
        expect(await current().membership.redeemInvite(code, 'alice', 2000)).toBe(true);
        expect(await current().membership.isMember('alice')).toBe(true);
        expect(await current().membership.redeemInvite(code, 'bob', 3000)).toBe(false);
        expect(await current().membership.isMember('bob')).toBe(false);
        // Adding a used code again does not make it usable again.
        await current().membership.addInvites([code], 4000);
        expect(await current().membership.redeemInvite(code, 'bob', 5000)).toBe(false);
        expect(await current().membership.redeemInvite(new Uint8Array(32), 'bob', 5000)).toBe(
          false,
        );
        expect(await current().membership.redeemInvite(other, 'bob', 6000)).toBe(true);
        expect(await current().membership.isMember('bob')).toBe(true);
      });
    });
  });
}
