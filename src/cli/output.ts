import type { Command } from 'commander';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { isInputError } from '../util/errors.ts';

/** Print a result: JSON for scripts (--json), otherwise the command's own text. */
export function emit<T>(result: T, json: boolean | undefined, text: (r: T) => string): void {
  process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : text(result));
}

export function writeOutput(path: string, content: string): void {
  writeFileAtomic(path, content);
}

/** What a reader tolerated or guessed, one line each on stderr, so a repaired file is never read silently. */
export function warn(file: string, warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`cescreen: warning: ${file}: ${w}\n`);
}

/**
 * Exit codes: 0 ok, 2 bad input (message only), 1 internal error. A stack trace
 * is printed only with CESCREEN_DEBUG set, for bug reports.
 */
export function fail(e: unknown): never {
  if (isInputError(e)) {
    process.stderr.write(`cescreen: ${e.message}\n`);
    process.exit(2);
  }
  const err = e as Error;
  if ((err as { code?: string })?.code?.startsWith?.('commander.')) process.exit(2);
  process.stderr.write(`cescreen: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.CESCREEN_DEBUG) process.stderr.write(`${err?.stack}\n`);
  process.exit(1);
}

/**
 * Command-line mistakes in one line each, with commander's nearest match and a
 * pointer to the command's help (not the whole help: a typo used to print 133
 * lines). An unknown option is reported before a missing required one, since
 * a mistyped required option is both.
 */
export function oneLineErrors(cmd: Command, path = cmd.name()): void {
  cmd.showHelpAfterError(false);
  cmd.configureOutput({
    outputError: (message, write) => {
      const text = message.trim().replace(/^error: /, '').replace(/\s*\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)');
      write(`cescreen: ${text}; see '${path} --help'\n`);
    },
  });
  if (cmd.commands.length === 0) {
    const parseOptions = cmd.parseOptions.bind(cmd);
    cmd.parseOptions = (argv) => {
      const parsed = parseOptions(argv);
      const unknown = parsed.unknown.find((a) => a.startsWith('-') && a !== '--help' && a !== '-h');
      // commander's own message, with its nearest-option suggestion (a method its types leave out)
      if (unknown !== undefined) (cmd as unknown as { unknownOption(flag: string): never }).unknownOption(unknown);
      return parsed;
    };
  }
  for (const sub of cmd.commands) oneLineErrors(sub, `${path} ${sub.name()}`);
}
