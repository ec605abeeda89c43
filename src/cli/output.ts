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
