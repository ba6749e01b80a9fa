/** Adds and removes members of a chat, each change one Commit (see the committer). */
import { leavesOf, sha256, toHex, type AccountId, type GroupChange } from '@parley/core';
import type { Invitee } from '../chats/invitations.js';
import { membersOf } from '../chats/records.js';
import type { ClaimedKeyPackage } from '../directory/claims.js';
import type { DeviceLookup } from '../directory/device-lookup.js';
import { ClientError } from '../errors.js';
import type { Committer } from './committer.js';

/** What membership changes need. */
export interface MembershipDeps {
  readonly committer: Pick<Committer, 'commit'>;
  readonly lookup: Pick<DeviceLookup, 'devicesOf'>;
  /** Claims and checks a KeyPackage of an account (directory/claims.ts). */
  readonly claim: (account: string) => Promise<ClaimedKeyPackage>;
}

/** Changes who is in a chat. */
export class Membership {
  readonly #d: MembershipDeps;

  constructor(deps: MembershipDeps) {
    this.#d = deps;
  }

  /**
   * Adds `accounts` in one Commit, each with one claimed KeyPackage; a KeyPackage is claimed
   * once and reused if the Commit is built again.
   * @throws ClientError CLIENT_NOT_REGISTERED | CLIENT_ALREADY_MEMBER, and the committer's errors
   */
  async add(id: string, accounts: readonly string[]): Promise<void> {
    const claimed = new Map<string, ClaimedKeyPackage>();
    for (const account of accounts) {
      if ((await this.#d.lookup.devicesOf(account)) === undefined) {
        throw new ClientError('CLIENT_NOT_REGISTERED', `(${account})`);
      }
    }
    await this.#d.committer.commit(
      id,
      async (state) => {
        const members = new Set(membersOf(state).map((member) => member.account as string));
        const changes: GroupChange[] = [];
        for (const account of accounts) {
          if (members.has(account)) throw new ClientError('CLIENT_ALREADY_MEMBER', `(${account})`);
          let package_ = claimed.get(account);
          if (package_ === undefined) {
            package_ = await this.#d.claim(account);
            claimed.set(account, package_);
          }
          changes.push({ kind: 'add', keyPackage: package_.keyPackage });
        }
        return changes;
      },
      () =>
        [...claimed].map(([account, package_]): Invitee => ({
          account: account as AccountId,
          keyPackageHash: sha256(package_.bytes),
          hpkeKey: package_.hpkeKey,
        })),
    );
  }

  /**
   * Removes every leaf of `account`, or with `onlyLeaves` only those whose HPKE keys (hex) are
   * listed (a leave request names the leaves that asked; if the account was removed and added
   * back since, its new leaves stay). With `strict`, an account with no such leaf is an error.
   * @throws ClientError CLIENT_MEMBER_NOT_FOUND (strict), and the committer's errors
   */
  async remove(
    id: string,
    account: string,
    options: { strict: boolean; onlyLeaves?: ReadonlySet<string> },
  ): Promise<void> {
    const { strict, onlyLeaves } = options;
    await this.#d.committer.commit(id, (state) => {
      const leaves = leavesOf(state, account).filter(
        (leaf) => onlyLeaves === undefined || onlyLeaves.has(toHex(leaf.hpkeKey)),
      );
      if (leaves.length === 0) {
        if (strict) throw new ClientError('CLIENT_MEMBER_NOT_FOUND', `(${account})`);
        return Promise.resolve([]);
      }
      return Promise.resolve(
        leaves.map((leaf): GroupChange => ({ kind: 'remove', leaf: leaf.index })),
      );
    });
  }
}
