/** Logging in on another browser: import the key file and unlock it with its passphrase. */
import { useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import type { AppEnv } from '../platform/env.js';
import { openKeyFile } from '../session/identity.js';
import { Session } from '../session/session.js';
import { useFocusOnMount } from './focus.js';
import { BusyNote, ErrorText } from './messages.js';
import { InviteCodeField, PassphraseField } from './passphrase-fields.js';

/** Props of the import screen. */
export interface ImportIdentityProps {
  readonly env: AppEnv;
  readonly onDone: (session: Session) => void;
  readonly onCancel: () => void;
}

/** Imports a key file into this browser. */
export function ImportIdentity(props: ImportIdentityProps) {
  const heading = useFocusOnMount();
  const [file, setFile] = useState<File>();
  const [passphrase, setPassphrase] = useState('');
  const [inviteCode, setInviteCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (file === undefined) {
      setError('Choose your key file first.');
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const keyFile = new Uint8Array(await file.arrayBuffer());
      const identity = await openKeyFile(props.env.subtle, keyFile, passphrase);
      const code = inviteCode.trim();
      props.onDone(
        await Session.open(props.env, identity, keyFile, code === '' ? {} : { inviteCode: code }),
      );
    } catch (cause) {
      setError(plainWords(cause));
      setBusy(false);
    }
  };

  return (
    <main class="card onboarding" aria-labelledby="import-title">
      <h1 id="import-title" tabIndex={-1} ref={heading}>
        Log in with your key file
      </h1>
      <p>
        Choose the key file you downloaded when you created your identity, and type its passphrase.
        The file is decrypted here; the passphrase never leaves this browser.
      </p>
      <form onSubmit={(event) => void submit(event)} aria-busy={busy}>
        <div class="field">
          <label for="key-file">Key file</label>
          <input
            id="key-file"
            type="file"
            required
            onChange={(event) => {
              setFile(event.currentTarget.files?.[0]);
            }}
          />
        </div>
        <PassphraseField
          id="import-passphrase"
          label="Passphrase"
          value={passphrase}
          autoComplete="current-password"
          onValue={setPassphrase}
        />
        <InviteCodeField value={inviteCode} onValue={setInviteCode} />
        <ErrorText message={error} />
        {busy && <BusyNote>Unlocking your key file…</BusyNote>}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Log in
          </button>
          <button type="button" onClick={props.onCancel} disabled={busy}>
            Back
          </button>
        </div>
      </form>
    </main>
  );
}
