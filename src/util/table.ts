/**
 * Typed CSV tables: a table format is declared once as a list of columns
 * (name, meaning, unit, parser, formatter), and that declaration reads files
 * (errors name file, line and column), writes them and documents them
 * (README, --help). Data sets, predictions and reference energies share it.
 */
import { InputError } from './errors.ts';
import { CsvParser, csvRow, toCsv } from './csv.ts';
import { visitTextChunks } from './inputFile.ts';
import { MAX_TABLE_BYTES, MAX_TABLE_ROWS } from './limits.ts';

export interface Where {
  file?: string;
  line?: number;
}

export type ValueType = 'text' | 'number' | 'integer' | 'flag';

export interface Column<T> {
  name: string;
  description: string;
  unit?: string;
  /** What a value is, for stores that type their columns (Parquet). */
  type?: ValueType;
  /** Absent or empty is allowed; the value is then `undefined`. */
  optional?: boolean;
  parse(text: string, where: Where): T;
  format(value: T): string;
}

type ColumnValue<C> = C extends Column<infer T> ? T : never;
/** The row type a list of columns describes (optional columns are optional properties). */
export type RowOf<C extends readonly Column<any>[]> = {
  [K in C[number] as K extends { optional: true } ? never : K['name']]: ColumnValue<K>;
} & {
  [K in C[number] as K extends { optional: true } ? K['name'] : never]?: Exclude<ColumnValue<K>, undefined>;
};

const fail = (col: string, expected: string, text: string, where: Where): never => {
  throw new InputError(`column ${col}: expected ${expected}, found '${text}'`, where);
};

/** Column constructors: each validates its text and names what it expected. */
export const columns = {
  text<N extends string>(name: N, description: string, o: { what?: string } = {}) {
    return {
      name,
      description,
      type: 'text',
      parse: (s: string, where: Where) => {
        if (s === '' || s === undefined) throw new InputError(`column ${name}: empty ${o.what ?? 'value'}`, where);
        return s;
      },
      format: (v: string) => v,
    } as const;
  },
  number<N extends string>(
    name: N,
    description: string,
    o: { unit?: string; integer?: boolean; min?: number; max?: number; positive?: boolean; digits?: number; expected?: string } = {},
  ) {
    const expected = o.expected ?? (o.integer ? 'an integer' : o.positive ? `a positive number${o.unit ? ` (${o.unit})` : ''}` : `a number${o.unit ? ` (${o.unit})` : ''}`);
    return {
      name,
      description,
      unit: o.unit,
      type: o.integer ? 'integer' : 'number',
      parse: (s: string, where: Where): number => {
        const x = Number(s);
        if (s === '' || !Number.isFinite(x)) fail(name, expected, s, where);
        if (o.integer && !Number.isInteger(x)) fail(name, expected, s, where);
        if (o.positive && !(x > 0)) fail(name, expected, s, where);
        if ((o.min !== undefined && x < o.min) || (o.max !== undefined && x > o.max)) fail(name, expected, s, where);
        return x;
      },
      format: (v: number) => (o.digits === undefined ? String(v) : v.toFixed(o.digits)),
    } as const;
  },
  choice<N extends string, T extends string>(name: N, description: string, values: readonly T[]) {
    return {
      name,
      description,
      type: 'text',
      parse: (s: string, where: Where) => (values.includes(s as T) ? (s as T) : fail(name, values.join(', ').replace(/, ([^,]*)$/, ' or $1'), s, where)),
      format: (v: T) => v,
    } as const;
  },
  flag<N extends string>(name: N, description: string) {
    return {
      name,
      description,
      type: 'flag',
      parse: (s: string, where: Where) => (s === '1' ? true : s === '0' ? false : fail(name, '0 or 1', s, where)),
      format: (v: boolean) => (v ? '1' : '0'),
    } as const;
  },
};

/** The same column, allowed to be absent or empty (its value is then undefined). */
export function optional<N extends string, T>(c: Column<T> & { name: N }): Column<T | undefined> & { name: N; optional: true } {
  return { ...c, optional: true, format: (v: T | undefined) => (v === undefined ? '' : c.format(v)) };
}

/** E_DS values beyond ±1000 eV per cell are unit or column mistakes, not energies. */
export function energyColumn<N extends string>(name: N, description: string, digits?: number) {
  const base = columns.number(name, description, { unit: 'eV', digits });
  return {
    ...base,
    parse: (s: string, where: Where) => {
      if (s === '' || s === undefined) throw new InputError(`column ${name} is empty: fill in the energy (eV) or remove the row`, where);
      const x = base.parse(s, where);
      if (Math.abs(x) > 1e3) throw new InputError(`column ${name}: ${x} eV is not a plausible substitution energy`, where);
      return x;
    },
  } as const;
}

export interface ReadTable<R> {
  file: string;
  header: string[];
  rows: R[];
  /** 1-based file line of each row. */
  lines: number[];
}

/**
 * Read a CSV file (or `text`) with the given columns; extra columns are ignored.
 * The file is read in chunks and each row parsed as it arrives: a file over
 * MAX_TABLE_BYTES or with more than `maxRows` rows (default MAX_TABLE_ROWS) is
 * refused at that row, naming the file and the limit.
 */
export function readTable<C extends readonly Column<any>[]>(
  path: string,
  cols: C,
  what: string,
  o: { text?: string; checkHeader?: (header: string[]) => void; maxRows?: number } = {},
): ReadTable<RowOf<C>> {
  const maxRows = o.maxRows ?? MAX_TABLE_ROWS;
  let header: string[] | undefined;
  const rows: RowOf<C>[] = [];
  const lines: number[] = [];
  const parser = new CsvParser((r) => {
    if (!header) {
      header = r.fields.map((h) => h.trim());
      o.checkHeader?.(header);
      const missing = cols.filter((c) => !c.optional && !header!.includes(c.name)).map((c) => c.name);
      if (missing.length) {
        throw new InputError(`missing column(s) ${missing.join(', ')}; expected the header ${cols.filter((c) => !c.optional).map((c) => c.name).join(',')}`, { file: path, line: 1 });
      }
      return;
    }
    if (rows.length === maxRows) throw new InputError(`more than ${maxRows} rows: a ${what} is read up to ${maxRows} rows (see README, Known limits)`, { file: path, line: r.line });
    const { line, values } = csvRow(header, r, path);
    const where = { file: path, line };
    const row: Record<string, unknown> = {};
    for (const c of cols) {
      const s = values[c.name];
      if (!(c.optional && (s === undefined || s === ''))) row[c.name] = c.parse(s, where);
    }
    rows.push(row as RowOf<C>);
    lines.push(line);
  }, path);
  if (o.text !== undefined) parser.push(o.text);
  else visitTextChunks(path, what, MAX_TABLE_BYTES, (text) => parser.push(text));
  parser.end();
  if (!header) throw new InputError('empty CSV file: expected a header line', { file: path, line: 1 });
  if (rows.length === 0) throw new InputError('no data rows after the header', { file: path, line: 2 });
  return { file: path, header, rows, lines };
}

/** CSV text of rows under the given columns; an optional column no row fills is left out. */
export function writeTable<C extends readonly Column<any>[]>(all: C, rows: readonly Partial<RowOf<C>>[], o: { keep?: readonly string[] } = {}): string {
  const cols = all.filter((c) => !c.optional || o.keep?.includes(c.name) || rows.some((r) => (r as Record<string, unknown>)[c.name] !== undefined));
  return toCsv(
    cols.map((c) => c.name),
    rows.map((r) => cols.map((c) => {
      const v = (r as Record<string, unknown>)[c.name];
      return v === undefined || v === null ? '' : c.format(v);
    })),
  );
}

/** A markdown table documenting the columns (README, --help). */
export function describeColumns(cols: readonly Column<unknown>[]): string {
  return cols.map((c) => `  ${c.name.padEnd(14)} ${c.description}${c.unit ? ` [${c.unit}]` : ''}${c.optional ? ' (optional)' : ''}`).join('\n');
}
