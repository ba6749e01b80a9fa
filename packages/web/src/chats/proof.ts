/**
 * The proof details of one message, on demand: who signed it and whether the signature verified
 * (`chat.proof(cid)`), where its envelope stands in the relay's transparency log, the signed
 * checkpoint this device holds, and whether the whole chat checked out (`chat.verify()`).
 */
import type { Chat, Client, InclusionStatus, StoredMessage } from '@parley/client';
import { toHex } from '@parley/core';

/** What the proof panel shows for a message. */
export interface MessageProof {
  readonly author: string;
  /** The signed entry carrying the message verified (signature, device, chat). */
  readonly signatureVerified: boolean;
  /** The entry's number in its author's chain, and its hash (hex), when found. */
  readonly entry: { readonly n: number; readonly hash: string } | undefined;
  readonly cid: string | undefined;
  readonly seq: number | undefined;
  readonly inclusion: InclusionStatus;
  /** The latest checkpoint this device verified, as the relay signed it. */
  readonly checkpoint: { readonly size: number; readonly note: string } | null;
  /** False if the relay could not be reached: the log part is as of the last contact. */
  readonly relayReachable: boolean;
  /** True if the chat's whole history and the relay's log checked out. */
  readonly chatOk: boolean;
  /** How many problems the chat's verification found. */
  readonly problemCount: number;
}

/**
 * Verifies the chat, then gathers the proof of `message` from the SDK: its signed entry checked
 * again (found by the CID of the envelope that carried it), its chain position, and its leaf.
 */
export async function loadProof(
  client: Client,
  chat: Chat,
  message: StoredMessage,
): Promise<MessageProof> {
  const report = await chat.verify();
  const proof = message.cid === undefined ? undefined : await chat.proof(message.cid);
  const inclusion: InclusionStatus =
    proof?.inclusion ??
    (message.cid === undefined ? { state: 'unknown' } : await client.inclusion(message.cid));
  return {
    author: proof?.author ?? message.author,
    signatureVerified: proof?.signature === 'verified',
    entry: proof === undefined ? undefined : { n: proof.n, hash: toHex(proof.entryHash) },
    cid: message.cid,
    seq: message.seq,
    inclusion,
    checkpoint:
      report.log.checkpoint === null
        ? null
        : { size: report.log.checkpoint.size, note: report.log.checkpoint.note },
    relayReachable: report.log.reachable,
    chatOk: report.ok,
    problemCount:
      report.history.problems.length + report.problems.length + report.log.evidence.length,
  };
}
