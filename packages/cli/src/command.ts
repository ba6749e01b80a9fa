/** A command of the CLI: its syntax (for the parser and help) and what it does. */
import type { CommandSyntax } from './args.js';
import type { CommandContext } from './context.js';

/** One `parley …` command. */
export interface Command extends CommandSyntax {
  /** Runs the command; returning means success (exit code 0), throwing maps to an exit code. */
  run(ctx: CommandContext): Promise<void>;
}
