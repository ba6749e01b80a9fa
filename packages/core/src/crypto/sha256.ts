/** SHA-256 (FIPS 180-4) for the hashes the protocol names outside a CID (KeyPackage references, evidence keys). */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** The SHA-256 digest of `bytes` (32 bytes). Never throws. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}
