/**
 * The signed-in app: a top bar (relay status, own account, lock), the chat list with the forms to
 * start chats, and the open chat. On a phone-sized window one pane shows at a time.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppEnv } from '../platform/env.js';
import type { Session } from '../session/session.js';
import { AccountDialog } from './account-dialog.js';
import { ChatList } from './chat-list.js';
import { ChatView } from './chat-view.js';
import { useFocusOnMount } from './focus.js';
import { NewChat } from './new-chat.js';
import { ProblemBanner } from './problem-banner.js';
import { RelayBadge, RelayBanner, useRelayState } from './relay-status.js';
import { useChatList } from './use-chat-list.js';

/** Props of the signed-in app. */
export interface HomeProps {
  readonly env: AppEnv;
  readonly session: Session;
  readonly onLock: () => void;
  /** The number of unread messages across chats changed (for the window title). */
  readonly onUnread: (count: number) => void;
}

const MINUTE_MS = 60_000;

/** The signed-in app. */
export function Home(props: HomeProps) {
  const { env, session } = props;
  const heading = useFocusOnMount();
  const relay = useRelayState(session.connection);
  const { items, reload } = useChatList(session);
  const [selected, setSelected] = useState<string>();
  const [showAccount, setShowAccount] = useState(false);
  const [now, setNow] = useState(env.clock());

  useEffect(() => {
    let handle = 0;
    const tick = () => {
      setNow(env.clock());
      handle = env.timers.setTimeout(tick, MINUTE_MS);
    };
    handle = env.timers.setTimeout(tick, MINUTE_MS);
    return () => {
      env.timers.clearTimeout(handle);
    };
  }, [env]);
  const unread = items?.reduce((sum, item) => sum + item.unread, 0) ?? 0;
  const { onUnread } = props;
  useEffect(() => {
    onUnread(unread);
  }, [unread, onUnread]);

  // Back from a chat (the only pane on a phone): focus returns to the list.
  const listHeading = useRef<HTMLHeadingElement>(null);
  const hadChat = useRef(false);
  useEffect(() => {
    if (selected === undefined && hadChat.current) listHeading.current?.focus();
    hadChat.current = selected !== undefined;
  }, [selected]);

  return (
    <div class="app" data-view={selected === undefined ? 'list' : 'chat'}>
      <header class="topbar">
        <h1 tabIndex={-1} ref={heading}>
          Parley
        </h1>
        <RelayBadge state={relay} />
        <div class="topbar-actions">
          <button
            type="button"
            onClick={() => {
              setShowAccount(true);
            }}
          >
            Your account
          </button>
          <button type="button" onClick={props.onLock}>
            Lock
          </button>
        </div>
      </header>
      <RelayBanner state={relay} />
      <ProblemBanner session={session} />
      <div class="panes">
        <nav class="list-pane" aria-label="Chats">
          <h2 class="visually-hidden" tabIndex={-1} ref={listHeading}>
            Chats
          </h2>
          <NewChat session={session} onOpened={setSelected} onSettled={reload} />
          <ChatList
            accountId={session.accountId}
            items={items}
            selected={selected}
            now={now}
            onSelect={setSelected}
          />
        </nav>
        <main class="chat-pane">
          {selected === undefined ? (
            <p class="hint empty-chat">Choose a chat, or start a new one.</p>
          ) : (
            <ChatView
              key={selected}
              session={session}
              chatId={selected}
              now={now}
              onBack={() => {
                setSelected(undefined);
              }}
              onRead={reload}
              onQueued={() => {
                session.connection.lostRelay();
              }}
            />
          )}
        </main>
      </div>
      {showAccount && (
        <AccountDialog
          env={env}
          session={session}
          onClose={() => {
            setShowAccount(false);
          }}
        />
      )}
    </div>
  );
}
