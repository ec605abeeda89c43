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
 *    behind: while a write is under way the signal is held (util/stop.ts; the
 *    write is synchronous, and a kill in the middle of it is what used to leave
 *    the file), the write finishes or is removed, and the process then exits
 *    with the conventional code 128 + signal number (130 for Ctrl-C).
 *  - Only a regular file (or a link to one) is replaced: a device node, a FIFO
 *    or a socket at the path is refused, never swapped for a file.
 */
import { chmodSync, lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from './errors.ts';
import { onStop } from './stop.ts';
import { fileError } from './inputFile.ts';

/** An error of the file system about the user's path → InputError naming that path; anything else passes. */
function asInputError(e: unknown, path: string, what: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  // a missing folder is created; ENOENT after that means the path cannot hold a file (e.g. in /proc)
  if (code === 'ENOENT') return new InputError(`cannot write the output file: ${what}the folder does not take new files`, { file: path });
  return fileError(e, path, `cannot write the output file: ${what}`);
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

function kindOf(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/** The file `path` finally names (its folder created) and a fresh temporary name beside it; only a regular file is replaced. */
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
    if (!st.isFile()) throw new InputError(`cannot write the output file: it is ${kindOf(st)}, not a regular file (cescreen replaces only regular files)`, { file: path });
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

/** Run `write(tmp)` (synchronous, or a promise), then rename over the target; on any failure or a stop, remove tmp. */
function atomically<R extends void | Promise<void>>(path: string, write: (tmp: string, mode?: number) => R): R {
  const { target, tmp, mode } = prepareTarget(path);
  const release = onStop(() => rmSync(tmp, { force: true }));
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
    release();
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
