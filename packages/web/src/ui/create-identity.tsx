/**
 * Creating an identity: choose a passphrase, let the browser make the keys and encrypt them, then
 * download the key file (and be told plainly that it is the only copy of the account).
 */
import { useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import type { AppEnv } from '../platform/env.js';
import {
  MIN_PASSPHRASE_LENGTH,
  createIdentity,
  keyFileName,
  type NewIdentity,
} from '../session/identity.js';
import { Session } from '../session/session.js';
import { useFocusOnMount } from './focus.js';
import { BusyNote, ErrorText } from './messages.js';
import { InviteCodeField, PASSPHRASE_HINT, PassphraseField } from './passphrase-fields.js';

/** Props of the create flow. */
export interface CreateIdentityProps {
  readonly env: AppEnv;
  readonly onDone: (session: Session) => void;
  readonly onCancel: () => void;
}

/** The two steps: passphrase, then saving the key file. */
export function CreateIdentity(props: CreateIdentityProps) {
  const [created, setCreated] = useState<{ value: NewIdentity; inviteCode: string }>();
  return created === undefined ? (
    <ChoosePassphrase
      env={props.env}
      onCancel={props.onCancel}
      onCreated={(value, inviteCode) => {
        setCreated({ value, inviteCode });
      }}
    />
  ) : (
    <SaveKeyFile
      env={props.env}
      created={created.value}
      inviteCode={created.inviteCode}
      onDone={props.onDone}
    />
  );
}

function ChoosePassphrase(props: {
  env: AppEnv;
  onCancel: () => void;
  onCreated: (created: NewIdentity, inviteCode: string) => void;
}) {
  const heading = useFocusOnMount();
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [inviteCode, setInviteCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
      setError(`Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`);
      return;
    }
    if (passphrase !== repeat) {
      setError("The two passphrases don't match.");
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      props.onCreated(
        await createIdentity(props.env.subtle, props.env.random, passphrase),
        inviteCode.trim(),
      );
    } catch (cause) {
      setError(plainWords(cause));
      setBusy(false);
    }
  };

  return (
    <main class="card onboarding" aria-labelledby="create-title">
      <h1 id="create-title" tabIndex={-1} ref={heading}>
        Create your identity
      </h1>
      <p>
        Your keys are made here, in this browser. The passphrase encrypts them; nobody else ever
        sees it, and nobody can reset it.
      </p>
      <form onSubmit={(event) => void submit(event)} aria-busy={busy}>
        <PassphraseField
          id="new-passphrase"
          label="Passphrase"
          value={passphrase}
          autoComplete="new-password"
          onValue={setPassphrase}
          describedBy="passphrase-hint"
        />
        <p id="passphrase-hint" class="hint">
          {PASSPHRASE_HINT}
        </p>
        <PassphraseField
          id="repeat-passphrase"
          label="Passphrase again"
          value={repeat}
          autoComplete="new-password"
          onValue={setRepeat}
        />
        <InviteCodeField value={inviteCode} onValue={setInviteCode} />
        <ErrorText message={error} />
        {busy && (
          <BusyNote>Making your keys and encrypting them… this takes a few seconds.</BusyNote>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Create identity
          </button>
          <button type="button" onClick={props.onCancel} disabled={busy}>
            Back
          </button>
        </div>
      </form>
    </main>
  );
}

function SaveKeyFile(props: {
  env: AppEnv;
  created: NewIdentity;
  inviteCode: string;
  onDone: (session: Session) => void;
}) {
  const heading = useFocusOnMount();
  const [downloaded, setDownloaded] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { identity, keyFile } = props.created;

  const download = () => {
    props.env.saveFile(keyFileName(identity.accountId), keyFile);
    setDownloaded(true);
  };
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const options = props.inviteCode === '' ? {} : { inviteCode: props.inviteCode };
      props.onDone(await Session.open(props.env, identity, keyFile, options));
    } catch (cause) {
      setError(plainWords(cause));
      setBusy(false);
    }
  };

  return (
    <main class="card onboarding" aria-labelledby="save-title">
      <h1 id="save-title" tabIndex={-1} ref={heading}>
        Save your key file
      </h1>
      <p>
        Your account id is <code class="account-id">{identity.accountId}</code>
      </p>
      <div class="warning" role="note" aria-labelledby="keyfile-warning-title">
        <h2 id="keyfile-warning-title">This file is your account</h2>
        <p>
          Parley keeps no copy of your keys and cannot reset them. If you lose the key file or
          forget its passphrase, <strong>the account is lost for good</strong>: its chats and its id
          cannot be recovered. Keep the file somewhere safe outside this browser, such as a password
          manager or a USB stick. It is encrypted: without the passphrase it is useless to anyone
          who finds it.
        </p>
      </div>
      <div class="actions">
        <button type="button" class={downloaded ? '' : 'primary'} onClick={download}>
          {downloaded ? 'Download key file again' : 'Download key file'}
        </button>
      </div>
      <div class="field checkbox">
        <input
          id="saved-confirm"
          type="checkbox"
          checked={confirmed}
          disabled={!downloaded}
          onChange={(event) => {
            setConfirmed(event.currentTarget.checked);
          }}
          aria-describedby="saved-hint"
        />
        <label for="saved-confirm">I saved my key file and I will remember my passphrase</label>
      </div>
      <p id="saved-hint" class="hint">
        {downloaded
          ? 'Tick the box once the file is safely stored.'
          : 'Download the key file first.'}
      </p>
      <ErrorText message={error} />
      {busy && <BusyNote>Opening your account…</BusyNote>}
      <div class="actions">
        <button
          type="button"
          class="primary"
          disabled={!confirmed || busy}
          onClick={() => void start()}
        >
          Start chatting
        </button>
      </div>
    </main>
  );
}
