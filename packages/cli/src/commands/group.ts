/** `parley group new|add|remove|leave`: group chats and their members. */
import type { AccountId } from '@parley/core';
import { accountIdArg } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { withAccount } from '../session.js';

export const groupNew: Command = {
  words: ['group', 'new'],
  usage: 'group new NAME [--members ID,ID]',
  summary: 'create a group chat; prints its id',
  positionals: ['NAME'],
  options: { members: { type: 'string' } },
  flagHelp: [['--members ID,ID', 'account ids to invite, comma-separated']],
  async run(ctx) {
    const name = ctx.args.positional(0).trim();
    if (name === '') throw new CliError('CLI_USAGE', '(the group name is empty)');
    const invitees = memberListArg(ctx.args.string('members') ?? '');
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.createGroup({ name, members: invitees });
      ctx.out.result({ chatId: chat.id, members: await chat.members() }, chat.id);
    });
  },
};

export const groupAdd: Command = {
  words: ['group', 'add'],
  usage: 'group add CHAT ID',
  summary: 'add an account to a group chat',
  positionals: ['CHAT', 'ID'],
  options: {},
  async run(ctx) {
    const account = accountIdArg(ctx.args.positional(1));
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(ctx.args.positional(0));
      await chat.addMember(account);
      ctx.out.result(
        { chatId: chat.id, added: account, members: await chat.members() },
        `Added ${account}`,
      );
    });
  },
};

export const groupRemove: Command = {
  words: ['group', 'remove'],
  usage: 'group remove CHAT ID',
  summary: 'remove an account (rotates every key)',
  positionals: ['CHAT', 'ID'],
  options: {},
  async run(ctx) {
    const account = accountIdArg(ctx.args.positional(1));
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(ctx.args.positional(0));
      await chat.removeMember(account);
      ctx.out.result(
        { chatId: chat.id, removed: account, members: await chat.members() },
        `Removed ${account}`,
      );
    });
  },
};

export const groupLeave: Command = {
  words: ['group', 'leave'],
  usage: 'group leave CHAT',
  summary: 'leave a group chat',
  positionals: ['CHAT'],
  options: {},
  async run(ctx) {
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(ctx.args.positional(0));
      await chat.leave();
      ctx.out.result({ chatId: chat.id, left: true }, `Left ${chat.id}`);
    });
  },
};

/**
 * `ID,ID,…` as account ids, without duplicates.
 * @throws CoreError CORE_ACCOUNT_ID_INVALID
 */
function memberListArg(text: string): AccountId[] {
  const ids = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  return [...new Set(ids.map(accountIdArg))];
}
