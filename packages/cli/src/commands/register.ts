/** `parley register`: remember the relay and publish this device's key bundle there. */
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { withAccount } from '../session.js';
import { readConfig, writeConfig } from '../state.js';

export const register: Command = {
  words: ['register'],
  usage: 'register --relay URL [--invite CODE]',
  summary: 'save the relay and publish this account',
  positionals: [],
  options: { relay: { type: 'string' }, invite: { type: 'string' } },
  flagHelp: [
    ['--relay URL', 'the relay, e.g. http://127.0.0.1:8787 (optional once saved)'],
    ['--invite CODE', 'an invite code, for relays that admit accounts by invitation'],
  ],
  async run(ctx) {
    const config = await readConfig(ctx.home);
    const given = ctx.args.string('relay');
    if (given === undefined && config.relayUrl === undefined) {
      throw new CliError('CLI_USAGE', '(--relay URL is required)');
    }
    const relayUrl = given === undefined ? (config.relayUrl ?? '') : relayUrlArg(given);
    if (config.relayUrl !== undefined && config.relayUrl !== relayUrl) {
      // Chats live on their relay: a home that moved would keep chats it can no longer reach.
      throw new CliError('CLI_OTHER_RELAY', `(${config.relayUrl}, not ${relayUrl})`);
    }
    const invite = ctx.args.string('invite');
    const accountId = await withAccount(
      ctx,
      async ({ client }) => {
        await client.register();
        await client.sync();
        return client.accountId;
      },
      { relayUrl, sync: false, ...(invite === undefined ? {} : { inviteCode: invite }) },
    );
    await writeConfig(ctx.home, { ...(await readConfig(ctx.home)), relayUrl });
    ctx.out.result({ accountId, relayUrl }, `Registered ${accountId} on ${relayUrl}`);
  },
};

/**
 * A relay URL from the command line, without a trailing slash.
 * @throws CliError CLI_USAGE
 */
function relayUrlArg(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new CliError('CLI_USAGE', `(--relay: "${text}" is not a URL)`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('CLI_USAGE', '(--relay: the URL must start with http:// or https://)');
  }
  return url.href.replace(/\/+$/, '');
}
