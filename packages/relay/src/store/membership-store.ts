/** The membership store port: accounts admitted by invite, and invite codes by hash. */

/** Members and invites. Every method is atomic; a resolved write is durable. */
export interface MembershipStore {
  /** True if `account` was admitted. */
  isMember(account: string): Promise<boolean>;
  /**
   * Spends an invite code (by hash) and admits `account` in one step; false if the code is
   * unknown or used. Two concurrent redemptions of one code: exactly one succeeds.
   */
  redeemInvite(codeHash: Uint8Array, account: string, now: number): Promise<boolean>;
  /** Adds unused invite codes by hash (a hash already stored is left as it is). */
  addInvites(codeHashes: readonly Uint8Array[], now: number): Promise<void>;
}
