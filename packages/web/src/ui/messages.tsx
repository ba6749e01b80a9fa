/** Small shared pieces: an error line read out at once, and a busy note. */
import type { ComponentChildren } from 'preact';

/** A plain-words error, announced when it appears; renders nothing without a message. */
export function ErrorText(props: { message: string | undefined; id?: string }) {
  if (props.message === undefined) return null;
  return (
    <p class="error" role="alert" id={props.id}>
      {props.message}
    </p>
  );
}

/** A note shown while something slow runs. */
export function BusyNote(props: { children: ComponentChildren }) {
  return (
    <p class="busy" role="status">
      <span class="spinner" aria-hidden="true" />
      {props.children}
    </p>
  );
}
