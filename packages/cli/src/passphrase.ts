/**
 * Where the key file's passphrase comes from: `--passphrase-file FILE`, else PARLEY_PASSPHRASE,
 * else a prompt on the terminal that does not echo. A script without any of them gets
 * CLI_PASSPHRASE_REQUIRED rather than a prompt that would hang.
 */
import type { CliIo, Stdin } from './context.js';
import { CliError } from './errors.js';
import { readUserFile } from './state.js';
import { graphemes } from './text.js';

/** How the passphrase is asked for. */
export interface PassphraseRequest {
  readonly file: string | undefined;
  /** `new`: for a key file about to be written (typed twice, must not be empty). */
  readonly purpose: 'unlock' | 'new';
  /** What the prompt names, e.g. the key file's path. */
  readonly label: string;
}

/**
 * The passphrase, from the first source that has one.
 * @throws CliError CLI_PASSPHRASE_REQUIRED | CLI_PASSPHRASE_MISMATCH | CLI_FILE_UNREADABLE |
 *   CLI_INTERRUPTED
 */
export async function readPassphrase(io: CliIo, request: PassphraseRequest): Promise<string> {
  let passphrase: string | undefined;
  if (request.file !== undefined) {
    const text = (await readUserFile(request.file)).toString('utf8');
    // The file's first line; a trailing newline is how editors and `echo` end files.
    passphrase = text.split(/\r?\n/)[0] ?? '';
  } else if (io.env.PARLEY_PASSPHRASE !== undefined && io.env.PARLEY_PASSPHRASE !== '') {
    passphrase = io.env.PARLEY_PASSPHRASE;
  } else if (io.stdin.isTTY === true && io.stdin.setRawMode !== undefined) {
    passphrase = await promptHidden(io.stdin, io.stderr, `Passphrase for ${request.label}: `);
    if (request.purpose === 'new') {
      const again = await promptHidden(io.stdin, io.stderr, 'Type it again: ');
      if (again !== passphrase) throw new CliError('CLI_PASSPHRASE_MISMATCH');
    }
  } else {
    throw new CliError('CLI_PASSPHRASE_REQUIRED');
  }
  if (request.purpose === 'new' && passphrase.length === 0) {
    throw new CliError('CLI_PASSPHRASE_REQUIRED', '(the passphrase is empty)');
  }
  return passphrase;
}

/** Reads one line from a terminal in raw mode, echoing nothing. */
function promptHidden(stdin: Stdin, stderr: CliIo['stderr'], question: string): Promise<string> {
  stderr.write(question);
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && value === '')) {
          // Ctrl-C, or Ctrl-D on an empty line: raw mode turned them into bytes.
          finish();
          reject(new CliError('CLI_INTERRUPTED'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = graphemes(value).slice(0, -1).join('');
        else if (char === '\u0015') value = '';
        else if (char >= ' ') value += char;
      }
    };
    stdin.on('data', onData);
  });
}
