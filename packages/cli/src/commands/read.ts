/**
 * `parley read CHAT [--follow] [--limit N]`: sync, then print the chat's history as
 * `time  author  text`; with --follow, keep a live connection and print what arrives until SIGINT.
 */
import type { Chat, StoredMessage } from '@parley/client';
import { toHex } from '@parley/core';
import { positiveIntArg } from '../args.js';
import type { Command } from '../command.js';
import type { CommandContext } from '../context.js';
import { formatMessage, messageJson } from '../output.js';
import { openAccount, withAccount } from '../session.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100_000;
const PAGE = 200;
/** How often --follow looks at the store for messages sent by other commands on this home. */
const FOLLOW_POLL_MS = 1_000;

export const read: Command = {
  words: ['read'],
  usage: 'read CHAT [--follow] [--limit N] [--ids]',
  summary: "print a chat's messages (--follow: live)",
  positionals: ['CHAT'],
  options: {
    follow: { type: 'boolean', short: 'f' },
    limit: { type: 'string' },
    ids: { type: 'boolean' },
  },
  flagHelp: [
    ['--limit N', `print at most the last N messages (default ${DEFAULT_LIMIT})`],
    ['--follow, -f', 'stay connected and print new messages as they arrive, until Ctrl-C'],
    ['--ids', 'start each line with the message id (#N) that reply, react, edit and delete take'],
  ],
  async run(ctx) {
    const limit = positiveIntArg(ctx.args.string('limit'), 'limit', DEFAULT_LIMIT, MAX_LIMIT);
    if (ctx.args.flag('follow')) {
      await follow(ctx, limit);
      return;
    }
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(ctx.args.positional(0));
      for (const message of await chat.history({ limit })) await print(ctx, chat, message);
      await noticeStatus(ctx, chat);
    });
  },
};

async function follow(ctx: CommandContext, limit: number): Promise<void> {
  const interrupted = ctx.io.interrupted();
  const account = await openAccount(ctx);
  try {
    const { client } = account;
    await client.connect();
    const chat = await client.chats.get(ctx.args.positional(0));
    const initial = await chat.history({ limit });
    for (const message of initial) await print(ctx, chat, message);
    let lastId = initial.at(-1)?.id ?? 0;
    if ((await chat.info()).status !== 'active') {
      await noticeStatus(ctx, chat);
      return;
    }
    account.shareHome();
    ctx.out.notice('Following; press Ctrl-C to stop.');

    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    interrupted.addEventListener(
      'abort',
      () => {
        stop();
      },
      { once: true },
    );
    if (interrupted.aborted) stop();
    // One look at a time, so that no message prints twice.
    let looking: Promise<void> = Promise.resolve();
    const look = (): void => {
      looking = looking
        .then(async () => {
          for (const message of await messagesAfter(chat, lastId)) {
            await print(ctx, chat, message);
            lastId = message.id;
          }
          if ((await chat.info()).status !== 'active') {
            await noticeStatus(ctx, chat);
            stop();
          }
        })
        .catch((error: unknown) => {
          const code = (error as { code?: unknown }).code;
          ctx.out.warning(
            typeof code === 'string' ? code : 'CLI_INTERNAL',
            error instanceof Error ? error.message : String(error),
          );
        });
    };
    const offMessage = client.on('message', (event) => {
      if (event.chatId === chat.id) look();
    });
    const offMembers = client.on('members-changed', (event) => {
      if (event.chatId === chat.id && event.removed === true) look();
    });
    // Messages this home sent from another terminal arrive as our own envelopes, with no event.
    const timer = setInterval(look, FOLLOW_POLL_MS);
    await stopped;
    clearInterval(timer);
    offMessage();
    offMembers();
    await looking;
  } finally {
    await account.close();
  }
}

/** Every message with a local id above `lastId`, oldest first. */
async function messagesAfter(chat: Chat, lastId: number): Promise<StoredMessage[]> {
  const collected: StoredMessage[] = [];
  let page = await chat.history({ limit: PAGE });
  for (;;) {
    const newer = page.filter((message) => message.id > lastId);
    collected.unshift(...newer);
    const oldest = page[0];
    if (oldest === undefined || newer.length < page.length || page.length < PAGE) break;
    page = await chat.history({ before: oldest.id, limit: PAGE });
  }
  return collected;
}

/** Prints one message; a reply quotes the message it answers if this device holds it. */
async function print(ctx: CommandContext, chat: Chat, message: StoredMessage): Promise<void> {
  const { content } = message;
  const quoted = content.type === 'reply' ? await chat.message(toHex(content.to)) : undefined;
  const withId = ctx.args.flag('ids');
  ctx.out.result(
    messageJson(message),
    formatMessage(message, { ...(quoted === undefined ? {} : { quoted }), withId }),
  );
}

async function noticeStatus(ctx: CommandContext, chat: Chat): Promise<void> {
  const { status } = await chat.info();
  if (status === 'removed') {
    ctx.out.notice('You were removed from this chat: later messages are not readable here.');
  } else if (status === 'left') {
    ctx.out.notice('You left this chat: later messages are not readable here.');
  }
}
