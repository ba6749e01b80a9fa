/** The membership store in SQLite: admitted accounts and invite codes (by hash). */
import type Database from 'better-sqlite3';
import type { MembershipStore } from './membership-store.js';
import { attempt } from './sqlite-database.js';

/** The membership store over `db` (at the current schema). */
export function createSqliteMembershipStore(db: Database.Database): MembershipStore {
  const q = {
    member: db.prepare('SELECT 1 FROM members WHERE account = ?').pluck(),
    admit: db.prepare('INSERT OR IGNORE INTO members (account, admitted_at) VALUES (?, ?)'),
    spendInvite: db.prepare(
      'UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ? AND used_by IS NULL',
    ),
    addInvite: db.prepare('INSERT OR IGNORE INTO invites (code_hash, created_at) VALUES (?, ?)'),
  };
  const redeem = db.transaction((codeHash: Uint8Array, account: string, now: number) => {
    if (q.spendInvite.run(account, now, codeHash).changes !== 1) return false;
    q.admit.run(account, now);
    return true;
  });
  const addInvites = db.transaction((hashes: readonly Uint8Array[], now: number) => {
    for (const hash of hashes) q.addInvite.run(hash, now);
  });
  return {
    isMember: (account) => attempt(() => q.member.get(account) !== undefined),
    redeemInvite: (codeHash, account, now) => attempt(() => redeem(codeHash, account, now)),
    addInvites: (hashes, now) =>
      attempt(() => {
        addInvites(hashes, now);
      }),
  };
}
