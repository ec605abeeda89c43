import { InputError } from './errors.ts';

/** A parsed CSV table: header names and rows with their 1-based line numbers in the file. */
export interface CsvTable {
  header: string[];
  rows: { line: number; values: Record<string, string> }[];
}

/** One record of a CSV file with the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * RFC-4180-style CSV, fed in pieces of any size (quoted fields may hold commas,
 * doubled quotes and newlines, and may straddle pieces); `record` gets each
 * record as soon as it is complete. Blank lines are skipped.
 */
export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private quoted = false;
  private fieldStarted = false;
  /** A quote at the end of a piece: closing, or the first of a doubled pair. */
  private quoteAtEnd = false;
  /** A \r at the end of a piece: its \n may start the next. */
  private crAtEnd = false;
  private line = 1;
  private recordLine = 1;

  constructor(
    private readonly record: (r: CsvRecord) => void,
    private readonly file?: string,
  ) {}

  push(text: string): void {
    if (text === '') return;
    let i = 0;
    if (this.crAtEnd) {
      this.crAtEnd = false;
      if (text[0] === '\n') i = 1;
    }
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      if (text[0] === '"') {
        this.field += '"';
        i = Math.max(i, 1);
      } else this.quoted = false;
    }
    const delimiter = /[,\r\n]/g;
    while (i < text.length) {
      // fast path: a whole line without quotes at the start of a record (nearly every line)
      if (!this.quoted && this.fields.length === 0 && !this.fieldStarted) {
        const nl = text.indexOf('\n', i);
        if (nl >= 0) {
          const end = text[nl - 1] === '\r' && nl - 1 >= i ? nl - 1 : nl;
          const line = text.slice(i, end);
          if (!line.includes('"') && !line.includes('\r')) {
            this.fields = line.split(',');
            this.field = this.fields.pop()!;
            this.endRecord();
            this.line++;
            this.recordLine = this.line;
            i = nl + 1;
            continue;
          }
        }
      }
      if (this.quoted) {
        // a quoted stretch: up to the next quote, newlines included
        const q = text.indexOf('"', i);
        const stop = q < 0 ? text.length : q;
        const part = text.slice(i, stop);
        this.field += part;
        for (let k = part.indexOf('\n'); k >= 0; k = part.indexOf('\n', k + 1)) this.line++;
        if (q < 0) return;
        if (q + 1 === text.length) this.quoteAtEnd = true;
        else if (text[q + 1] === '"') this.field += '"';
        else this.quoted = false;
        i = q + (text[q + 1] === '"' ? 2 : 1);
        continue;
      }
      if (text[i] === '"' && !this.fieldStarted) {
        this.quoted = true;
        this.fieldStarted = true;
        i++;
        continue;
      }
      delimiter.lastIndex = i;
      const m = delimiter.exec(text);
      const stop = m ? m.index : text.length;
      if (stop > i) {
        this.field += text.slice(i, stop);
        this.fieldStarted = true;
      }
      if (!m) return;
      i = stop + 1;
      if (m[0] === ',') {
        this.fields.push(this.field);
        this.field = '';
        this.fieldStarted = false;
        continue;
      }
      if (m[0] === '\r') {
        if (i === text.length) this.crAtEnd = true;
        else if (text[i] === '\n') i++;
      }
      this.endRecord();
      this.line++;
      this.recordLine = this.line;
    }
  }

  end(): void {
    if (this.quoteAtEnd) this.quoted = false;
    if (this.quoted) throw new InputError('unterminated quoted field', { file: this.file, line: this.recordLine });
    this.endRecord();
  }

  private endRecord(): void {
    this.fields.push(this.field);
    if (this.fields.length > 1 || this.fields[0].trim() !== '') this.record({ line: this.recordLine, fields: this.fields });
    this.fields = [];
    this.field = '';
    this.fieldStarted = false;
  }
}

/** A parsed CSV table: header names and rows with their 1-based line numbers in the file. */
export interface CsvTable {
  header: string[];
  rows: { line: number; values: Record<string, string> }[];
}

/** Header names and the values of one record by name; a record with another field count is an error. */
export function csvRow(header: readonly string[], r: CsvRecord, file?: string): { line: number; values: Record<string, string> } {
  if (r.fields.length !== header.length) throw new InputError(`expected ${header.length} fields (as in the header), found ${r.fields.length}`, { file, line: r.line });
  const values: Record<string, string> = {};
  header.forEach((h, k) => (values[h] = r.fields[k].trim()));
  return { line: r.line, values };
}

/** A whole CSV text as a table. */
export function parseCsv(text: string, file?: string): CsvTable {
  const records: CsvRecord[] = [];
  const parser = new CsvParser((r) => records.push(r), file);
  parser.push(text);
  parser.end();
  if (records.length === 0) throw new InputError('empty CSV file: expected a header line', { file, line: 1 });
  const header = records[0].fields.map((h) => h.trim());
  return { header, rows: records.slice(1).map((r) => csvRow(header, r, file)) };
}

/** Quote a CSV field only when needed. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
