// Argument handling every subcommand shares: node:util parseArgs with -h/--help built in, and the
// "problem, blank line, usage" message with exit code 2 for wrong usage (POSIX convention).
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const;

type ParsedCommand<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_OPTION; allowPositionals: true }>
>;

/** Wrong usage found deep inside a command (a missing flag, a bad value): exit 2 with the usage. */
export class UsageError extends Error {}

/** Prints `zo-studio <command>: <problem>` above the usage; returns exit code 2. */
export function usageError(command: string, usage: string, problem: string): number {
  process.stderr.write(`zo-studio ${command}: ${problem}\n\n${usage}`);
  return 2;
}

/**
 * Parses a subcommand's arguments (`options` plus -h/--help). Returns the parsed flags and positionals,
 * or the exit code to return at once: 0 after printing the usage for --help, 2 after naming an unknown
 * or malformed flag (or any positional, for a command that takes none: `positionals` is then empty).
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(
  command: string,
  usage: string,
  argv: string[],
  options: O,
  { allowPositionals = true }: { allowPositionals?: boolean } = {},
): ParsedCommand<O> | number {
  let parsed: ParsedCommand<O>;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, allowPositionals });
  } catch (error) {
    return usageError(command, usage, (error as Error).message);
  }
  // TypeScript cannot resolve `help` inside the still-generic result type; it is always there.
  if ((parsed.values as { help: boolean }).help) {
    process.stdout.write(usage);
    return 0;
  }
  return parsed;
}

/**
 * The exit code for an error a command did not handle: 2 with the usage for a UsageError, else 1 with
 * the message alone (store, data and validation errors carry their own explanation; no stack trace).
 */
export function commandFailed(command: string, usage: string, error: unknown): number {
  if (error instanceof UsageError) return usageError(command, usage, error.message);
  process.stderr.write(`zo-studio ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
