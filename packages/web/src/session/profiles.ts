/**
 * The accounts this browser holds. Each account lives in a database of its own
 * (`parley-account-<account id>`); a small index database lists them so that the app can offer
 * to unlock one. Account ids are public, so the index holds nothing secret.
 */
import type { ClientStore } from '@parley/client';
import { fromUtf8, utf8 } from '@parley/core';

/** The name of the index database. */
export const PROFILE_INDEX_DB = 'parley-profiles';

const PREFIX = 'profile/';

/** An account held in this browser. */
export interface Profile {
  readonly accountId: string;
  /** When it was last unlocked or created, ms since the epoch. */
  readonly usedAt: number;
}

/** The database that holds one account's keys, chats and app state. */
export function accountDatabase(accountId: string): string {
  return `parley-account-${accountId}`;
}

/** The accounts in the index, most recently used first. */
export async function listProfiles(index: ClientStore): Promise<Profile[]> {
  const profiles: Profile[] = [];
  for (const key of await index.keys(PREFIX)) {
    const value = await index.get(key);
    if (value === undefined) continue;
    const usedAt = Number(fromUtf8(value));
    profiles.push({
      accountId: key.slice(PREFIX.length),
      usedAt: Number.isFinite(usedAt) ? usedAt : 0,
    });
  }
  return profiles.sort((a, b) => b.usedAt - a.usedAt);
}

/** Records that an account was used now (adding it to the index if new). */
export async function rememberProfile(
  index: ClientStore,
  accountId: string,
  now: number,
): Promise<void> {
  await index.put(`${PREFIX}${accountId}`, utf8(String(now)));
}
