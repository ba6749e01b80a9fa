/** Writing a message: Enter sends, Shift+Enter starts a new line. Works offline (messages queue). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import { ErrorText } from './messages.js';

/** Props of the composer. */
export interface ComposerProps {
  /** Sends; resolves once the message is stored (queued or sent). */
  readonly onSend: (text: string) => Promise<void>;
  /** Why writing is not possible (left or removed), or undefined. */
  readonly disabledReason: string | undefined;
  /** A reply or an edit in progress: what it is about, and how to cancel it. */
  readonly context?: {
    readonly label: string;
    readonly text: string;
    readonly onCancel: () => void;
  };
}

/** A labelled text area and a send button. */
export function Composer(props: ComposerProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const contextLabel = props.context?.label;
  const contextText = props.context?.text;
  // An edit starts from the message's text; a reply from what was being written.
  useEffect(() => {
    if (contextText !== undefined && contextText !== '') setText(contextText);
    if (contextLabel !== undefined) area.current?.focus();
  }, [contextLabel, contextText]);

  const send = async () => {
    const body = text.trim();
    if (body === '' || sending) return;
    setSending(true);
    setError(undefined);
    try {
      await props.onSend(body);
      setText('');
    } catch (cause) {
      setError(plainWords(cause));
    } finally {
      setSending(false);
      area.current?.focus();
    }
  };

  if (props.disabledReason !== undefined) {
    return <p class="composer-closed">{props.disabledReason}</p>;
  }
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      {props.context !== undefined && (
        <p class="composer-context">
          {props.context.label}{' '}
          <button type="button" class="link" onClick={props.context.onCancel}>
            Cancel
          </button>
        </p>
      )}
      <label for="composer-text" class="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-text"
        ref={area}
        rows={2}
        placeholder="Write a message"
        value={text}
        aria-describedby="composer-hint"
        onInput={(event) => {
          setText(event.currentTarget.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            void send();
          }
        }}
      />
      <span id="composer-hint" class="visually-hidden">
        Enter sends; Shift and Enter starts a new line.
      </span>
      <button type="submit" class="primary" disabled={sending || text.trim() === ''}>
        Send
      </button>
      <ErrorText message={error} />
    </form>
  );
}
