/**
 * Typed CSV tables: a table format is declared once as a list of columns
 * (name, meaning, unit, parser, formatter), and that declaration reads files
 * (errors name file, line and column), writes them and documents them
 * (README, --help). Data sets, predictions and reference energies share it.
 */
import { readFileSync } from 'node:fs';
import { InputError } from './errors.ts';
import { parseCsv, toCsv } from './csv.ts';

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

/** Read a CSV file (or `text`) with the given columns; extra columns are ignored. */
export function readTable<C extends readonly Column<any>[]>(
  path: string,
  cols: C,
  what: string,
  o: { text?: string; checkHeader?: (header: string[]) => void } = {},
): ReadTable<RowOf<C>> {
  const text = o.text;
  let content: string;
  try {
    content = text ?? readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what}: ${(e as Error).message}`, { file: path });
  }
  const table = parseCsv(content, path);
  o.checkHeader?.(table.header);
  const missing = cols.filter((c) => !c.optional && !table.header.includes(c.name)).map((c) => c.name);
  if (missing.length) {
    throw new InputError(`missing column(s) ${missing.join(', ')}; expected the header ${cols.filter((c) => !c.optional).map((c) => c.name).join(',')}`, { file: path, line: 1 });
  }
  if (table.rows.length === 0) throw new InputError('no data rows after the header', { file: path, line: 2 });
  const rows = table.rows.map(({ line, values }) => {
    const where = { file: path, line };
    const row: Record<string, unknown> = {};
    for (const c of cols) {
      const s = values[c.name];
      if (!(c.optional && (s === undefined || s === ''))) row[c.name] = c.parse(s, where);
    }
    return row as RowOf<C>;
  });
  return { file: path, header: table.header, rows, lines: table.rows.map((r) => r.line) };
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
