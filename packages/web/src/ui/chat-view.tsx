/**
 * An open chat: its header (name, members, leave), the messages as a live log that screen readers
 * announce, and the composer. Message details and members open as dialogs.
 */
import type { Chat, StoredMessage } from '@parley/client';
import { toHex } from '@parley/core';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Session } from '../session/session.js';
import { Composer } from './composer.js';
import { shownText } from '../chats/shown-text.js';
import { chatTitle } from './chat-list.js';
import { useFocusOnMount } from './focus.js';
import { MembersDialog } from './members-dialog.js';
import { plainWords } from '../errors.js';
import { MessageItem, type MessageActions } from './message-item.js';
import { ErrorText } from './messages.js';
import { PendingPeer } from './pending-peer.js';
import { ProofDialog } from './proof-dialog.js';
import { useChat } from './use-chat.js';

/** Props of the chat view. */
export interface ChatViewProps {
  readonly session: Session;
  readonly chatId: string;
  readonly now: number;
  readonly onBack: () => void;
  readonly onRead: () => void;
  /** A send stayed queued: the relay is unreachable. */
  readonly onQueued: () => void;
}

/** The chat view. */
export function ChatView(props: ChatViewProps) {
  const { session, chatId } = props;
  const open = useChat(session, chatId, props.onRead);
  const heading = useFocusOnMount();
  const [proofOf, setProofOf] = useState<StoredMessage>();
  const [showMembers, setShowMembers] = useState(false);
  const [writing, setWriting] = useState<Writing>();
  const [actionError, setActionError] = useState<string>();
  const list = useRef<HTMLDivElement>(null);
  const count = open?.messages.length ?? 0;

  // Keep the newest message in view as messages arrive.
  useLayoutEffect(() => {
    const element = list.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  }, [count]);
  useEffect(() => {
    setProofOf(undefined);
    setShowMembers(false);
    setWriting(undefined);
    setActionError(undefined);
  }, [chatId]);

  /** Runs a reaction or a delete, showing why in plain words if it fails. */
  const act = (work: (chat: Chat) => Promise<unknown>) => {
    if (open === undefined) return;
    setActionError(undefined);
    work(open.chat).catch((cause: unknown) => {
      setActionError(plainWords(cause));
    });
  };
  const actions: MessageActions = {
    self: session.accountId,
    onReply: (message) => {
      setWriting({ kind: 'reply', message });
    },
    onEdit: (message) => {
      setWriting({ kind: 'edit', message });
    },
    onReact: (message, emoji, remove) => {
      act((chat) => (remove ? chat.unreact(message.id, emoji) : chat.react(message.id, emoji)));
    },
    onDelete: (message) => {
      act((chat) => chat.delete(message.id));
    },
  };

  const info = open?.info;
  const title = info === undefined ? 'Chat' : chatTitle(info);
  const subtitle =
    info === undefined
      ? ''
      : info.kind === 'pair'
        ? info.name
        : `${open?.members.length ?? 0} member${open?.members.length === 1 ? '' : 's'}`;
  const closed =
    info?.status === 'left'
      ? 'You left this chat.'
      : info?.status === 'removed'
        ? 'You were removed from this chat.'
        : undefined;

  const pendingPeer =
    open !== undefined &&
    open.info.kind === 'pair' &&
    open.info.status === 'active' &&
    open.members.length > 0 &&
    !open.members.includes(open.info.name)
      ? open.info.name
      : undefined;

  return (
    <section class="chat-view" aria-labelledby="chat-title">
      <header class="chat-head">
        <button type="button" class="back" onClick={props.onBack}>
          <span aria-hidden="true">←</span> Chats
        </button>
        <div class="chat-head-title">
          <h2 id="chat-title" tabIndex={-1} ref={heading}>
            <span class="visually-hidden">{info?.kind === 'group' ? 'Group ' : 'Chat with '}</span>
            {title}
          </h2>
          <p class="chat-subtitle" title={subtitle}>
            {subtitle}
          </p>
        </div>
        <button
          type="button"
          disabled={open === undefined}
          onClick={() => {
            setShowMembers(true);
          }}
        >
          Members
        </button>
      </header>
      {pendingPeer !== undefined && open !== undefined && (
        <PendingPeer chat={open.chat} peer={pendingPeer} />
      )}
      <div class="messages" ref={list} role="log" aria-label="Messages" tabIndex={0}>
        <ol class="message-list">
          {open?.messages.length === 0 && (
            <li class="hint empty">
              {info?.kind === 'group'
                ? 'No messages yet. Members see what is sent after they joined.'
                : 'No messages yet. Say hello.'}
            </li>
          )}
          {open?.messages.map((message) => (
            <MessageItem
              key={message.id}
              message={message}
              inclusion={message.cid === undefined ? undefined : open.inclusions.get(message.cid)}
              showAuthor={open.info.kind !== 'pair'}
              quoted={quotedIn(open.messages, message)}
              actions={closed === undefined ? actions : undefined}
              now={props.now}
              onProof={setProofOf}
            />
          ))}
        </ol>
      </div>
      <ErrorText message={actionError} />
      <Composer
        disabledReason={closed}
        {...(writing === undefined
          ? {}
          : {
              context: {
                label:
                  writing.kind === 'edit'
                    ? 'Editing your message.'
                    : `Replying to: ${shownText(writing.message).slice(0, 60)}`,
                text: writing.kind === 'edit' ? shownText(writing.message) : '',
                onCancel: () => {
                  setWriting(undefined);
                },
              },
            })}
        onSend={async (text) => {
          if (open === undefined) return;
          const target = writing?.message.id;
          const sent =
            writing === undefined || target === undefined
              ? await open.chat.send(text)
              : writing.kind === 'edit'
                ? await open.chat.edit(target, text)
                : await open.chat.reply(target, text);
          setWriting(undefined);
          if (sent.status === 'queued') props.onQueued();
        }}
      />
      {proofOf !== undefined && open !== undefined && (
        <ProofDialog
          client={session.client}
          chat={open.chat}
          message={proofOf}
          onClose={() => {
            setProofOf(undefined);
          }}
        />
      )}
      {showMembers && open !== undefined && (
        <MembersDialog
          accountId={session.accountId}
          chat={open.chat}
          kind={open.info.kind}
          active={open.info.status === 'active'}
          members={open.members}
          onClose={() => {
            setShowMembers(false);
          }}
          onLeft={() => {
            setShowMembers(false);
          }}
        />
      )}
    </section>
  );
}

/** The shown message a reply answers, if any. */
function quotedIn(
  messages: readonly StoredMessage[],
  message: StoredMessage,
): StoredMessage | undefined {
  const { content } = message;
  if (content.type !== 'reply') return undefined;
  const hash = toHex(content.to);
  return messages.find((candidate) => candidate.hash === hash);
}

/** A reply or an edit being written in the composer. */
interface Writing {
  readonly kind: 'reply' | 'edit';
  readonly message: StoredMessage;
}
