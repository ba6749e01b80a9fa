/**
 * A pair chat whose other person never joined (their invitation could not be sent, typically
 * because they had not registered yet): says so, and offers to invite them again.
 */
import type { Chat } from '@parley/client';
import { useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import { shortId } from './format.js';
import { BusyNote, ErrorText } from './messages.js';

/** Props of the notice. */
export interface PendingPeerProps {
  readonly chat: Chat;
  readonly peer: string;
}

/** The notice with its "Invite again" button. */
export function PendingPeer(props: PendingPeerProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const invite = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.chat.addMember(props.peer);
    } catch (cause) {
      setError(plainWords(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="pending-peer">
      <p>
        <span title={props.peer}>{shortId(props.peer)}</span> hasn't joined this chat yet, so they
        can't read it. Once they have registered on this relay, invite them again.
      </p>
      <ErrorText message={error} />
      {busy && <BusyNote>Inviting…</BusyNote>}
      <button type="button" disabled={busy} onClick={() => void invite()}>
        Invite again
      </button>
    </div>
  );
}
