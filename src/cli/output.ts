import { writeFileAtomic } from '../util/atomicWrite.ts';
import { InputError, isInputError } from '../util/errors.ts';

/** Print a result: JSON for scripts (--json), otherwise the command's own text. */
export function emit<T>(result: T, json: boolean | undefined, text: (r: T) => string): void {
  process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : text(result));
}

export function writeOutput(path: string, content: string): void {
  writeFileAtomic(path, content);
}

/** Parse a number option, or throw an InputError naming the option. */
export function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!Number.isFinite(x)) throw new InputError(`option ${name}: expected a number, got '${value}'`);
  return x;
}

export function listOption(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
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

// Kept for the structure commands until they move to declared parameters.
export { fixed, table } from '../figures/text.ts';
