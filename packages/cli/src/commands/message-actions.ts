/**
 * `parley reply|react|edit|delete CHAT MESSAGE …`: answer, react to, edit or delete one message
 * of a chat. MESSAGE is its id as `parley read --ids` prints it (`3` or `#3`) or its entry hash
 * (64 hex digits, `hash` in `--json`).
 */
import type { Chat, MessageRef, StoredMessage } from '@parley/client';
import type { Command } from '../command.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { messageJson } from '../output.js';
import { withAccount } from '../session.js';

/** The message a MESSAGE argument names. @throws CliError CLI_USAGE if it is neither form */
function messageRefArg(value: string): MessageRef {
  const id = value.startsWith('#') ? value.slice(1) : value;
  if (/^[1-9][0-9]{0,14}$/.test(id)) return Number(id);
  if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
  throw new CliError('CLI_USAGE', '(MESSAGE is a message id like 3 or #3, or a 64-hex hash)');
}

/** Runs `act` on the chat and message named by the first two positionals; prints the result. */
async function actOn(
  ctx: CommandContext,
  done: string,
  act: (chat: Chat, ref: MessageRef) => Promise<StoredMessage>,
): Promise<void> {
  const ref = messageRefArg(ctx.args.positional(1));
  await withAccount(ctx, async ({ client }) => {
    const chat = await client.chats.get(ctx.args.positional(0));
    const message = await act(chat, ref);
    ctx.out.result(messageJson(message), done);
  });
}

/** The words after CHAT and MESSAGE, joined; @throws CliError CLI_USAGE if empty. */
function textArg(ctx: CommandContext): string {
  const text = ctx.args.positionals.slice(2).join(' ');
  if (text.trim() === '') throw new CliError('CLI_USAGE', '(the text is empty)');
  return text;
}

/** `parley reply CHAT MESSAGE TEXT...` */
export const reply: Command = {
  words: ['reply'],
  usage: 'reply CHAT MESSAGE TEXT...',
  summary: 'send a message that answers MESSAGE',
  positionals: ['CHAT', 'MESSAGE', 'TEXT...'],
  options: {},
  async run(ctx) {
    const text = textArg(ctx);
    await actOn(ctx, 'Replied', (chat, ref) => chat.reply(ref, text));
  },
};

/** `parley react CHAT MESSAGE EMOJI [--remove]` */
export const react: Command = {
  words: ['react'],
  usage: 'react CHAT MESSAGE EMOJI [--remove]',
  summary: 'react to MESSAGE (--remove: take the reaction back)',
  positionals: ['CHAT', 'MESSAGE', 'EMOJI'],
  options: { remove: { type: 'boolean' } },
  flagHelp: [['--remove', 'take back your EMOJI reaction']],
  async run(ctx) {
    const emoji = ctx.args.positional(2);
    const remove = ctx.args.flag('remove');
    await actOn(ctx, remove ? 'Reaction taken back' : 'Reacted', (chat, ref) =>
      remove ? chat.unreact(ref, emoji) : chat.react(ref, emoji),
    );
  },
};

/** `parley edit CHAT MESSAGE TEXT...` */
export const edit: Command = {
  words: ['edit'],
  usage: 'edit CHAT MESSAGE TEXT...',
  summary: 'replace the text of your MESSAGE',
  positionals: ['CHAT', 'MESSAGE', 'TEXT...'],
  options: {},
  async run(ctx) {
    const text = textArg(ctx);
    await actOn(ctx, 'Edited', (chat, ref) => chat.edit(ref, text));
  },
};

/** `parley delete CHAT MESSAGE` */
export const deleteMessage: Command = {
  words: ['delete'],
  usage: 'delete CHAT MESSAGE',
  summary: 'delete your MESSAGE for every member (it stays as "message deleted")',
  positionals: ['CHAT', 'MESSAGE'],
  options: {},
  async run(ctx) {
    await actOn(ctx, 'Deleted', (chat, ref) => chat.delete(ref));
  },
};
