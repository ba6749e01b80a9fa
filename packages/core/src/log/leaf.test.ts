/** Relay log leaves: the leaf data is the binary CIDv1, whatever text spelled it. */
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../test/support/core-error.js';
import { concatBytes } from '../bytes.js';
import { encodeCanonical } from '../encoding/canonical.js';
import { cidForBytes } from '../encoding/cid.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { logLeafHash } from './leaf.js';
import { leafHash } from './merkle.js';

describe('logLeafHash', () => {
  const cid = cidForBytes(encodeCanonical({ envelope: 1 }));

  it('is SHA-256(0x00 || binary CIDv1) for a Cid and for its text in any multibase', () => {
    const expected = sha256(concatBytes(new Uint8Array([0]), cid.bytes));
    expect(cid.bytes).toHaveLength(36);
    expect(logLeafHash(cid)).toEqual(expected);
    expect(logLeafHash(cid.toString())).toEqual(expected);
    expect(logLeafHash(CID.parse(cid.toString()).toString(base58btc))).toEqual(expected);
    expect(logLeafHash(cid)).toEqual(leafHash(cid.bytes));
  });

  it('differs from the hash of the CID text', () => {
    expect(logLeafHash(cid)).not.toEqual(leafHash(new TextEncoder().encode(cid.toString())));
  });

  it('throws CoreError for text that is not a Parley CID', () => {
    expect(thrownCode(() => logLeafHash('not a cid'))).toBe('CORE_CID_MALFORMED');
    expect(thrownCode(() => logLeafHash('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'))).toBe(
      'CORE_CID_MALFORMED',
    );
  });
});
