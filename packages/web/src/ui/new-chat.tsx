/** Starting chats: a pair chat from a pasted account id, or a named group with members. */
import type { RefObject } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import type { Session } from '../session/session.js';
import { readAccountIds } from './account-input.js';
import { BusyNote, ErrorText } from './messages.js';

/** Props of the new-chat forms. */
export interface NewChatProps {
  readonly session: Session;
  readonly onOpened: (chatId: string) => void;
  /**
   * An attempt ended, opened or not: a chat may exist even when inviting failed (the SDK keeps
   * it, and its members can be invited again), so the list should look again.
   */
  readonly onSettled: () => void;
}

type Mode = 'closed' | 'pair' | 'group';

/** A ref for the first field of a form that was just unfolded: it takes focus. */
function useFocusedOnMount(): RefObject<HTMLInputElement | null> {
  const ref = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

/** Two buttons, each unfolding its form. */
export function NewChat(props: NewChatProps) {
  const [mode, setMode] = useState<Mode>('closed');
  const toggle = (next: Mode) => {
    setMode(mode === next ? 'closed' : next);
  };
  const opened = (chatId: string) => {
    setMode('closed');
    props.onOpened(chatId);
  };
  return (
    <div class="new-chat">
      <div class="actions">
        <button
          type="button"
          aria-expanded={mode === 'pair'}
          aria-controls="new-pair-form"
          onClick={() => {
            toggle('pair');
          }}
        >
          New chat
        </button>
        <button
          type="button"
          aria-expanded={mode === 'group'}
          aria-controls="new-group-form"
          onClick={() => {
            toggle('group');
          }}
        >
          New group
        </button>
      </div>
      {mode === 'pair' && (
        <PairForm session={props.session} onOpened={opened} onSettled={props.onSettled} />
      )}
      {mode === 'group' && (
        <GroupForm session={props.session} onOpened={opened} onSettled={props.onSettled} />
      )}
    </div>
  );
}

function PairForm(props: NewChatProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const read = readAccountIds(text, props.session.accountId);
    if (!read.ok || read.ids.length !== 1) {
      setError(read.ok ? 'Paste one account id.' : read.message);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const chat = await props.session.client.chats.openPair(read.ids[0] ?? '');
      props.onOpened(chat.id);
    } catch (cause) {
      setError(plainWords(cause));
      setBusy(false);
    } finally {
      props.onSettled();
    }
  };
  return (
    <form
      id="new-pair-form"
      class="inline-form"
      onSubmit={(event) => void submit(event)}
      aria-busy={busy}
    >
      <label for="pair-account">Their account id</label>
      <input
        id="pair-account"
        type="text"
        autoComplete="off"
        spellcheck={false}
        placeholder="bciq…"
        value={text}
        onInput={(event) => {
          setText(event.currentTarget.value);
        }}
        ref={useFocusedOnMount()}
      />
      <ErrorText message={error} />
      {busy && <BusyNote>Starting the chat…</BusyNote>}
      <button type="submit" class="primary" disabled={busy}>
        Start chat
      </button>
    </form>
  );
}

function GroupForm(props: NewChatProps) {
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const read = readAccountIds(members, props.session.accountId);
    if (name.trim() === '') {
      setError('Give the group a name.');
      return;
    }
    if (!read.ok) {
      setError(read.message);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const chat = await props.session.client.chats.createGroup({
        name: name.trim(),
        members: read.ids,
      });
      props.onOpened(chat.id);
    } catch (cause) {
      setError(plainWords(cause));
      setBusy(false);
    } finally {
      props.onSettled();
    }
  };
  return (
    <form
      id="new-group-form"
      class="inline-form"
      onSubmit={(event) => void submit(event)}
      aria-busy={busy}
    >
      <label for="group-name">Group name</label>
      <input
        id="group-name"
        ref={useFocusedOnMount()}
        type="text"
        autoComplete="off"
        maxLength={100}
        value={name}
        onInput={(event) => {
          setName(event.currentTarget.value);
        }}
      />
      <label for="group-members">Members' account ids (optional, one per line)</label>
      <textarea
        id="group-members"
        rows={3}
        spellcheck={false}
        value={members}
        onInput={(event) => {
          setMembers(event.currentTarget.value);
        }}
      />
      <ErrorText message={error} />
      {busy && <BusyNote>Creating the group…</BusyNote>}
      <button type="submit" class="primary" disabled={busy}>
        Create group
      </button>
    </form>
  );
}
