/** The file blob store: bytes by CID, checked against the CID on the way in and out, private files. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RAW_CODE, cidForBytes } from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileBlobStore } from './blob-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-blobs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const bytes = new TextEncoder().encode('a chunk');
const cid = cidForBytes(bytes, RAW_CODE).toString();

describe('createFileBlobStore', () => {
  it('stores bytes under their CID as an owner-only file and gives them back', async () => {
    const blobs = createFileBlobStore(join(dir, 'blobs'));
    expect(await blobs.has(cid)).toBe(false);
    await blobs.put(cid, bytes);
    expect(await blobs.has(cid)).toBe(true);
    expect(await blobs.get(cid)).toEqual(bytes);
    expect(statSync(join(dir, 'blobs', cid)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'blobs')).mode & 0o777).toBe(0o700);
    await blobs.delete(cid);
    expect(await blobs.get(cid)).toBeUndefined();
  });

  it('refuses bytes that do not hash to the CID, and a name that is not a CID', async () => {
    const blobs = createFileBlobStore(join(dir, 'blobs'));
    await expect(blobs.put(cid, new TextEncoder().encode('other'))).rejects.toThrow(RangeError);
    await expect(blobs.put('../escape', bytes)).rejects.toThrow(RangeError);
    expect(await blobs.has(cid)).toBe(false);
  });

  it('refuses to serve stored bytes that no longer match their CID', async () => {
    const blobs = createFileBlobStore(join(dir, 'blobs'));
    await blobs.put(cid, bytes);
    writeFileSync(join(dir, 'blobs', cid), 'tampered');
    await expect(blobs.get(cid)).rejects.toThrow('corrupt');
  });
});
