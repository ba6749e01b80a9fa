/**
 * The treekem.json check (mlswg/mls-implementations test-vectors, RFC 9420 §7.4–§7.6): receive every
 * UpdatePath of the vector at every member that has private keys, then let each such member commit
 * an UpdatePath of its own that all the others process. Shared by the fast and slow interop suites.
 */
import type { LeafIndex, PrivateKeyPath, UpdatePath } from 'ts-mls';
import { applyUpdatePathSecret } from 'ts-mls/createCommit.js';
import { verifyParentHashes } from 'ts-mls/parentHash.js';
import { getCommitSecret } from 'ts-mls/pathSecrets.js';
import { mergePrivateKeyPaths, toPrivateKeyPath } from 'ts-mls/privateKeyPath.js';
import { decodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { leafToNodeIndex, toLeafIndex, toNodeIndex } from 'ts-mls/treemath.js';
import {
  applyUpdatePath,
  createUpdatePath,
  decodeUpdatePath,
  encodeUpdatePath,
} from 'ts-mls/updatePath.js';
import { expect } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { decodeAll, groupContext, suiteImpl } from './mls-vectors.js';

/** One treekem.json case. */
export interface TreeKemVector {
  readonly cipher_suite: number;
  readonly group_id: string;
  readonly epoch: number;
  readonly confirmed_transcript_hash: string;
  readonly ratchet_tree: string;
  readonly leaves_private: readonly {
    index: number;
    encryption_priv: string;
    signature_priv: string;
    path_secrets: readonly { node: number; path_secret: string }[];
  }[];
  readonly update_paths: readonly {
    sender: number;
    update_path: string;
    /** Per leaf index: the path secret that leaf decrypts, null for the sender and blanks. */
    path_secrets: readonly (string | null)[];
    commit_secret: string;
    tree_hash_after: string;
  }[];
}

/** Verifies one treekem.json case; fails the running test on any mismatch. */
export async function checkTreeKem(v: TreeKemVector): Promise<void> {
  const cs = await suiteImpl(v.cipher_suite);
  const tree = decodeAll(decodeRatchetTree, fromHex(v.ratchet_tree));
  const context = (treeHash: string, epoch: bigint) =>
    groupContext(v.cipher_suite, {
      groupId: v.group_id,
      epoch,
      treeHash,
      transcript: v.confirmed_transcript_hash,
    });
  // Each member's private keys: its leaf key plus the node keys its path secrets derive (§7.4).
  const privatePaths = new Map<number, PrivateKeyPath>();
  for (const leaf of v.leaves_private) {
    const secrets = Object.fromEntries(
      leaf.path_secrets.map((p) => [p.node, fromHex(p.path_secret)]),
    );
    const derived = await toPrivateKeyPath(secrets, leaf.index, cs);
    const leafNode = leafToNodeIndex(toLeafIndex(leaf.index));
    const own = {
      leafIndex: leaf.index,
      privateKeys: { [leafNode]: fromHex(leaf.encryption_priv) },
    };
    privatePaths.set(leaf.index, mergePrivateKeyPaths(own, derived));
  }

  /** Every member but `sender` decrypts `path` and derives `commitSecret` (hex). */
  const receiveAtEveryMember = async (
    sender: LeafIndex,
    path: UpdatePath,
    epoch: bigint,
    check: (index: number, pathSecret: string, commitSecret: string) => void,
  ) => {
    const after = await applyUpdatePath(tree, sender, path, cs.hash);
    expect(await verifyParentHashes(after, cs.hash)).toBe(true);
    const afterHash = toHex(await treeHashRoot(after, cs.hash));
    const gc = context(afterHash, epoch);
    for (const [index, privatePath] of privatePaths) {
      if (index === sender) continue;
      const got = await applyUpdatePathSecret(after, privatePath, sender, gc, path, [], cs);
      const commitSecret = await getCommitSecret(after, got.nodeIndex, got.pathSecret, cs.kdf);
      check(index, toHex(got.pathSecret), toHex(commitSecret));
    }
    return afterHash;
  };

  for (const u of v.update_paths) {
    const path = decodeAll(decodeUpdatePath, fromHex(u.update_path));
    const afterHash = await receiveAtEveryMember(
      toLeafIndex(u.sender),
      path,
      BigInt(v.epoch),
      (index, pathSecret, commitSecret) => {
        expect(pathSecret, `path secret at leaf ${index}`).toBe(u.path_secrets[index]);
        expect(commitSecret, `commit secret at leaf ${index}`).toBe(u.commit_secret);
      },
    );
    expect(afterHash).toBe(u.tree_hash_after);
  }

  // Each member commits an UpdatePath of its own (sent as bytes); the others agree on the new tree
  // and the commit secret. ts-mls encrypts path secrets to the provisional context of epoch + 1.
  const before = context(toHex(await treeHashRoot(tree, cs.hash)), BigInt(v.epoch));
  for (const leaf of v.leaves_private) {
    const sender = toLeafIndex(leaf.index);
    const signKey = fromHex(leaf.signature_priv);
    const [senderTree, path, secrets] = await createUpdatePath(tree, sender, before, signKey, cs);
    const last = secrets.at(-1);
    if (last === undefined) throw new Error('an UpdatePath with no path secrets');
    const root = toNodeIndex(last.nodeIndex);
    const commitSecret = toHex(await getCommitSecret(senderTree, root, last.secret, cs.kdf));
    const received = decodeAll(decodeUpdatePath, encodeUpdatePath(path));
    const afterHash = await receiveAtEveryMember(
      sender,
      received,
      before.epoch + 1n,
      (index, _pathSecret, got) => {
        expect(got, `commit secret at leaf ${index}`).toBe(commitSecret);
      },
    );
    expect(afterHash).toBe(toHex(await treeHashRoot(senderTree, cs.hash)));
  }
}
