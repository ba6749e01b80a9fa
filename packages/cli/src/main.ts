/**
 * The chat commands of `parley`: parse the command line, run the command, turn any failure into
 * a message with its code and an exit code (0 ok, 1 failed, 2 usage or config, 3 key file,
 * 4 relay unreachable). bin/parley.js calls runCli with the process's streams and environment.
 */
import { parseCommandLine } from './args.js';
import type { Command } from './command.js';
import { audit } from './commands/audit.js';
import { chatNew, chatsList, members } from './commands/chats.js';
import { exportChat } from './commands/export.js';
import { groupAdd, groupLeave, groupNew, groupRemove } from './commands/group.js';
import { idExport, idImport, idNew, idShow } from './commands/id.js';
import { deleteMessage, edit, react, reply } from './commands/message-actions.js';
import { read } from './commands/read.js';
import { register } from './commands/register.js';
import { send } from './commands/send.js';
import { verify } from './commands/verify.js';
import type { CliIo } from './context.js';
import { EXIT, describeError } from './errors.js';
import { Output } from './output.js';
import { resolveHome } from './state.js';

export type { CliIo } from './context.js';

/** Every chat command, in the order help lists them. */
const COMMANDS: readonly Command[] = [
  idNew,
  idShow,
  idExport,
  idImport,
  register,
  chatNew,
  groupNew,
  groupAdd,
  groupRemove,
  groupLeave,
  send,
  reply,
  react,
  edit,
  deleteMessage,
  read,
  chatsList,
  members,
  verify,
  exportChat,
  audit,
];

const GLOBAL_HELP = `Flags of every command:
  --home DIR              the state directory (else PARLEY_HOME, else ~/.parley)
  --passphrase-file FILE  the key file's passphrase (else PARLEY_PASSPHRASE, else a prompt)
  --json                  results as JSON on stdout, errors as JSON on stderr
  --help, -h              help

Exit codes: 0 ok, 1 failed, 2 usage or configuration, 3 key file (wrong passphrase,
unreadable), 4 relay unreachable, 5 verification or audit found a problem.
Reference: docs/cli.md.`;

/** The help of `parley` or of one command. */
function helpText(command: Command | undefined): string {
  if (command !== undefined) {
    const help = command.flagHelp ?? [];
    const width = Math.max(0, ...help.map(([flag]) => flag.length));
    const flags = help.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
    return [
      `usage: parley ${command.usage}`,
      '',
      command.summary,
      ...(flags.length > 0 ? ['', ...flags] : []),
      '',
      GLOBAL_HELP,
    ].join('\n');
  }
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'usage: parley COMMAND [flags]',
    '',
    ...COMMANDS.map((c) => `  parley ${c.usage.padEnd(width)}  ${c.summary}`),
    `  parley ${'relay start|invite'.padEnd(width)}  run or administer a relay`,
    '',
    GLOBAL_HELP,
  ].join('\n');
}

/** Runs one chat command; resolves with the process's exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const out = new Output({
    stdout: io.stdout,
    stderr: io.stderr,
    json: flags.includes('--json'),
    debug: io.env.PARLEY_DEBUG === '1',
  });
  try {
    const parsed = parseCommandLine(argv, COMMANDS);
    if (parsed.kind === 'help') {
      out.text(helpText(parsed.command));
      return EXIT.ok;
    }
    const home = resolveHome(parsed.args.string('home'), io.env, io.homeDir);
    await parsed.command.run({ io, out, home, args: parsed.args });
    return EXIT.ok;
  } catch (error) {
    const described = describeError(error);
    out.error(described);
    return described.exitCode;
  }
}
