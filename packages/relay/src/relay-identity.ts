/**
 * The relay's own Ed25519 identity, created on first start and kept in the data directory as
 * `relay-key.json` (readable by the owner only). Back it up: it is the relay's name.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fromBase64Url,
  identityFromSecrets,
  toBase64Url,
  generateIdentity,
  type CryptoSuite,
  type Identity,
  type RandomSource,
} from '@parley/core';
import { RelayError } from './errors.js';
import { tightenIfPresent } from './store/private-files.js';

/** File name of the relay key inside the data directory. */
export const RELAY_KEY_FILE = 'relay-key.json';

/**
 * Loads the relay identity from `dataDir`, creating it on first start (0600); an existing key
 * file of a looser mode is set to 0600.
 * @throws RelayError RELAY_STORE_FAILED for a damaged key file | RELAY_DATA_DIR_INSECURE
 */
export async function loadOrCreateRelayIdentity(
  dataDir: string,
  suite: CryptoSuite,
  random: RandomSource,
): Promise<Identity> {
  const path = join(dataDir, RELAY_KEY_FILE);
  if (!existsSync(path)) {
    const identity = await generateIdentity(suite, random);
    const text = JSON.stringify({
      v: 1,
      signingSeed: toBase64Url(identity.secrets.signingSeed),
      hpkePrivateKey: toBase64Url(identity.secrets.hpkePrivateKey),
    });
    // 'wx' never overwrites a key another process wrote meanwhile.
    writeFileSync(path, `${text}\n`, { mode: 0o600, flag: 'wx' });
    return identity;
  }
  tightenIfPresent(path);
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (
      parsed.v !== 1 ||
      typeof parsed.signingSeed !== 'string' ||
      typeof parsed.hpkePrivateKey !== 'string'
    ) {
      throw new Error('unexpected contents');
    }
    return await identityFromSecrets(suite, {
      signingSeed: fromBase64Url(parsed.signingSeed),
      hpkePrivateKey: fromBase64Url(parsed.hpkePrivateKey),
    });
  } catch (cause) {
    throw new RelayError('RELAY_STORE_FAILED', `(${path} is not a valid relay key)`, { cause });
  }
}
