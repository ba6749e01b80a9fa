/**
 * Content ids: CIDv1 over sha2-256, computed exactly as IPFS computes them
 * (multiformats CID spec; codec dag-cbor 0x71 for protocol objects, raw 0x55 for blobs).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { CoreError } from '../errors.js';

/** Multicodec code of DAG-CBOR. */
export const DAG_CBOR_CODE = 0x71;
/** Multicodec code of raw bytes. */
export const RAW_CODE = 0x55;
/** Multicodec code of the sha2-256 multihash, the only hash Parley accepts. */
export const SHA2_256_CODE = 0x12;

/** A CID known to be version 1, sha2-256, and dag-cbor or raw. */
export type Cid = CID & { readonly __brand: 'ParleyCid' };

/** Computes the CIDv1 (sha2-256) of `bytes` under `codec` (dag-cbor unless told). */
export function cidForBytes(bytes: Uint8Array, codec: number = DAG_CBOR_CODE): Cid {
  if (codec !== DAG_CBOR_CODE && codec !== RAW_CODE) {
    throw new RangeError(`cidForBytes: codec 0x${codec.toString(16)} is not dag-cbor or raw`);
  }
  return CID.createV1(codec, Digest.create(SHA2_256_CODE, sha256(bytes))) as Cid;
}

/**
 * Checks that a decoded CID meets Parley's policy: any CID version, but a sha2-256 digest of 32
 * bytes. Used for links met while decoding.
 * @throws CoreError CORE_CID_UNSUPPORTED_HASH
 */
export function assertSha256Link(cid: CID): void {
  if (cid.multihash.code !== SHA2_256_CODE || cid.multihash.size !== 32) {
    throw new CoreError(
      'CORE_CID_UNSUPPORTED_HASH',
      `(multihash code 0x${cid.multihash.code.toString(16)})`,
    );
  }
}

/**
 * Parses a CID from its string or binary form and checks Parley's policy (CIDv1, sha2-256,
 * dag-cbor or raw).
 * @throws CoreError CORE_CID_MALFORMED | CORE_CID_UNSUPPORTED_HASH | CORE_CID_UNSUPPORTED_CODEC
 */
export function parseCid(input: string | Uint8Array): Cid {
  let cid: CID;
  try {
    cid = typeof input === 'string' ? CID.parse(input) : CID.decode(input);
  } catch (cause) {
    throw new CoreError('CORE_CID_MALFORMED', undefined, { cause });
  }
  if (cid.version !== 1) throw new CoreError('CORE_CID_MALFORMED', '(not CIDv1)');
  assertSha256Link(cid);
  if (cid.code !== DAG_CBOR_CODE && cid.code !== RAW_CODE) {
    throw new CoreError('CORE_CID_UNSUPPORTED_CODEC', `(codec 0x${cid.code.toString(16)})`);
  }
  return cid as Cid;
}
