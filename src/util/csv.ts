import { InputError } from './errors.ts';

/** A parsed CSV table: header names and rows with their 1-based line numbers in the file. */
export interface CsvTable {
  header: string[];
  rows: { line: number; values: Record<string, string> }[];
}

/** RFC-4180-style CSV: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string, file?: string): CsvTable {
  const records: { line: number; fields: string[] }[] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0].trim() !== '') records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      fieldStarted = false;
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new InputError('unterminated quoted field', { file, line: recordLine });
  fields.push(field);
  if (fields.length > 1 || fields[0].trim() !== '') records.push({ line: recordLine, fields });
  if (records.length === 0) throw new InputError('empty CSV file: expected a header line', { file, line: 1 });
  const header = records[0].fields.map((h) => h.trim());
  const rows = records.slice(1).map((r) => {
    if (r.fields.length !== header.length) {
      throw new InputError(`expected ${header.length} fields (as in the header), found ${r.fields.length}`, { file, line: r.line });
    }
    const values: Record<string, string> = {};
    header.forEach((h, k) => (values[h] = r.fields[k].trim()));
    return { line: r.line, values };
  });
  return { header, rows };
}

/** Quote a CSV field only when needed. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
