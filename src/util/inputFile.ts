/**
 * Reading an input file within a size limit: what is not a readable file is
 * refused in one line naming the path once (no Node error text), a file over
 * the limit is refused from its size before it is read, and a stream without
 * a size (a pipe, /dev/zero) is refused once it passes the limit. Text comes
 * in 1 MB chunks, so a reader can stop early and a large file is never held
 * whole.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from './errors.ts';

/** What a file-system error code means to a user. */
export const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'a file is in the way',
  EBUSY: 'device or resource busy',
  EINVAL: 'not a place a file can be written',
  EIO: 'input/output error',
};

/** The InputError for a file-system error on the user's path, or `e` itself when it is not one. */
export function fileError(e: unknown, path: string, what: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  return new InputError(`${what}${FILE_PROBLEMS[code] ?? code}`, { file: path });
}

const CHUNK_BYTES = 1 << 20;
const MB = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

/**
 * Call `visit` with the decoded text of the file, chunk by chunk (`final` on the
 * last call, with what the decoder held back), until it returns false.
 * `what` names the kind of file in messages ('structure file', 'model file').
 */
export function visitTextChunks(path: string, what: string, maxBytes: number, visit: (text: string, final: boolean) => boolean | void): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fileError(e, path, `cannot read the ${what}: `);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError(`cannot read the ${what}: it is a directory`, { file: path });
    if (stat.size > maxBytes) throw new InputError(`the ${what} is ${MB(stat.size)}; ${what}s are read up to ${MB(maxBytes)} (see README, Known limits)`, { file: path });
    const decoder = new TextDecoder('utf-8');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw fileError(e, path, `cannot read the ${what}: `);
      }
      total += n;
      // special files (pipes, /dev/zero) report size 0: the byte cap still holds
      if (total > maxBytes) throw new InputError(`the ${what} is longer than ${MB(maxBytes)}; ${what}s are read up to that size (see README, Known limits)`, { file: path });
      const bytes = buffer.subarray(0, n);
      if (bytes.indexOf(0) >= 0) throw new InputError(`the ${what} contains NUL bytes: not a text file (compressed or binary?)`, { file: path });
      const final = n === 0;
      if (visit(final ? decoder.decode() : decoder.decode(bytes, { stream: true }), final) === false || final) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** The whole text of a file of at most `maxBytes` (see visitTextChunks). */
export function readTextFile(path: string, what: string, maxBytes: number): string {
  const parts: string[] = [];
  visitTextChunks(path, what, maxBytes, (text) => {
    parts.push(text);
  });
  return parts.join('');
}
