/** The first screen: what Parley is, and the two ways in. */
import { useFocusOnMount } from './focus.js';

/** Props of the welcome screen. */
export interface WelcomeProps {
  readonly hasProfiles: boolean;
  readonly onCreate: () => void;
  readonly onImport: () => void;
  readonly onUnlock: () => void;
}

/** Welcome: create an identity, or bring one in from a key file. */
export function Welcome(props: WelcomeProps) {
  const heading = useFocusOnMount();
  return (
    <main class="card onboarding" aria-labelledby="welcome-title">
      <h1 id="welcome-title" tabIndex={-1} ref={heading}>
        Welcome to Parley
      </h1>
      <p class="lead">
        End-to-end encrypted chat with a history anyone can check. Your identity is a key pair made
        in this browser and locked with your passphrase: no phone number, no email, no password on a
        server.
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={props.onCreate}>
          Create an identity
        </button>
        <button type="button" onClick={props.onImport}>
          I have a key file
        </button>
      </div>
      {props.hasProfiles && (
        <p>
          <button type="button" class="link" onClick={props.onUnlock}>
            Unlock an account already on this browser
          </button>
        </p>
      )}
    </main>
  );
}
