/** `parley chats`, `parley chat new --with ID` and `parley members CHAT`: listing and opening chats. */
import type { ChatSummary } from '@parley/client';
import { accountIdArg } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { formatTime, messageJson, shortId, shownText, table } from '../output.js';
import { withAccount } from '../session.js';
import { clip } from '../text.js';

export const chatNew: Command = {
  words: ['chat', 'new'],
  usage: 'chat new --with ID',
  summary: 'open a pair chat; prints its id',
  positionals: [],
  options: { with: { type: 'string' } },
  flagHelp: [['--with ID', 'the account id of the other person']],
  async run(ctx) {
    const peerText = ctx.args.string('with');
    if (peerText === undefined) throw new CliError('CLI_USAGE', '(--with ID is required)');
    const peer = accountIdArg(peerText);
    await withAccount(ctx, async ({ client }) => {
      if (peer === client.accountId) {
        throw new CliError('CLI_USAGE', '(--with names your own account)');
      }
      const chat = await client.chats.openPair(peer);
      ctx.out.result({ chatId: chat.id }, chat.id);
    });
  },
};

export const chatsList: Command = {
  words: ['chats'],
  usage: 'chats',
  summary: 'list chats and their last messages',
  positionals: [],
  options: {},
  async run(ctx) {
    await withAccount(ctx, async ({ client }) => {
      const chats = await client.chats.list();
      ctx.out.result(
        { chats: chats.map(summaryJson) },
        chats.length === 0
          ? ['No chats yet: start one with `parley chat new --with ID` or `parley group new NAME`.']
          : table([
              ['ID', 'KIND', 'NAME', 'MEMBERS', 'LAST MESSAGE'],
              ...chats.map((chat) => summaryRow(chat, client.accountId)),
            ]),
      );
    });
  },
};

export const members: Command = {
  words: ['members'],
  usage: 'members CHAT',
  summary: 'list the account ids in a chat',
  positionals: ['CHAT'],
  options: {},
  async run(ctx) {
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(ctx.args.positional(0));
      const accounts = await chat.members();
      ctx.out.result(
        { chatId: chat.id, members: accounts },
        accounts.map((account) => (account === client.accountId ? `${account}  (you)` : account)),
      );
    });
  },
};

function summaryJson(chat: ChatSummary) {
  return {
    id: chat.id,
    kind: chat.kind,
    name: chat.name,
    status: chat.status,
    members: chat.members,
    lastMessage: chat.lastMessage === undefined ? null : messageJson(chat.lastMessage),
  };
}

function summaryRow(chat: ChatSummary, self: string): string[] {
  const name = chat.kind === 'pair' ? shortId(chat.name) : chat.name;
  const status = chat.status === 'active' ? '' : ` (${chat.status})`;
  const last = chat.lastMessage;
  const lastText =
    last === undefined
      ? '-'
      : `${formatTime(last.sentAt)} ${last.author === self ? 'you' : shortId(last.author)}: ${clip(shownText(last).replace(/\s+/g, ' '), 40)}`;
  return [chat.id, chat.kind, `${name}${status}`, String(chat.members.length), lastText];
}
