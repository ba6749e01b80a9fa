/** The session and membership store contracts: sessions by token hash, single-use invites. */
import { sha256 } from '@noble/hashes/sha2.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RelayStores } from '../relay-stores.js';

/** Runs the session and membership store rules against fresh, empty stores from `open`. */
export function describeSessionStoreContract(name: string, open: () => RelayStores): void {
  describe(name, () => {
    let stores: RelayStores;
    beforeEach(() => {
      stores = open();
    });
    afterEach(async () => {
      await stores.close();
    });

    describe('sessions', () => {
      it('stores a session under its token hash and deletes expired ones', async () => {
        const live = sha256(new TextEncoder().encode('live'));
        const expired = sha256(new TextEncoder().encode('expired'));
        await stores.sessions.putSession(live, { account: 'alice', expiresAt: 2000 });
        await stores.sessions.putSession(expired, { account: 'bob', expiresAt: 1000 });
        expect(await stores.sessions.getSession(live)).toEqual({
          account: 'alice',
          expiresAt: 2000,
        });
        expect(await stores.sessions.getSession(new Uint8Array(32))).toBeUndefined();
        // A session expiring exactly now is expired.
        await stores.sessions.deleteExpiredSessions(1000);
        expect(await stores.sessions.getSession(expired)).toBeUndefined();
        expect(await stores.sessions.getSession(live)).toEqual({
          account: 'alice',
          expiresAt: 2000,
        });
      });
    });

    describe('invites and members', () => {
      it('redeems an invite once, admitting the account that redeemed it', async () => {
        const code = sha256(new TextEncoder().encode('code'));
        const other = sha256(new TextEncoder().encode('other'));
        await stores.membership.addInvites([code, other], 1000);
        expect(await stores.membership.isMember('alice')).toBe(false);
        expect(await stores.membership.redeemInvite(code, 'alice', 2000)).toBe(true);
        expect(await stores.membership.isMember('alice')).toBe(true);
        expect(await stores.membership.redeemInvite(code, 'bob', 3000)).toBe(false);
        expect(await stores.membership.isMember('bob')).toBe(false);
        // Adding a used code again does not make it usable again.
        await stores.membership.addInvites([code], 4000);
        expect(await stores.membership.redeemInvite(code, 'bob', 5000)).toBe(false);
        expect(await stores.membership.redeemInvite(new Uint8Array(32), 'bob', 5000)).toBe(false);
        expect(await stores.membership.redeemInvite(other, 'bob', 6000)).toBe(true);
        expect(await stores.membership.isMember('bob')).toBe(true);
      });
    });
  });
}
