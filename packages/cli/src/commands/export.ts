/** `parley export CHAT --out FILE`: writes a verifiable transcript of a chat, never overwriting. */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { withAccount } from '../session.js';
import { writeNewFile } from '../state.js';

/** The `export` command. */
export const exportChat: Command = {
  words: ['export'],
  usage: 'export CHAT --out FILE',
  summary: 'write a verifiable transcript of a chat',
  positionals: ['CHAT'],
  options: { out: { type: 'string' } },
  flagHelp: [['--out FILE', 'the transcript file to create (never overwritten)']],
  async run(ctx) {
    const target = ctx.args.string('out');
    if (target === undefined) throw new CliError('CLI_USAGE', '(--out FILE is required)');
    const path = resolve(target);
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(ctx.args.positional(0));
      const bytes = await chat.export();
      await writeNewFile(path, bytes);
      ctx.out.result({ file: path, bytes: bytes.length }, `Transcript written to ${path}`);
    });
  },
};
