/**
 * Output files are written to a temporary file in the same folder and renamed
 * over the target, so a reader never sees half a file.
 *
 *  - A problem with the user's path (a read-only or missing folder, a path that
 *    is a directory, /proc, no permission, a full disk) is an InputError naming
 *    that path, never the temporary file.
 *  - An overwritten file keeps its permission bits (a mode-600 file stays 600).
 *  - Writing through a symbolic link updates the file it points to and keeps the
 *    link (the link is resolved first, and the temporary file is renamed over
 *    its target), as `>` in a shell does.
 *  - SIGINT, SIGTERM or SIGHUP during a write never leave the temporary file
 *    behind: while a write is under way the signal is held (the write is
 *    synchronous, and a kill in the middle of it is what used to leave the
 *    file), the write finishes or is removed, and the process then exits with
 *    the conventional code 128 + signal number (130 for Ctrl-C). The handler
 *    stays until the event loop has turned twice after the write, so a signal
 *    that arrived during it is delivered to it, not lost.
 */
import { chmodSync, lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from './errors.ts';

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type HeldSignal = keyof typeof SIGNALS;

/** Temporary files being written now; removed by the signal handler. */
const pending = new Set<string>();
let writesInFlight = 0;
let installed = false;

function onSignal(signal: HeldSignal): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
  process.exit(128 + SIGNALS[signal]);
}

function holdSignals(): void {
  writesInFlight++;
  if (installed) return;
  installed = true;
  for (const s of Object.keys(SIGNALS) as HeldSignal[]) process.on(s, onSignal);
}

function releaseSignals(): void {
  writesInFlight--;
  // a signal caught during the write is dispatched on the next turn of the event loop
  setImmediate(() =>
    setImmediate(() => {
      if (writesInFlight > 0 || !installed) return;
      installed = false;
      for (const s of Object.keys(SIGNALS) as HeldSignal[]) process.off(s, onSignal);
    }),
  );
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'the folder does not take new files',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'a file is in the way',
  EBUSY: 'device or resource busy',
  EINVAL: 'not a place a file can be written',
};

/** An error of the file system about the user's path → InputError naming that path; anything else passes. */
function asInputError(e: unknown, path: string, what: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  return new InputError(`cannot write the output file: ${what}${REASONS[code] ?? code} (${code})`, { file: path });
}

/** The file a path finally names, following symbolic links (also dangling ones: the link's target is created). */
function resolveTarget(path: string): string {
  let target = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let link: boolean;
    try {
      link = lstatSync(target).isSymbolicLink();
    } catch {
      return target; // does not exist yet
    }
    if (!link) return target;
    target = resolve(dirname(target), readlinkSync(target));
  }
  throw new InputError(`cannot write the output file: too many levels of symbolic links`, { file: path });
}

/** The file `path` finally names (its folder created) and a fresh temporary name beside it. */
function prepareTarget(path: string): { target: string; tmp: string; mode?: number } {
  const target = resolveTarget(path);
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw asInputError(e, path, `cannot create the folder ${dir}: `);
  }
  let mode: number | undefined;
  try {
    const st = statSync(target);
    if (st.isDirectory()) throw new InputError(`cannot write the output file: it is a directory (expected a file name)`, { file: path });
    mode = st.mode & 0o7777;
  } catch (e) {
    if (e instanceof InputError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw asInputError(e, path, '');
  }
  return { target, mode, tmp: join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`) };
}

/** Write through a temporary file and rename, so an interrupted run leaves no half file (see above). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  atomically(path, (tmp, mode) => writeFileSync(tmp, data, { flag: 'wx', ...(mode !== undefined ? { mode } : {}) }));
}

/**
 * The same for a writer that creates the file itself (a database's COPY … TO):
 * `write(tmp)` writes the whole file at `tmp`, which is renamed over `path`
 * when it resolves and removed when it throws or a signal arrives meanwhile.
 */
export function writeAtomicWith(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  return atomically(path, write);
}

/** Run `write(tmp)` (synchronous, or a promise), then rename over the target; on any failure remove tmp. */
function atomically<R extends void | Promise<void>>(path: string, write: (tmp: string, mode?: number) => R): R {
  const { target, tmp, mode } = prepareTarget(path);
  holdSignals();
  pending.add(tmp);
  const settle = (failure?: { error: unknown }) => {
    let error = failure?.error;
    if (!failure) {
      try {
        // the creation mode is masked by the umask: set the old file's bits exactly
        if (mode !== undefined) chmodSync(tmp, mode);
        renameSync(tmp, target);
      } catch (e) {
        failure = { error: (error = e) };
      }
    }
    if (failure) rmSync(tmp, { force: true });
    pending.delete(tmp);
    releaseSignals();
    if (failure) throw asInputError(error, path, '');
  };
  let r: R;
  try {
    r = write(tmp, mode);
  } catch (error) {
    settle({ error });
    throw error; // not reached: settle threw
  }
  if (r instanceof Promise) {
    // resolve once the signal handler is gone again, so a long computation after an awaited write
    // is not left holding SIGINT/SIGTERM (they would wait for it to end)
    const turns = () => new Promise<void>((done) => setImmediate(() => setImmediate(() => setImmediate(done))));
    return r.then(() => settle(), (error: unknown) => settle({ error })).finally(turns) as R;
  }
  settle();
  return r;
}
