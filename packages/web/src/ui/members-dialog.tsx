/** A chat's members: see them, add someone by account id, remove someone, or leave. */
import type { Chat, ChatKind } from '@parley/client';
import { useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import { readAccountIds } from './account-input.js';
import { Dialog } from './dialog.js';
import { BusyNote, ErrorText } from './messages.js';

/** Props of the members dialog. */
export interface MembersDialogProps {
  readonly accountId: string;
  readonly chat: Chat;
  readonly kind: ChatKind;
  readonly active: boolean;
  readonly members: readonly string[];
  readonly onClose: () => void;
  /** Called after this account left the chat. */
  readonly onLeft: () => void;
}

/** Lists members with the changes this account may make. */
export function MembersDialog(props: MembersDialogProps) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [adding, setAdding] = useState('');
  const [confirmLeave, setConfirmLeave] = useState(false);
  const canChange = props.active && props.kind === 'group';

  const run = async (what: string, work: () => Promise<void>, success: string) => {
    setBusy(what);
    setError(undefined);
    setDone(undefined);
    try {
      await work();
      setDone(success);
      return true;
    } catch (cause) {
      setError(plainWords(cause));
      return false;
    } finally {
      setBusy(undefined);
    }
  };
  const add = async (event: Event) => {
    event.preventDefault();
    const read = readAccountIds(adding, props.accountId);
    if (!read.ok || read.ids.length !== 1) {
      setError(read.ok ? 'Paste one account id.' : read.message);
      return;
    }
    const id = read.ids[0] ?? '';
    if (
      await run(
        'Adding…',
        () => props.chat.addMember(id),
        'Added. They see what is sent from now on.',
      )
    ) {
      setAdding('');
    }
  };
  const leave = async () => {
    if (await run('Leaving…', () => props.chat.leave(), 'You left the chat.')) props.onLeft();
  };

  return (
    <Dialog
      id="members"
      title={props.kind === 'group' ? 'Group members' : 'Chat members'}
      onClose={props.onClose}
    >
      <ul class="members">
        {props.members.map((member) => (
          <li key={member}>
            <code class="account-id">{member}</code>
            {member === props.accountId ? (
              <span class="you"> (you)</span>
            ) : (
              canChange && (
                <button
                  type="button"
                  class="danger"
                  disabled={busy !== undefined}
                  aria-label={`Remove ${member}`}
                  onClick={() =>
                    void run(
                      'Removing…',
                      () => props.chat.removeMember(member),
                      'Removed. They cannot read what is sent from now on.',
                    )
                  }
                >
                  Remove
                </button>
              )
            )}
          </li>
        ))}
      </ul>
      {canChange && (
        <form class="inline-form" onSubmit={(event) => void add(event)}>
          <label for="add-member">Add a member by account id</label>
          <input
            id="add-member"
            type="text"
            autoComplete="off"
            spellcheck={false}
            placeholder="bciq…"
            value={adding}
            onInput={(event) => {
              setAdding(event.currentTarget.value);
            }}
          />
          <button type="submit" class="primary" disabled={busy !== undefined}>
            Add member
          </button>
        </form>
      )}
      <ErrorText message={error} />
      {busy !== undefined && <BusyNote>{busy}</BusyNote>}
      <p role="status" class="hint">
        {done ?? ''}
      </p>
      {props.active && (
        <div class="leave">
          {confirmLeave ? (
            <>
              <p>Leave this chat? You keep what you have, but you will not see new messages.</p>
              <div class="actions">
                <button
                  type="button"
                  class="danger"
                  disabled={busy !== undefined}
                  onClick={() => void leave()}
                >
                  Yes, leave
                </button>
                <button
                  type="button"
                  onClick={() => {
                    setConfirmLeave(false);
                  }}
                >
                  Stay
                </button>
              </div>
            </>
          ) : (
            <button
              type="button"
              class="danger"
              onClick={() => {
                setConfirmLeave(true);
              }}
            >
              {props.kind === 'group' ? 'Leave group' : 'Leave chat'}
            </button>
          )}
        </div>
      )}
    </Dialog>
  );
}
