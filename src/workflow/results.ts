/**
 * Reading a screening's results folder: completeness against its manifest
 * (merge), any SQL over the Parquet files (query) and the ready query for the
 * most stabilising substitutions (top). All of it runs in an embedded DuckDB.
 */
import { existsSync, statSync } from 'node:fs';
import { openDatabase, query, sqlName, sqlText, type DuckDBConnection, type QueryAnswer } from '../results/duckdb.ts';
import { createViews, databasePath, readManifest, strayFiles, structureStatus, writeViewsDatabase, type ScreenManifest, type StructureStatus } from '../results/store.ts';
import { writeAtomicWith } from '../util/atomicWrite.ts';
import { InputError } from '../util/errors.ts';
import { STABILISING_PROBABILITY } from '../util/normal.ts';

/** Most rows a query prints (a larger answer is cut, and says so: write it with COPY … TO instead). */
export const MAX_QUERY_ROWS = 100_000;

function checkFolder(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('no such results folder', { file: dir });
}

/** An in-memory database with the folder's views: predictions, structures, failures. */
async function openResults(dir: string): Promise<{ db: DuckDBConnection; manifest: ScreenManifest; status: StructureStatus[] }> {
  checkFolder(dir);
  const manifest = readManifest(dir);
  const db = await openDatabase();
  const status = await structureStatus(db, dir, manifest);
  await createViews(db, dir, status);
  return { db, manifest, status };
}

export interface MergeResult {
  output: string;
  database: string;
  structures: number;
  done: number;
  rows: number;
  failed: { structure_id: string; file: string; error: string }[];
  missing: { structure_id: string; file: string; shard: number }[];
  /** Shards with a missing structure: the array tasks to run again. */
  shardsToRerun: number[];
  shards: number;
  /** Parquet files no listed structure owns (not read). */
  stray: string[];
  complete: boolean;
}

/** Check a results folder against its manifest and write screen.duckdb (views over the Parquet files, the structures and failures). */
export async function mergeResults(dir: string): Promise<MergeResult> {
  const { db, manifest, status } = await openResults(dir);
  try {
    const database = databasePath(dir);
    await writeAtomicWith(database, (tmp) => writeViewsDatabase(db, tmp, dir, status));
    const missing = status.filter((s) => s.status === 'missing').map(({ structure_id, file, shard }) => ({ structure_id, file, shard }));
    return {
      output: dir,
      database,
      structures: status.length,
      done: status.filter((s) => s.status === 'done').length,
      rows: status.reduce((n, s) => n + (s.rows ?? 0), 0),
      failed: status.filter((s) => s.status === 'failed').map(({ structure_id, file, error }) => ({ structure_id, file, error: error! })),
      missing,
      shardsToRerun: [...new Set(missing.map((m) => m.shard))].sort((a, b) => a - b),
      shards: manifest.shards,
      stray: strayFiles(dir, manifest),
      complete: missing.length === 0,
    };
  } finally {
    db.closeSync();
  }
}

/** Any SQL over the views `predictions`, `structures` and `failures` of a results folder. */
export async function queryResults(dir: string, sql: string, maxRows = MAX_QUERY_ROWS): Promise<QueryAnswer> {
  const { db } = await openResults(dir);
  try {
    return await query(db, sql, maxRows);
  } finally {
    db.closeSync();
  }
}

export interface TopRequest {
  /** Only rows with P(E_DS < 0) ≥ 0.9 (a model without intervals: E_DS < 0). */
  stabilising?: boolean;
  limit: number;
  /** Only substitutions whose every substituted element is one of these. */
  elements?: string[];
}

/** The ready query of `top`: substitutions (never the pristine cell), most negative E_DS first. */
export function topSql(r: TopRequest): string {
  const where = ["kind <> 'pristine'"];
  if (r.stabilising) where.push(`coalesce(p_stabilising >= ${STABILISING_PROBABILITY}, eds_pred < 0)`);
  if (r.elements) {
    const list = r.elements.map(sqlText).join(', ');
    where.push(`(element_a = host_a OR element_a IN (${list})) AND (element_b = host_b OR element_b IN (${list}))`);
  }
  const cols = ['structure_id', 'formula', 'spacegroup', 'config', 'site_a', 'element_a', 'site_b', 'element_b', 'distance', 'kind', 'eds_pred', 'eds_lo', 'eds_hi', 'p_stabilising', 'out_of_domain', 'unseen'];
  return `SELECT ${cols.map(sqlName).join(', ')} FROM predictions WHERE ${where.join(' AND ')} ORDER BY eds_pred, structure_id, config, element_a, element_b LIMIT ${r.limit}`;
}

export async function topResults(dir: string, r: TopRequest): Promise<QueryAnswer & { sql: string }> {
  if (!(Number.isInteger(r.limit) && r.limit >= 1 && r.limit <= MAX_QUERY_ROWS)) throw new InputError(`--limit ${r.limit}: expected an integer from 1 to ${MAX_QUERY_ROWS}`);
  const sql = topSql(r);
  return { sql, ...(await queryResults(dir, sql)) };
}
