/**
 * The MLS operations of a Parley member on its chat groups (RFC 9420), as ts-mls writes them:
 * state in, new state (and the message to send) out; nothing is kept here. Creating a group,
 * joining one from a Welcome, committing adds and removes, encrypting an application message.
 * Receiving is group-message.ts. The only module, with it, that calls ts-mls group operations
 * (docs/adr/0014-sdk-by-concept.md), so a ts-mls upgrade touches these files.
 */
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroup,
  type Proposal,
} from 'ts-mls';
import { fail, ok, type Result } from '../result.js';
import { asGroupState, type GroupState } from './group-state.js';
import type { CheckedKeyPackage, GeneratedKeyPackage } from './key-package.js';
import { decodeMls } from './mls-header.js';
import type { MlsContext } from './mls-suite.js';

/** One change a Commit makes: add a checked KeyPackage, or remove a leaf. */
export type GroupChange =
  | { readonly kind: 'add'; readonly keyPackage: CheckedKeyPackage }
  | { readonly kind: 'remove'; readonly leaf: number };

/** A Commit ready to post, the state it leads to, and the Welcome for any added members. */
export interface CommitResult {
  readonly newState: GroupState;
  /** The Commit as MLSMessage bytes (a PrivateMessage). */
  readonly commit: Uint8Array;
  /** The Welcome as MLSMessage bytes, if the Commit adds anyone. */
  readonly welcome: Uint8Array | undefined;
}

/** Why a Welcome could not be used. */
export type JoinFailure = 'not-a-welcome' | 'not-a-key-package';

/**
 * A new group of one (epoch 0) with id `groupId` (the chat's topic), whose only leaf is the
 * KeyPackage `own`. @throws whatever ts-mls throws for keys it cannot use
 */
export async function createChatGroup(
  mls: MlsContext,
  groupId: Uint8Array,
  own: GeneratedKeyPackage,
): Promise<GroupState> {
  const message = decodeMls(own.bytes);
  if (message.wireformat !== 'mls_key_package') throw new TypeError('own: not a KeyPackage');
  const state = await createGroup(
    groupId,
    message.keyPackage,
    own.secrets,
    [],
    mls.cipherSuite,
    mls.config,
  );
  return asGroupState(state);
}

/**
 * Joins the group a Welcome (MLSMessage bytes) adds this device's KeyPackage `own` to. The
 * authentication service checks every leaf of the tree. A Welcome or KeyPackage of the wrong
 * kind is a failed result.
 * @throws CoreError CORE_SCHEMA_INVALID if either is not one MLSMessage; whatever ts-mls throws
 *   for a Welcome that does not open or a tree it refuses
 */
export async function joinChatGroup(
  mls: MlsContext,
  welcomeBytes: Uint8Array,
  own: Pick<GeneratedKeyPackage, 'bytes' | 'secrets'>,
): Promise<Result<GroupState, JoinFailure>> {
  const published = decodeMls(own.bytes);
  const welcome = decodeMls(welcomeBytes);
  if (published.wireformat !== 'mls_key_package') return fail('not-a-key-package');
  if (welcome.wireformat !== 'mls_welcome') return fail('not-a-welcome');
  const state = await joinGroup(
    welcome.welcome,
    published.keyPackage,
    own.secrets,
    emptyPskIndex,
    mls.cipherSuite,
    undefined,
    undefined,
    mls.config,
  );
  return ok(asGroupState(state));
}

/**
 * A Commit of `changes` against `state`, with the ratchet tree in its Welcome (so joiners need no
 * other source). The relay orders one Commit per epoch; the caller adopts `newState` once it won.
 * @throws whatever ts-mls throws for a change it refuses (a leaf that is not there…)
 */
export async function commitChanges(
  mls: MlsContext,
  state: GroupState,
  changes: readonly GroupChange[],
): Promise<CommitResult> {
  const proposals = changes.map((change): Proposal =>
    change.kind === 'add'
      ? { proposalType: 'add', add: { keyPackage: change.keyPackage } }
      : { proposalType: 'remove', remove: { removed: change.leaf } },
  );
  const result = await createCommit(
    { state, cipherSuite: mls.cipherSuite },
    { extraProposals: proposals, ratchetTreeExtension: true },
  );
  return {
    newState: asGroupState(result.newState),
    commit: encodeMlsMessage(result.commit),
    welcome:
      result.welcome === undefined
        ? undefined
        : encodeMlsMessage({
            version: 'mls10',
            wireformat: 'mls_welcome',
            welcome: result.welcome,
          }),
  };
}

/**
 * Encrypts `data` as an application PrivateMessage of the current epoch; the new state has used
 * up the message's key, so it must be kept before the message leaves (a restart never reuses it).
 */
export async function encryptApplicationMessage(
  mls: MlsContext,
  state: GroupState,
  data: Uint8Array,
): Promise<{ readonly newState: GroupState; readonly message: Uint8Array }> {
  const sent = await createApplicationMessage(state, data, mls.cipherSuite);
  return {
    newState: asGroupState(sent.newState),
    message: encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: sent.privateMessage,
    }),
  };
}
