/** `parley send CHAT TEXT`: encrypt and post one message. */
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { messageJson } from '../output.js';
import { withAccount } from '../session.js';

export const send: Command = {
  words: ['send'],
  usage: 'send CHAT TEXT...',
  summary: 'send a message',
  positionals: ['CHAT', 'TEXT...'],
  options: {},
  async run(ctx) {
    const text = ctx.args.positionals.slice(1).join(' ');
    if (text.trim() === '') throw new CliError('CLI_USAGE', '(the message is empty)');
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(ctx.args.positional(0));
      // `sent` with its relay seq, or still `queued` if the relay did not take it.
      const message = await chat.send(text);
      if (message.status === 'queued') {
        ctx.out.result(
          messageJson(message),
          'Queued: the relay did not take it yet; the next parley command that syncs sends it.',
        );
      } else {
        ctx.out.result(messageJson(message), `Sent (relay seq ${message.seq ?? '?'})`);
      }
    });
  },
};
