/**
 * The MLS sender of a PrivateMessage (docs/spec/chats.md §Entries): which leaf of the epoch's
 * ratchet tree sent it, and that leaf's credential. MLS proves a member of the epoch sent the
 * message; binding that member to the entry's (author, device) stops a member from re-wrapping
 * another member's authentic entry in a message of its own.
 */
import { readMemberCredential, type MemberIdentity } from '@parley/core';
import type { CiphersuiteImpl, ClientState, PrivateMessage } from 'ts-mls';
// Not in ts-mls's root exports; its package exports allow the module path.
import { decryptSenderData } from 'ts-mls/privateMessage.js';

/**
 * The credential of the leaf that sent `pm`, read from the tree of the message's epoch (the
 * current one or a retained earlier one), or undefined if the sender data does not open or names
 * no leaf with a Parley credential. Call it on a message that `processPrivateMessage` accepted:
 * that checked the content's signature with this same leaf's key. Never throws for bad bytes.
 */
export async function senderOf(
  state: ClientState,
  pm: PrivateMessage,
  cs: CiphersuiteImpl,
): Promise<MemberIdentity | undefined> {
  const epochData =
    pm.epoch === state.groupContext.epoch
      ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree }
      : state.historicalReceiverData.get(pm.epoch);
  if (epochData === undefined) return undefined;
  try {
    const senderData = await decryptSenderData(pm, epochData.senderDataSecret, cs);
    if (senderData === undefined) return undefined;
    const node = epochData.ratchetTree[senderData.leafIndex * 2];
    if (node?.nodeType !== 'leaf') return undefined;
    return readMemberCredential(node.leaf.credential);
  } catch {
    return undefined;
  }
}
