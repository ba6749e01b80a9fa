/** SHA-256 (FIPS 180-4) for callers outside core, so they need not import a hash library. */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** The SHA-256 digest (32 bytes) of `bytes`. Throws TypeError if `bytes` is not a Uint8Array. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}
