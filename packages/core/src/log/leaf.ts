/**
 * Leaf data of a relay log (docs/spec/log.md §Leaves): the binary CIDv1 of each accepted envelope
 * or directory entry, hashed as an RFC 9162 leaf.
 */
import { parseCid, type Cid } from '../encoding/cid.js';
import { leafHash } from './merkle.js';

/**
 * The log leaf hash of a content id: SHA-256(0x00 || CID bytes), the CID in its binary CIDv1 form
 * whatever text spelled it.
 * @throws CoreError CORE_CID_MALFORMED | CORE_CID_UNSUPPORTED_HASH | CORE_CID_UNSUPPORTED_CODEC
 *   for text that is not a Parley CID
 */
export function logLeafHash(cid: string | Cid): Uint8Array {
  const parsed = typeof cid === 'string' ? parseCid(cid) : cid;
  return leafHash(parsed.bytes);
}
