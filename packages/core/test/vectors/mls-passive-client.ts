/**
 * The passive-client-*.json check (mlswg/mls-implementations test-vectors): a client joins from a
 * Welcome and follows the group's proposals and commits through ts-mls's root API, agreeing on every
 * epoch authenticator (RFC 9420 §8.7). Shared by the fast and slow interop suites.
 */
import {
  type ClientState,
  bytesToBase64,
  decodeMlsMessage,
  joinGroup,
  makePskIndex,
  processPrivateMessage,
  processPublicMessage,
} from 'ts-mls';
import { decodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { expect } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { decodeAll, mlsMessage, suiteImpl } from './mls-vectors.js';

/** One passive-client-*.json case. */
export interface PassiveClientVector {
  readonly cipher_suite: number;
  readonly external_psks: readonly { psk_id: string; psk: string }[];
  readonly key_package: string;
  readonly signature_priv: string;
  readonly encryption_priv: string;
  readonly init_priv: string;
  readonly welcome: string;
  readonly ratchet_tree: string | null;
  readonly initial_epoch_authenticator: string;
  readonly epochs: readonly {
    proposals: readonly string[];
    commit: string;
    epoch_authenticator: string;
  }[];
}

/**
 * Joins as the vector's client and follows its first `maxEpochs` epochs (all by default); fails the
 * running test on a refused message or a different epoch authenticator.
 */
export async function followAsPassiveClient(
  v: PassiveClientVector,
  maxEpochs = Number.POSITIVE_INFINITY,
): Promise<void> {
  const cs = await suiteImpl(v.cipher_suite);
  // makePskIndex looks external PSKs up by the base64 of their id.
  const externalPsks = Object.fromEntries(
    v.external_psks.map((p) => [bytesToBase64(fromHex(p.psk_id)), fromHex(p.psk)]),
  );
  const { keyPackage } = mlsMessage(v.key_package, 'mls_key_package');
  const { welcome } = mlsMessage(v.welcome, 'mls_welcome');
  const tree =
    v.ratchet_tree === null ? undefined : decodeAll(decodeRatchetTree, fromHex(v.ratchet_tree));
  const privateKeys = {
    initPrivateKey: fromHex(v.init_priv),
    hpkePrivateKey: fromHex(v.encryption_priv),
    signaturePrivateKey: fromHex(v.signature_priv),
  };
  const psks = makePskIndex(undefined, externalPsks);
  let state: ClientState = await joinGroup(welcome, keyPackage, privateKeys, psks, cs, tree);
  expect(toHex(state.keySchedule.epochAuthenticator)).toBe(v.initial_epoch_authenticator);

  // processMessage would drop the PSK index for private messages, so call the two directly; the
  // index is rebuilt from the current state so that resumption PSKs of past epochs are found.
  const receive = async (hexBytes: string) => {
    const message = decodeAll(decodeMlsMessage, fromHex(hexBytes));
    const index = makePskIndex(state, externalPsks);
    if (message.wireformat === 'mls_public_message') {
      state = (await processPublicMessage(state, message.publicMessage, index, cs)).newState;
    } else if (message.wireformat === 'mls_private_message') {
      state = (await processPrivateMessage(state, message.privateMessage, index, cs)).newState;
    } else {
      throw new Error(`unexpected ${message.wireformat}`);
    }
  };
  for (const [i, epoch] of v.epochs.slice(0, maxEpochs).entries()) {
    for (const proposal of epoch.proposals) await receive(proposal);
    await receive(epoch.commit);
    expect(toHex(state.keySchedule.epochAuthenticator), `epoch ${i + 1}`).toBe(
      epoch.epoch_authenticator,
    );
  }
}
