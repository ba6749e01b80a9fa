/**
 * The blob store port: content-addressed bytes (file chunks and manifests, DESIGN §Blobs) by CID.
 * Bytes are checked against their CID on the way in and out, so a store never serves bytes that
 * are not what their address says. The default keeps files under the data directory.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cidForBytes, parseCid } from '@parley/core';
import { preparePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';

/** Content-addressed bytes by CID (text). */
export interface BlobStore {
  /** Stores `bytes` under `cid`. @throws RangeError if the bytes do not hash to `cid` (or it is not a CID) */
  put(cid: string, bytes: Uint8Array): Promise<void>;
  /** The bytes of `cid`, or undefined. @throws Error if the stored bytes no longer match their CID */
  get(cid: string): Promise<Uint8Array | undefined>;
  /** True if `cid` is stored. */
  has(cid: string): Promise<boolean>;
  /** Removes `cid` (a no-op if absent). */
  delete(cid: string): Promise<void>;
}

/** True if `bytes` hash to `cid` under the CID's own codec. */
function matches(cid: string, bytes: Uint8Array): boolean {
  return cidForBytes(bytes, parseCid(cid).code).toString() === cid;
}

/** A CID as a file name: its canonical text, which is base32 and holds no path separator. */
function canonical(cid: string): string {
  try {
    return parseCid(cid).toString();
  } catch (cause) {
    throw new RangeError(`not a CID: ${cid.slice(0, 80)}`, { cause });
  }
}

/**
 * Blobs as owner-only files (0600) in `dir` (created 0700), one per CID.
 * @throws RelayError RELAY_DATA_DIR_INSECURE if `dir` cannot be made private
 */
export function createFileBlobStore(dir: string): BlobStore {
  preparePrivateDir(dir);
  const pathOf = (cid: string) => join(dir, canonical(cid));
  return {
    put: (cid, bytes) =>
      new Promise((resolve) => {
        const path = pathOf(cid);
        if (!matches(cid, bytes)) throw new RangeError(`the bytes do not hash to ${cid}`);
        writeFileSync(path, bytes, { mode: PRIVATE_FILE_MODE });
        resolve();
      }),
    get: (cid) =>
      new Promise((resolve) => {
        const path = pathOf(cid);
        if (!existsSync(path)) {
          resolve(undefined);
          return;
        }
        const bytes = new Uint8Array(readFileSync(path));
        if (!matches(cid, bytes)) throw new Error(`the stored bytes of ${cid} are corrupt`);
        resolve(bytes);
      }),
    has: (cid) =>
      new Promise((resolve) => {
        resolve(existsSync(pathOf(cid)));
      }),
    delete: (cid) =>
      new Promise((resolve) => {
        rmSync(pathOf(cid), { force: true });
        resolve();
      }),
  };
}
