/**
 * The MLS state of one member in one chat group (RFC 9420 §8), as an opaque value: callers hold,
 * store and pass it to the operations of group.ts, and read what Parley needs of it (members,
 * leaves, epoch) through the functions here, never through ts-mls types (docs/adr/0014).
 */
import {
  decodeGroupState as decodeTsMlsState,
  encodeGroupState as encodeTsMlsState,
  type ClientState,
} from 'ts-mls';
import { CoreError } from '../errors.js';
import type { AccountId } from '../identity/account-id.js';
import type { MlsContext } from './mls-suite.js';
import { readMemberCredential } from './member-credential.js';

declare const groupStateBrand: unique symbol;

/** A member's MLS group state: produced by group.ts, consumed by it; opaque elsewhere. */
export type GroupState = ClientState & { readonly [groupStateBrand]: true };

/** A member of a group: an account and the device keys it has as leaves. */
export interface GroupMember {
  readonly account: AccountId;
  readonly devices: readonly Uint8Array[];
}

/** One leaf of the ratchet tree that belongs to an account. */
export interface GroupLeaf {
  /** The leaf index (RFC 9420 §7.8), what a Remove proposal names. */
  readonly index: number;
  readonly device: Uint8Array;
  /** The leaf's HPKE key: changes whenever the leaf is replaced, so it names this very leaf. */
  readonly hpkeKey: Uint8Array;
}

/** Brands a ts-mls state (only group.ts and this module make states). */
export function asGroupState(state: ClientState): GroupState {
  return state as GroupState;
}

/** The bytes of a state, to store (ts-mls `encodeGroupState`). */
export function encodeGroupState(state: GroupState): Uint8Array {
  return encodeTsMlsState(state);
}

/**
 * Rebuilds a stored state with this device's configuration (its authentication service).
 * @throws CoreError CORE_SCHEMA_INVALID if the bytes are not an encoded group state
 */
export function decodeGroupState(bytes: Uint8Array, mls: MlsContext): GroupState {
  let decoded: [ClientState, number] | undefined;
  try {
    decoded = decodeTsMlsState(bytes, 0) as [ClientState, number] | undefined;
  } catch (cause) {
    throw new CoreError('CORE_SCHEMA_INVALID', '(MLS group state)', { cause });
  }
  if (decoded === undefined) throw new CoreError('CORE_SCHEMA_INVALID', '(MLS group state)');
  return asGroupState({ ...decoded[0], clientConfig: mls.config });
}

/** The group id (Parley: the chat's topic). */
export function groupIdOf(state: GroupState): Uint8Array {
  return state.groupContext.groupId;
}

/** The state's epoch (RFC 9420 §8). */
export function epochOf(state: GroupState): bigint {
  return state.groupContext.epoch;
}

/** True if a Commit this member processed removed it from the group. */
export function isRemovedFromGroup(state: GroupState): boolean {
  return state.groupActiveState.kind === 'removedFromGroup';
}

/**
 * The members of a group, from the credentials in its ratchet tree, in leaf order.
 * @throws CoreError CORE_SCHEMA_INVALID (and CORE_*) if a leaf carries a foreign credential
 */
export function groupMembers(state: GroupState): GroupMember[] {
  const members = new Map<string, Uint8Array[]>();
  for (const node of state.ratchetTree) {
    if (node?.nodeType !== 'leaf') continue;
    const identity = readMemberCredential(node.leaf.credential);
    const devices = members.get(identity.account) ?? [];
    devices.push(identity.device);
    members.set(identity.account, devices);
  }
  return [...members].map(([account, devices]) => ({ account: account as AccountId, devices }));
}

/**
 * The leaves of an account's devices in the group.
 * @throws CoreError CORE_SCHEMA_INVALID (and CORE_*) if a leaf carries a foreign credential
 */
export function leavesOf(state: GroupState, account: string): GroupLeaf[] {
  const leaves: GroupLeaf[] = [];
  state.ratchetTree.forEach((node, index) => {
    if (node?.nodeType !== 'leaf') return;
    const identity = readMemberCredential(node.leaf.credential);
    if (identity.account !== account) return;
    leaves.push({ index: index / 2, device: identity.device, hpkeKey: node.leaf.hpkePublicKey });
  });
  return leaves;
}
