/**
 * Line-by-line reading of structure files in fixed-size chunks, so a reader can
 * stop as soon as it knows enough (e.g. that the structure is too large) and a
 * 2 GB file is never held in memory.
 */
import { InputError } from '../util/errors.ts';
import { visitTextChunks } from '../util/inputFile.ts';
import { MAX_STRUCTURE_FILE_BYTES } from '../util/limits.ts';

/** Called with each line (without its line break) and its 1-based number; return false to stop reading. */
export type LineVisitor = (text: string, line: number) => boolean | void;

/** No structure file has lines this long (CIF 1.1 allows 2048 characters); longer means not a text file. */
const MAX_LINE_CHARS = 1 << 20;

/** Splits decoded text into lines across chunk boundaries (\n, \r\n and \r all end a line). */
class LineSplitter {
  private carry = '';
  private line = 0;
  private stopped = false;
  constructor(
    private readonly visit: LineVisitor,
    private readonly file?: string,
  ) {}

  /** Feed decoded text; false once the visitor asked to stop. */
  push(chunk: string, final: boolean): boolean {
    if (this.stopped) return false;
    let text = this.carry + chunk;
    if (this.line === 0 && this.carry === '' && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const breaks = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = breaks.exec(text); m; m = breaks.exec(text)) {
      // a '\r' ending the chunk may be the first half of '\r\n'
      if (!final && m[0] === '\r' && m.index === text.length - 1) break;
      if (this.emit(text.slice(start, m.index)) === false) return false;
      start = m.index + m[0].length;
    }
    this.carry = text.slice(start);
    if (this.carry.length > MAX_LINE_CHARS) {
      throw new InputError(`line ${this.line + 1} is longer than ${MAX_LINE_CHARS} characters: not a structure text file`, { file: this.file, line: this.line + 1 });
    }
    if (final && this.carry !== '') {
      const last = this.carry;
      this.carry = '';
      return this.emit(last);
    }
    return true;
  }

  private emit(text: string): boolean {
    this.line++;
    if (this.visit(text, this.line) === false) this.stopped = true;
    return !this.stopped;
  }
}

/** Visit the lines of a string (same line numbering as for a file). */
export function visitLinesOfText(text: string, visit: LineVisitor, file?: string): void {
  new LineSplitter(visit, file).push(text, true);
}

/**
 * Visit the lines of a text file, reading 1 MB at a time and stopping when the
 * visitor returns false. Refuses by name, before reading, what is not a
 * readable regular file of at most MAX_STRUCTURE_FILE_BYTES; refuses a file
 * with NUL bytes (compressed or binary) at the chunk that holds the first one.
 */
export function visitLinesOfFile(path: string, visit: LineVisitor, options: { maxBytes?: number } = {}): void {
  const splitter = new LineSplitter(visit, path);
  visitTextChunks(path, 'structure file', options.maxBytes ?? MAX_STRUCTURE_FILE_BYTES, (text, final) => splitter.push(text, final));
}
