/** Unlocking an account this browser holds: its key file is stored encrypted; the passphrase opens it. */
import { useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import type { AppEnv } from '../platform/env.js';
import type { Profile } from '../session/profiles.js';
import { Session } from '../session/session.js';
import { useFocusOnMount } from './focus.js';
import { shortId } from './format.js';
import { BusyNote, ErrorText } from './messages.js';
import { PassphraseField } from './passphrase-fields.js';

/** Props of the unlock screen. */
export interface UnlockProps {
  readonly env: AppEnv;
  /** The accounts held here, most recent first (at least one). */
  readonly profiles: readonly Profile[];
  readonly onDone: (session: Session) => void;
  readonly onOther: () => void;
}

/** Asks for the passphrase of a stored account. */
export function Unlock(props: UnlockProps) {
  const heading = useFocusOnMount();
  const [accountId, setAccountId] = useState(props.profiles[0]?.accountId ?? '');
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      props.onDone(await Session.unlock(props.env, accountId, passphrase));
    } catch (cause) {
      setError(plainWords(cause));
      setBusy(false);
    }
  };

  return (
    <main class="card onboarding" aria-labelledby="unlock-title">
      <h1 id="unlock-title" tabIndex={-1} ref={heading}>
        Unlock Parley
      </h1>
      <form onSubmit={(event) => void submit(event)} aria-busy={busy}>
        {props.profiles.length > 1 ? (
          <fieldset class="field">
            <legend>Account</legend>
            {props.profiles.map((profile) => (
              <div class="radio" key={profile.accountId}>
                <input
                  type="radio"
                  name="account"
                  id={`account-${profile.accountId}`}
                  value={profile.accountId}
                  checked={profile.accountId === accountId}
                  onChange={() => {
                    setAccountId(profile.accountId);
                  }}
                />
                <label for={`account-${profile.accountId}`} title={profile.accountId}>
                  {shortId(profile.accountId)}
                </label>
              </div>
            ))}
          </fieldset>
        ) : (
          <p>
            Account <code class="account-id">{accountId}</code>
          </p>
        )}
        <input type="text" hidden readOnly autoComplete="username" value={accountId} />
        <PassphraseField
          id="unlock-passphrase"
          label="Passphrase"
          value={passphrase}
          autoComplete="current-password"
          onValue={setPassphrase}
          invalid={error !== undefined}
          describedBy={error === undefined ? undefined : 'unlock-error'}
        />
        <ErrorText message={error} id="unlock-error" />
        {busy && <BusyNote>Unlocking…</BusyNote>}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Unlock
          </button>
          <button type="button" onClick={props.onOther} disabled={busy}>
            Use another identity
          </button>
        </div>
      </form>
    </main>
  );
}
