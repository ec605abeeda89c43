/**
 * The embedded DuckDB (`@duckdb/node-api`): it writes the Parquet files of a
 * screening with its own writer (COPY … TO … (FORMAT parquet)) and answers
 * queries over them. Parquet and JSON are built into the package's library;
 * extensions are never installed or loaded from the network.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { writeAtomicWith } from '../util/atomicWrite.ts';
import { InputError } from '../util/errors.ts';
import type { SqlColumn } from './schema.ts';

export type { DuckDBConnection };

/** An in-memory database (or a database file), offline: no extension is fetched. */
export async function openDatabase(o: { path?: string; threads?: number } = {}): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(o.path ?? ':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    ...(o.threads ? { threads: String(o.threads) } : {}),
  });
  return instance.connect();
}

/** A SQL string literal. */
export function sqlText(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A SQL identifier. */
export function sqlName(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** CREATE TABLE for these columns; `name` is SQL as written (quote it with sqlName). */
export function createTableSql(name: string, cols: readonly SqlColumn[], o: { temporary?: boolean; replace?: boolean } = {}): string {
  return `CREATE ${o.replace ? 'OR REPLACE ' : ''}${o.temporary ? 'TEMP ' : ''}TABLE ${name} (${cols.map((c) => `${sqlName(c.name)} ${c.sql}${c.nullable ? '' : ' NOT NULL'}`).join(', ')})`;
}

/** Append rows (objects keyed by column name; undefined is NULL) to a table with these columns. */
export async function appendRows(db: DuckDBConnection, table: string, cols: readonly SqlColumn[], rows: Iterable<object>, catalog?: string): Promise<number> {
  const appender = await db.createAppender(table, catalog && 'main', catalog);
  let n = 0;
  for (const row of rows) {
    for (const c of cols) {
      const v = (row as Record<string, unknown>)[c.name];
      if (v === undefined || v === null) appender.appendNull();
      else if (c.type === 'text') appender.appendVarchar(String(v));
      else if (c.type === 'flag') appender.appendBoolean(v as boolean);
      else if (c.type === 'integer') appender.appendInteger(v as number);
      else appender.appendDouble(v as number);
    }
    appender.endRow();
    n++;
  }
  appender.closeSync();
  return n;
}

let tables = 0;

/**
 * Rows as one Parquet file (zstd), written to a temporary file and renamed;
 * `metadata` goes into the file's key–value metadata, so a file with no rows
 * still says what it is.
 */
export async function writeParquet(
  db: DuckDBConnection,
  path: string,
  cols: readonly SqlColumn[],
  rows: Iterable<object>,
  metadata: Record<string, string>,
): Promise<number> {
  const table = `rows_${process.pid}_${++tables}`;
  await db.run(createTableSql(sqlName(table), cols, { temporary: true }));
  try {
    const n = await appendRows(db, table, cols, rows);
    const kv = Object.entries(metadata).map(([k, v]) => `${sqlName(k)}: ${sqlText(v)}`).join(', ');
    await writeAtomicWith(path, (tmp) => db.run(`COPY ${sqlName(table)} TO ${sqlText(tmp)} (FORMAT parquet, COMPRESSION zstd${kv ? `, KV_METADATA {${kv}}` : ''})`).then(() => undefined));
    return n;
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${sqlName(table)}`);
  }
}

export interface ParquetInfo {
  rows: number;
  metadata: Record<string, string>;
}

/** Row count and key–value metadata of a Parquet file, or undefined when it is not a readable Parquet file. */
export async function parquetInfo(db: DuckDBConnection, path: string): Promise<ParquetInfo | undefined> {
  return (await readFooters(db, [path]).catch(() => undefined))?.get(path);
}

/** The same for many files: their footers read in one pass, file by file only when one of them is damaged. */
export async function parquetInfos(db: DuckDBConnection, paths: readonly string[]): Promise<Map<string, ParquetInfo>> {
  if (paths.length === 0) return new Map();
  try {
    return await readFooters(db, paths);
  } catch {
    const out = new Map<string, ParquetInfo>();
    for (const p of paths) {
      const info = await parquetInfo(db, p);
      if (info) out.set(p, info);
    }
    return out;
  }
}

async function readFooters(db: DuckDBConnection, paths: readonly string[]): Promise<Map<string, ParquetInfo>> {
  const list = `[${paths.map(sqlText).join(', ')}]`;
  const out = new Map<string, ParquetInfo>();
  for (const [file, rows] of (await db.runAndReadAll(`SELECT file_name, num_rows FROM parquet_file_metadata(${list})`)).getRowsJS()) {
    out.set(String(file), { rows: Number(rows), metadata: {} });
  }
  for (const [file, k, v] of (await db.runAndReadAll(`SELECT file_name, decode(key), decode(value) FROM parquet_kv_metadata(${list})`)).getRowsJS()) {
    out.get(String(file))!.metadata[String(k)] = String(v);
  }
  return out;
}

/** A value a terminal or JSON can show: integers as numbers (as strings beyond 2^53), dates as ISO text. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export interface QueryAnswer {
  columns: string[];
  rows: unknown[][];
  /** More rows followed than `maxRows`. */
  truncated: boolean;
}

/** Run SQL and read at most `maxRows` rows (streamed: a huge answer is never held whole). DuckDB's own errors are input errors. */
export async function query(db: DuckDBConnection, sql: string, maxRows: number): Promise<QueryAnswer> {
  let reader;
  try {
    reader = await db.streamAndReadUntil(sql, maxRows + 1);
  } catch (e) {
    throw new InputError(`query failed: ${(e as Error).message.split('\n')[0]}`);
  }
  const rows = reader.getRowsJS().map((r) => r.map(plain));
  return { columns: reader.deduplicatedColumnNames(), rows: rows.slice(0, maxRows), truncated: rows.length > maxRows };
}
