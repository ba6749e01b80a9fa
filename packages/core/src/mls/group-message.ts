/**
 * Receiving in a chat group (RFC 9420 §6.3, §12.4): reading a PrivateMessage's public header,
 * then processing it against the member's state — a Commit (or proposal) yields the next state,
 * an application message its plaintext and the MLS sender, the leaf of that epoch that sent it
 * (docs/spec/chats.md §Entries: binding it to the entry's author stops re-wrapping).
 */
import { emptyPskIndex, processPrivateMessage, type PrivateMessage } from 'ts-mls';
// Not in ts-mls's root exports; its package exports allow the module path.
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import { fail, ok, type Result } from '../result.js';
import { asGroupState, isRemovedFromGroup, type GroupState } from './group-state.js';
import { readMemberCredential, type MemberIdentity } from './member-credential.js';
import { decodeMls } from './mls-header.js';
import type { MlsContext } from './mls-suite.js';

/** A received PrivateMessage: what anyone reads of it, and the message for `processGroupMessage`. */
export interface GroupMessage {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly contentType: 'application' | 'proposal' | 'commit';
  readonly privateMessage: PrivateMessage;
}

/** What processing a message did. */
export type ProcessedMessage =
  | {
      /** A Commit or proposal: the group moved on (or this member was removed). */
      readonly kind: 'handshake';
      readonly newState: GroupState;
      readonly removed: boolean;
    }
  | {
      readonly kind: 'application';
      readonly newState: GroupState;
      readonly data: Uint8Array;
      /** The credential of the leaf that sent it, or undefined if none can be read. */
      readonly sender: MemberIdentity | undefined;
    };

/**
 * Reads MLSMessage bytes as a PrivateMessage (any other wire format is a failed result).
 * @throws CoreError CORE_SCHEMA_INVALID if the bytes are not one MLSMessage
 */
export function decodeGroupMessage(bytes: Uint8Array): Result<GroupMessage, 'not-private'> {
  const message = decodeMls(bytes);
  if (message.wireformat !== 'mls_private_message') return fail('not-private');
  const pm = message.privateMessage;
  return ok({
    groupId: pm.groupId,
    epoch: pm.epoch,
    contentType: pm.contentType,
    privateMessage: pm,
  });
}

/**
 * Processes a message of the state's group (current epoch, or a retained earlier one for
 * application messages). @throws whatever ts-mls throws for a message that does not open or a
 * Commit it refuses
 */
export async function processGroupMessage(
  mls: MlsContext,
  state: GroupState,
  message: GroupMessage,
): Promise<ProcessedMessage> {
  const result = await processPrivateMessage(
    state,
    message.privateMessage,
    emptyPskIndex,
    mls.cipherSuite,
  );
  if (result.kind === 'newState') {
    const newState = asGroupState(result.newState);
    return { kind: 'handshake', newState, removed: isRemovedFromGroup(newState) };
  }
  return {
    kind: 'application',
    newState: asGroupState(result.newState),
    data: result.message,
    sender: await senderOf(mls, state, message.privateMessage),
  };
}

/**
 * The credential of the leaf that sent `pm`, read from the tree of the message's epoch (the
 * current one or a retained earlier one), or undefined if the sender data does not open or names
 * no leaf with a Parley credential. Called on a message processPrivateMessage accepted: that
 * checked the content's signature with this same leaf's key.
 */
async function senderOf(
  mls: MlsContext,
  state: GroupState,
  pm: PrivateMessage,
): Promise<MemberIdentity | undefined> {
  const epochData =
    pm.epoch === state.groupContext.epoch
      ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree }
      : state.historicalReceiverData.get(pm.epoch);
  if (epochData === undefined) return undefined;
  try {
    const senderData = await decryptSenderData(pm, epochData.senderDataSecret, mls.cipherSuite);
    if (senderData === undefined) return undefined;
    const node = epochData.ratchetTree[senderData.leafIndex * 2];
    if (node?.nodeType !== 'leaf') return undefined;
    return readMemberCredential(node.leaf.credential);
  } catch {
    return undefined;
  }
}
