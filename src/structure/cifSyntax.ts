/**
 * CIF 1.1 syntax: a line-driven tokenizer and a parser into data blocks that
 * keeps the line of every value. It is fed one line at a time (from a string or
 * from a file read in chunks), keeps only the loops the caller uses (other
 * loops are counted, not stored: a CIF with 50 MB of reflections costs no
 * memory) and lets the caller stop reading once a loop is too long.
 *
 * Tolerated, with a warning, because real files do it and pymatgen reads them
 * (measured on the CIF corpus, see test/corpus.test.ts):
 *  - a tag given twice where both values agree or one is empty (208 of 209
 *    PyXtal files repeat `_chemical_formula_sum`, the second copy empty);
 *    conflicting values stay an error;
 *  - a quoted value of a tag that runs over several lines (Crystallographica);
 *  - a stray value after the value of a tag cescreen does not use (an unquoted
 *    value with spaces), and a ragged loop of tags it does not use.
 * Everything else a user can fix is an InputError with file and line.
 */
import { InputError } from '../util/errors.ts';

export type TokenKind = 'value' | 'tag' | 'loop' | 'data' | 'reserved';

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  /** Quoted or text-field values are never the missing markers `?` / `.`. */
  quoted: boolean;
}

export function classify(text: string): TokenKind {
  if (text.startsWith('_')) return 'tag';
  const low = text.toLowerCase();
  if (low.startsWith('data_')) return 'data';
  if (low === 'loop_') return 'loop';
  if (low.startsWith('save_') || low === 'global_' || low === 'stop_') return 'reserved';
  return 'value';
}

/** `_atom_site.fract_x` (DDL2/CIF2 style) and `_Atom_Site_Fract_X` both become `_atom_site_fract_x`. */
export function normaliseTag(tag: string): string {
  return tag.toLowerCase().replace(/\./g, '_');
}

/** Unknown (`?`), inapplicable (`.`) or an empty quoted string. */
export function isMissing(t: Token | undefined): boolean {
  return !t || (t.quoted ? t.text.trim() === '' : t.text === '?' || t.text === '.');
}

/** A loop's values, stored column-wise as strings (a token object per value would cost 3× the memory). */
export class Loop {
  readonly tags: string[] = [];
  private readonly texts: string[] = [];
  private readonly lines: number[] = [];
  private readonly quoted: boolean[] = [];
  private count = 0;
  /** Line of the last value read (where a truncated loop ends). */
  lastValueLine = 0;
  constructor(
    readonly line: number,
    /** Whether values are stored (the caller uses a tag of this loop). */
    readonly kept: boolean,
  ) {}

  push(t: Token): void {
    this.count++;
    this.lastValueLine = t.line;
    if (!this.kept) return;
    this.texts.push(t.text);
    this.lines.push(t.line);
    this.quoted.push(t.quoted);
  }

  get values(): number {
    return this.count;
  }

  get rows(): number {
    return Math.floor(this.count / this.tags.length);
  }

  has(tag: string): boolean {
    return this.tags.includes(tag);
  }

  /** Value of column `tag` in `row`; undefined for an unknown tag or a loop whose values are not kept. */
  get(tag: string, row: number): Token | undefined {
    const c = this.tags.indexOf(tag);
    if (c < 0 || !this.kept) return undefined;
    const k = row * this.tags.length + c;
    return { kind: 'value', text: this.texts[k], line: this.lines[k], quoted: this.quoted[k] };
  }

  column(tag: string): string[] {
    return Array.from({ length: this.rows }, (_, r) => this.get(tag, r)?.text ?? '');
  }
}

export interface Block {
  name: string;
  line: number;
  scalars: Map<string, { tag: Token; value: Token }>;
  loops: Loop[];
}

export interface CifSyntaxOptions {
  file?: string;
  /** Tags (normalised) whose values the caller reads; loops with none of them are only counted. */
  uses: (tag: string) => boolean;
  /** Called when a kept loop completes a row: throw to stop reading (e.g. too many atoms). */
  onRow?: (loop: Loop, line: number) => void;
  warn: (message: string) => void;
}

interface Claim {
  line: number;
  scalar?: Token;
  loop?: Loop;
}

/**
 * Incremental CIF parser: call `line()` for every line in order, then `end()`.
 */
export class CifSyntaxParser {
  readonly blocks: Block[] = [];
  private block?: Block;
  private claims = new Map<string, Claim>();
  private pendingTag?: Token;
  private loop?: Loop;
  private loopPhase: 'tags' | 'values' = 'tags';
  private lastScalarTag?: string;
  private textField?: { line: number; body: string[] };
  private openQuote?: { quote: string; line: number; parts: string[] };
  private anyToken = false;
  /** After a `_eof` tag (written by some programs) nothing more is read, as in pymatgen. */
  private ended = false;
  private readonly file?: string;

  constructor(private readonly options: CifSyntaxOptions) {
    this.file = options.file;
  }

  private fail(message: string, line: number): never {
    throw new InputError(message, { file: this.file, line });
  }

  // ------------------------------------------------------------ tokenizer

  /** Feed the next line; false once the file has said it ends (`_eof`). */
  line(text: string, n: number): boolean {
    if (this.ended) return false;
    if (this.textField) {
      if (!text.startsWith(';')) {
        this.textField.body.push(text);
        return true;
      }
      const { line, body } = this.textField;
      this.textField = undefined;
      if (body[0].trim() === '') body.shift();
      this.token({ kind: 'value', text: body.join('\n'), line, quoted: true });
      this.lex(text, n, 1);
      return !this.ended;
    }
    if (this.openQuote) {
      this.continueQuote(text, n);
      return !this.ended;
    }
    if (text.startsWith(';')) {
      this.textField = { line: n, body: [text.slice(1)] };
      return true;
    }
    this.lex(text, n, 0);
    return !this.ended;
  }

  private lex(line: string, n: number, from: number): void {
    let p = from;
    while (p < line.length && !this.ended) {
      const ch = line[p];
      if (ch === ' ' || ch === '\t') {
        p++;
        continue;
      }
      if (ch === '#') break;
      if (ch === "'" || ch === '"') {
        // A quote closes only when followed by whitespace or the end of the line (CIF 1.1).
        const q = closingQuote(line, p + 1, ch);
        if (q < 0) {
          if (this.pendingTag) {
            // the value of a tag may run on (not CIF 1.1, but pymatgen and others read it)
            this.openQuote = { quote: ch, line: n, parts: [line.slice(p + 1)] };
            return;
          }
          this.fail(`unterminated ${ch === "'" ? 'single' : 'double'}-quoted string (expected a closing ${ch} on the same line)`, n);
        }
        this.token({ kind: 'value', text: line.slice(p + 1, q), line: n, quoted: true });
        p = q + 1;
        continue;
      }
      let q = p;
      while (q < line.length && line[q] !== ' ' && line[q] !== '\t') q++;
      const word = line.slice(p, q);
      this.token({ kind: classify(word), text: word, line: n, quoted: false });
      p = q;
    }
  }

  private continueQuote(text: string, n: number): void {
    const open = this.openQuote!;
    const unterminated = () =>
      this.fail(`unterminated ${open.quote === "'" ? 'single' : 'double'}-quoted string (expected a closing ${open.quote} on the same line)`, open.line);
    // a tag, loop, block or text field before the closing quote: the quote was never closed
    if (/^\s*(?:_|loop_|data_)/i.test(text) || text.startsWith(';')) unterminated();
    const q = closingQuote(text, 0, open.quote);
    if (q < 0) {
      open.parts.push(text);
      return;
    }
    this.openQuote = undefined;
    const tag = this.pendingTag!.text;
    this.options.warn(`line ${open.line}: the quoted value of ${tag} runs on to line ${n} (CIF 1.1 needs a ;-text field for that); read as one value`);
    this.token({ kind: 'value', text: [...open.parts, text.slice(0, q)].join('\n'), line: open.line, quoted: true });
    this.lex(text, n, q + 1);
  }

  // ------------------------------------------------------------ parser

  private token(t: Token): void {
    this.anyToken = true;
    if (this.pendingTag) {
      const tag = this.pendingTag;
      if (t.kind !== 'value') this.fail(`tag ${tag.text} has no value (found '${t.text}' on line ${t.line})`, tag.line);
      this.pendingTag = undefined;
      this.setScalar(tag, t);
      return;
    }
    if (this.loop) {
      if (this.loopPhase === 'tags') {
        if (t.kind === 'tag') {
          const key = this.claimInLoop(t); // may swap in a loop that keeps its values
          this.loop.tags.push(key);
          return;
        }
        if (this.loop.tags.length === 0) this.fail(`loop_ has no tags (expected _tag names after loop_)`, this.loop.line);
        if (t.kind !== 'value') this.fail(`loop_ with ${this.loop.tags[0]} has no values (file truncated?)`, this.loop.line);
        this.loopPhase = 'values';
      }
      if (t.kind === 'value') {
        this.loop.push(t);
        if (this.loop.kept && this.loop.values % this.loop.tags.length === 0) this.options.onRow?.(this.loop, t.line);
        return;
      }
      this.closeLoop();
    }
    switch (t.kind) {
      case 'reserved':
        return this.fail(`'${t.text}' is not supported (save frames and global blocks belong to dictionaries, not structure files)`, t.line);
      case 'data': {
        const name = t.text.slice(5);
        if (name === '') this.fail(`data block header 'data_' has no name (expected e.g. data_Nb5Si3)`, t.line);
        const dup = this.blocks.find((b) => b.name.toLowerCase() === name.toLowerCase());
        if (dup) this.options.warn(`line ${t.line}: data block '${name}' appears again (first on line ${dup.line}); the two are read as separate blocks`);
        this.block = { name, line: t.line, scalars: new Map(), loops: [] };
        this.blocks.push(this.block);
        this.claims = new Map();
        this.lastScalarTag = undefined;
        return;
      }
      case 'tag':
        if (t.text.toLowerCase() === '_eof') {
          this.ended = true;
          return;
        }
        this.requireBlock(t);
        this.pendingTag = t;
        return;
      case 'loop':
        this.requireBlock(t);
        this.loop = new Loop(t.line, false);
        this.loopPhase = 'tags';
        this.lastScalarTag = undefined;
        return;
      case 'value':
        this.requireBlock(t);
        if (this.lastScalarTag !== undefined && !this.options.uses(this.lastScalarTag)) {
          this.options.warn(`line ${t.line}: unexpected value '${t.text}' after the value of ${this.lastScalarTag} (an unquoted value with spaces?); ignored`);
          return;
        }
        this.fail(`unexpected value '${t.text}' (expected a _tag, loop_ or data_ before it)`, t.line);
    }
  }

  private requireBlock(t: Token): void {
    if (!this.block) this.fail(`expected a data_ block header before '${t.text}'`, t.line);
  }

  private setScalar(tag: Token, value: Token): void {
    const key = normaliseTag(tag.text);
    const block = this.block!;
    const prev = this.claims.get(key);
    this.lastScalarTag = key;
    if (!prev) {
      this.claims.set(key, { line: tag.line, scalar: value });
      block.scalars.set(key, { tag, value });
      return;
    }
    const where = `tag ${tag.text} appears twice in data block '${block.name}' (first on line ${prev.line})`;
    if (prev.scalar) {
      if (isMissing(value) || prev.scalar.text.trim() === value.text.trim()) {
        this.options.warn(`line ${tag.line}: ${where}; ${isMissing(value) ? 'this copy is empty' : 'the values agree'}, kept the first`);
        return;
      }
      if (isMissing(prev.scalar)) {
        this.options.warn(`line ${tag.line}: ${where}; the first copy is empty, kept this one`);
        prev.scalar = value;
        block.scalars.set(key, { tag, value });
        return;
      }
      this.fail(`${where} with a different value ('${prev.scalar.text}' vs '${value.text}')`, tag.line);
    }
    if (!this.options.uses(key)) {
      this.options.warn(`line ${tag.line}: ${where}; cescreen does not use it, ignored`);
      return;
    }
    this.fail(`${where}, once in a loop`, tag.line);
  }

  private claimInLoop(t: Token): string {
    const key = normaliseTag(t.text);
    if (this.loop!.tags.includes(key)) this.fail(`tag ${t.text} appears twice in one loop_`, t.line);
    if (this.options.uses(key) && !this.loop!.kept) {
      // the first used tag decides: the loop's values are stored
      const kept = new Loop(this.loop!.line, true);
      kept.tags.push(...this.loop!.tags);
      kept.lastValueLine = this.loop!.lastValueLine;
      this.loop = kept;
    }
    return key;
  }

  private closeLoop(): void {
    const loop = this.loop!;
    this.loop = undefined;
    const n = loop.tags.length;
    if (loop.values === 0) this.fail(`loop_ with ${loop.tags[0]} has no values (file truncated?)`, loop.line);
    if (loop.values % n !== 0) {
      const message = `loop_ starting on line ${loop.line} has ${loop.values} values for ${n} tags: the last row has ${loop.values % n} of ${n} values`;
      if (!loop.kept) {
        this.options.warn(`line ${loop.line}: ${message}; cescreen does not use this loop, ignored`);
        return;
      }
      this.fail(`${message} (file truncated or a value missing?)`, loop.lastValueLine);
    }
    const block = this.block!;
    for (const tag of loop.tags) {
      const prev = this.claims.get(tag);
      if (!prev) continue;
      const where = `tag ${tag} appears twice in data block '${block.name}' (first on line ${prev.line})`;
      if (!loop.kept) {
        this.options.warn(`line ${loop.line}: ${where}; cescreen does not use it, ignored the second loop`);
        return;
      }
      const same = prev.loop ? sameColumn(prev.loop, loop, tag) : prev.scalar !== undefined && loop.rows === 1 && loop.get(tag, 0)!.text.trim() === prev.scalar.text.trim();
      if (!same) this.fail(`${where} with different values`, loop.line);
      this.options.warn(`line ${loop.line}: ${where} with the same values; ignored the second loop`);
      return;
    }
    for (const tag of loop.tags) this.claims.set(tag, { line: loop.line, loop });
    block.loops.push(loop);
  }

  /** Finish: close what is open and return the blocks. */
  end(): Block[] {
    if (this.textField) this.fail(`text field opened with ';' is never closed (expected a line starting with ';'; file truncated?)`, this.textField.line);
    if (this.openQuote) {
      this.fail(`unterminated ${this.openQuote.quote === "'" ? 'single' : 'double'}-quoted string (expected a closing ${this.openQuote.quote} on the same line)`, this.openQuote.line);
    }
    if (this.pendingTag) this.fail(`tag ${this.pendingTag.text} has no value (file truncated?)`, this.pendingTag.line);
    if (this.loop) {
      if (this.loop.tags.length === 0) this.fail(`loop_ has no tags (expected _tag names after loop_)`, this.loop.line);
      if (this.loopPhase === 'tags') this.fail(`loop_ with ${this.loop.tags[0]} has no values (file truncated?)`, this.loop.line);
      this.closeLoop();
    }
    if (!this.anyToken) this.fail('the CIF file is empty or only comments (expected a data_ block)', 1);
    if (this.blocks.length === 0) this.fail('no data_ block in the CIF file', 1);
    return this.blocks;
  }
}

/** Index of the quote closing a string opened before `from`: `ch` followed by whitespace or the line end; −1 if none. */
function closingQuote(line: string, from: number, ch: string): number {
  for (let q = from; q < line.length; q++) {
    if (line[q] === ch && (q + 1 === line.length || line[q + 1] === ' ' || line[q + 1] === '\t')) return q;
  }
  return -1;
}

function sameColumn(a: Loop, b: Loop, tag: string): boolean {
  const x = a.column(tag);
  const y = b.column(tag);
  return x.length === y.length && x.every((v, i) => v.trim() === y[i].trim());
}
