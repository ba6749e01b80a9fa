/**
 * Printing: results on stdout (human lines, or JSON with --json), notices, warnings and errors on
 * stderr. Errors name their code and never show a stack unless PARLEY_DEBUG=1.
 */
import type { StoredMessage } from '@parley/client';
import type { Sink } from './context.js';
import type { DescribedError } from './errors.js';
import { toHex } from '@parley/core';
import { clip, graphemes } from './text.js';

/** Where and how a command prints. */
export class Output {
  readonly json: boolean;
  readonly #stdout: Sink;
  readonly #stderr: Sink;
  readonly #debug: boolean;

  constructor(options: { stdout: Sink; stderr: Sink; json: boolean; debug: boolean }) {
    this.#stdout = options.stdout;
    this.#stderr = options.stderr;
    this.json = options.json;
    this.#debug = options.debug;
  }

  /** A command's result: `json` as one line with --json, else the human lines. */
  result(json: unknown, human: string | readonly string[]): void {
    if (this.json) this.#stdout.write(`${JSON.stringify(json)}\n`);
    else for (const line of typeof human === 'string' ? [human] : human) this.#line(line);
  }

  /** Plain text on stdout whatever the mode (help). */
  text(text: string): void {
    this.#stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Something people may want to know; not part of the result (stderr, human mode only). */
  notice(text: string): void {
    if (!this.json) this.#stderr.write(`${text}\n`);
  }

  /** A failure that does not stop the command (stderr). */
  warning(code: string, message: string): void {
    if (this.json) this.#stderr.write(`${JSON.stringify({ warning: { code, message } })}\n`);
    else this.#stderr.write(`parley: warning ${code}: ${message}\n`);
  }

  /** Details for PARLEY_DEBUG=1 (stderr). */
  debug(text: string): void {
    if (this.#debug) this.#stderr.write(`parley: debug: ${text}\n`);
  }

  /** The error that ends the command (stderr). */
  error(error: DescribedError): void {
    if (this.json) {
      const { code, message, exitCode, hint } = error;
      this.#stderr.write(`${JSON.stringify({ error: { code, message, exitCode, hint } })}\n`);
    } else {
      this.#stderr.write(`parley: ${error.code}: ${error.message}\n`);
      if (error.hint !== undefined) this.#stderr.write(`  hint: ${error.hint}\n`);
    }
    if (this.#debug) this.#stderr.write(`${error.debug}\n`);
  }

  #line(line: string): void {
    this.#stdout.write(`${line}\n`);
  }
}

/** `YYYY-MM-DD HH:MM:SS` in local time. */
export function formatTime(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
  );
}

/** An account id cut to `length` characters with an ellipsis, for tables. */
export function shortId(id: string, length = 12): string {
  return id.length <= length ? id : `${id.slice(0, length)}…`;
}

/**
 * What a message shows in one line: its text (a reply quotes the start of the message it
 * answers, when known), "message deleted", or "unsupported message" with its type.
 */
export function shownText(message: StoredMessage, quoted?: StoredMessage): string {
  const { content } = message;
  switch (content.type) {
    case 'text':
      return content.text;
    case 'reply': {
      const quote = quoted === undefined ? 'a message' : `"${clip(shownText(quoted), 30)}"`;
      return `↪ ${quote}: ${content.text}`;
    }
    case 'deleted':
      return 'message deleted';
    case 'unsupported':
      return `unsupported message (${content.originalType})`;
  }
}

/** `  (edited)  [👍 2 🎉 1]`: what happened to a message since it was sent. */
function marks(message: StoredMessage): string {
  const edited = message.editedAt === undefined ? '' : '  (edited)';
  const reactions = Object.entries(message.reactions)
    .map(([emoji, accounts]) => `${emoji} ${accounts.length}`)
    .join(' ');
  return `${edited}${reactions === '' ? '' : `  [${reactions}]`}`;
}

/**
 * `time  author  text`: one line of `parley read`; the author is `you` for own messages; with
 * `withId`, the line starts with the local id (`#3`) that reply, react, edit and delete take.
 */
export function formatMessage(
  message: StoredMessage,
  options: { quoted?: StoredMessage; withId?: boolean } = {},
): string {
  const author = message.own ? 'you' : shortId(message.author);
  const status =
    message.status === 'queued'
      ? '  (queued)'
      : message.status === 'failed'
        ? '  (not delivered)'
        : '';
  // One message, one line: a newline inside the text would look like another message.
  const text = shownText(message, options.quoted).replace(/\r?\n/g, ' ⏎ ');
  const id = options.withId === true ? `#${message.id}  ` : '';
  return `${id}${formatTime(message.sentAt)}  ${author.padEnd(13)}  ${text}${marks(message)}${status}`;
}

/** A message as `--json` prints it (`text` is what it shows; `content` says what it is). */
export function messageJson(message: StoredMessage) {
  const { content } = message;
  return {
    chatId: message.chatId,
    id: message.id,
    hash: message.hash ?? null,
    author: message.author,
    own: message.own,
    type: content.type,
    text: content.type === 'reply' ? content.text : shownText(message),
    ...(content.type === 'reply' ? { replyTo: toHex(content.to) } : {}),
    edited: message.editedAt !== undefined,
    reactions: message.reactions,
    sentAt: message.sentAt,
    status: message.status,
    seq: message.seq ?? null,
    cid: message.cid ?? null,
  };
}

/** Rows as columns padded to their widest cell, two spaces apart. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, graphemes(cell).length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) =>
        index === row.length - 1
          ? cell
          : cell + ' '.repeat((widths[index] ?? 0) - graphemes(cell).length),
      )
      .join('  '),
  );
}
