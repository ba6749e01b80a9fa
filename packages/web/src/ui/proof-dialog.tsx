/**
 * The proof details of a message: who signed it and whether the signature verified, its
 * envelope's id, its place in the relay's transparency log and the signed checkpoint.
 */
import type { Chat, Client, StoredMessage } from '@parley/client';
import { useEffect, useState } from 'preact/hooks';
import { loadProof, type MessageProof } from '../chats/proof.js';
import { shownText } from '../chats/shown-text.js';
import { plainWords } from '../errors.js';
import { Dialog } from './dialog.js';
import { BusyNote, ErrorText } from './messages.js';

/** Props of the proof dialog. */
export interface ProofDialogProps {
  readonly client: Client;
  readonly chat: Chat;
  readonly message: StoredMessage;
  readonly onClose: () => void;
}

/** Loads and shows the proof of one message. */
export function ProofDialog(props: ProofDialogProps) {
  const [proof, setProof] = useState<MessageProof>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let current = true;
    loadProof(props.client, props.chat, props.message).then(
      (loaded) => {
        if (current) setProof(loaded);
      },
      (cause: unknown) => {
        if (current) setError(plainWords(cause));
      },
    );
    return () => {
      current = false;
    };
  }, [props.client, props.chat, props.message]);

  return (
    <Dialog id="proof" title="Message details" onClose={props.onClose}>
      <blockquote class="proof-quote">{shownText(props.message)}</blockquote>
      <ErrorText message={error} />
      {proof === undefined && error === undefined && (
        <BusyNote>Checking signatures and the relay's log…</BusyNote>
      )}
      {proof !== undefined && <ProofFacts proof={proof} own={props.message.own} />}
    </Dialog>
  );
}

function inclusionWords(proof: MessageProof): string {
  const { inclusion } = proof;
  if (inclusion.state === 'included') {
    return `Included at index ${inclusion.leafIndex} of the relay's log, proven against its signed checkpoint of ${inclusion.size} entries.`;
  }
  if (inclusion.state === 'pending') {
    return `Accepted at index ${inclusion.leafIndex}; waiting for the relay's next signed checkpoint to prove it.`;
  }
  return proof.cid === undefined
    ? 'Not sent yet: it is queued on this device.'
    : 'Not tracked in the relay’s log on this device.';
}

function ProofFacts(props: { proof: MessageProof; own: boolean }) {
  const { proof } = props;
  return (
    <>
      <dl class="proof">
        <dt>Author</dt>
        <dd>
          <code class="account-id">{proof.author}</code>
          {props.own ? ' (you)' : ''}
        </dd>
        <dt>Signature</dt>
        <dd data-verified={proof.signatureVerified ? 'yes' : 'no'}>
          {proof.signatureVerified
            ? `Verified: signed by a device of the author${proof.entry === undefined ? '' : ` (entry ${proof.entry.n} of their chain)`}.`
            : 'Not verified: no valid signed entry was found for this message.'}
        </dd>
        {proof.entry !== undefined && (
          <>
            <dt>Entry hash</dt>
            <dd>
              <code class="hash">{proof.entry.hash}</code>
            </dd>
          </>
        )}
        <dt>Envelope</dt>
        <dd>
          {proof.cid === undefined ? 'Not sent yet.' : <code class="hash">{proof.cid}</code>}
          {proof.seq === undefined ? '' : ` (position ${proof.seq} in the chat on the relay)`}
        </dd>
        <dt>Relay log</dt>
        <dd data-inclusion={proof.inclusion.state}>{inclusionWords(proof)}</dd>
        <dt>Whole chat</dt>
        <dd>
          {proof.chatOk
            ? 'Every signature, link and log inclusion of this chat checked out.'
            : `${proof.problemCount} problem${proof.problemCount === 1 ? '' : 's'} found in this chat's history or the relay's log.`}
          {proof.relayReachable
            ? ''
            : ' (The relay could not be reached: the log part is as of the last contact.)'}
        </dd>
      </dl>
      <h3>Checkpoint</h3>
      {proof.checkpoint === null ? (
        <p>No checkpoint of the relay's log is held yet.</p>
      ) : (
        <>
          <p>
            The latest checkpoint this device verified: the relay signed that its log held{' '}
            {proof.checkpoint.size} entries with this root.
          </p>
          <pre class="checkpoint" tabIndex={0} aria-label="Signed checkpoint">
            {proof.checkpoint.note}
          </pre>
        </>
      )}
    </>
  );
}
