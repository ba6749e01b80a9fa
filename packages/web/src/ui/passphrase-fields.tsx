/** The passphrase inputs of the create and import forms, with the optional invite code. */
import { MIN_PASSPHRASE_LENGTH } from '../session/identity.js';

/** A labelled password input. */
export function PassphraseField(props: {
  id: string;
  label: string;
  value: string;
  autoComplete: 'new-password' | 'current-password';
  onValue: (value: string) => void;
  describedBy?: string | undefined;
  invalid?: boolean | undefined;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="password"
        required
        autoComplete={props.autoComplete}
        value={props.value}
        onInput={(event) => {
          props.onValue(event.currentTarget.value);
        }}
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid === true ? 'true' : undefined}
      />
    </div>
  );
}

/** The rule for new passphrases, in words. */
export const PASSPHRASE_HINT = `At least ${MIN_PASSPHRASE_LENGTH} characters. A few unrelated words are easy to remember and hard to guess.`;

/** An optional invite code, folded away: only invite-only relays ask for one. */
export function InviteCodeField(props: { value: string; onValue: (value: string) => void }) {
  return (
    <details class="field">
      <summary>Invite code (only if this relay gave you one)</summary>
      <label for="invite-code">Invite code</label>
      <input
        id="invite-code"
        type="text"
        autoComplete="off"
        value={props.value}
        onInput={(event) => {
          props.onValue(event.currentTarget.value);
        }}
      />
    </details>
  );
}
