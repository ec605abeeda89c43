/**
 * A screening's results folder:
 *
 *   manifest.json            the run: model file and its SHA-256, options, shard count, the structures (id, file)
 *   structures/<id>.parquet  the predictions of one structure (SCREEN_COLUMNS; key–value metadata says which)
 *   failed/<id>.json         why a structure could not be screened (file and message)
 *   screen.duckdb            written by `cescreen merge`: the views below in a database file
 *
 * Every file is written to a temporary file and renamed. A structure is complete
 * when its Parquet file reads and names this structure and this model; shards
 * only decide who computes what, never where results go, so any mix of local
 * runs and array tasks fills one folder.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { InputError } from '../util/errors.ts';
import { appendRows, createTableSql, parquetInfo, parquetInfos, sqlText, type DuckDBConnection, type ParquetInfo } from './duckdb.ts';
import { SCREEN_SQL, sqlColumns } from './schema.ts';
import { columns } from '../util/table.ts';
import { shardOf } from '../util/shard.ts';

export const MANIFEST_FORMAT = 'cescreen-screen';
export const MANIFEST_VERSION = 1;

export interface ScreenOptions {
  elements: string[];
  supercell: string;
  maxDistance: number;
  family?: string;
  seed: number;
}

export interface ListedStructure {
  id: string;
  file: string;
}

export interface ScreenManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  model: { file: string; sha256: string };
  options: ScreenOptions;
  /** N of `--shard i/N`: structure k of the list (0-based) belongs to shard k mod N. */
  shards: number;
  structures: ListedStructure[];
}

export const parquetPath = (dir: string, id: string) => join(dir, 'structures', `${id}.parquet`);
export const failurePath = (dir: string, id: string) => join(dir, 'failed', `${id}.json`);
export const manifestPath = (dir: string) => join(dir, 'manifest.json');
export const databasePath = (dir: string) => join(dir, 'screen.duckdb');

export function readManifest(dir: string): ScreenManifest {
  const path = manifestPath(dir);
  if (!existsSync(path)) throw new InputError(`not a screening results folder (no manifest.json); expected the -o folder of 'cescreen screen'`, { file: dir });
  let m: ScreenManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`unreadable manifest (${(e as Error).message})`, { file: path });
  }
  if (m?.format !== MANIFEST_FORMAT || m.version !== MANIFEST_VERSION || !Array.isArray(m.structures)) {
    throw new InputError(`not a manifest of this cescreen (format ${String(m?.format)} version ${String(m?.version)}; expected ${MANIFEST_FORMAT} ${MANIFEST_VERSION})`, { file: path });
  }
  return m;
}

/**
 * Write the manifest of a new run, or check that the folder's run is this one:
 * resuming with another model, other options, another list or another shard
 * count would mix results that do not belong together. A run of every
 * structure (no --shard) fits a folder of any shard count.
 */
export function claimFolder(dir: string, m: ScreenManifest, o: { anyShardCount?: boolean } = {}): void {
  const path = manifestPath(dir);
  if (existsSync(path) && !statSync(path).isFile()) throw new InputError('manifest.json is not a file', { file: path });
  if (!existsSync(path)) {
    writeFileAtomic(path, JSON.stringify(m, null, 1) + '\n');
    return;
  }
  const old = readManifest(dir);
  const differs: string[] = [];
  if (old.model.sha256 !== m.model.sha256) differs.push(`the model (${old.model.file} then, ${m.model.file} now, different contents)`);
  if (JSON.stringify(old.options) !== JSON.stringify(m.options)) differs.push(`the options (${JSON.stringify(old.options)} then, ${JSON.stringify(m.options)} now)`);
  if (JSON.stringify(old.structures) !== JSON.stringify(m.structures)) differs.push(`the list of structures (${old.structures.length} then, ${m.structures.length} now)`);
  if (old.shards !== m.shards && !o.anyShardCount) differs.push(`the shard count (${old.shards} then, ${m.shards} now)`);
  if (differs.length) throw new InputError(`this folder holds another screening: ${differs.join('; ')}; resume with the same command, or choose a new -o folder`, { file: path });
}

/** What a structure's Parquet file says about itself. */
export interface StructureMetadata {
  structure_id: string;
  file: string;
  formula: string;
  spacegroup: string;
  family: string;
  model_sha256: string;
}

/** A Parquet file holds the predictions of this structure by this model. */
const belongs = (info: ParquetInfo | undefined, id: string, modelSha: string): info is ParquetInfo =>
  info !== undefined && info.metadata.structure_id === id && info.metadata.model_sha256 === modelSha;

/** The predictions of a structure are there: the file reads and names this structure and this model. */
export async function isComplete(db: DuckDBConnection, dir: string, id: string, modelSha: string): Promise<boolean> {
  const path = parquetPath(dir, id);
  return existsSync(path) && belongs(await parquetInfo(db, path), id, modelSha);
}

export interface Failure {
  structure_id: string;
  file: string;
  /** The message, naming file and line where the reader knows them. */
  error: string;
  /** A problem with the input (bad CIF, partial occupancy, over a limit) or a bug (internal). */
  kind: 'input' | 'internal';
}

export function recordFailure(dir: string, f: Failure): void {
  writeFileAtomic(failurePath(dir, f.structure_id), JSON.stringify(f) + '\n');
}

export function clearFailure(dir: string, id: string): void {
  rmSync(failurePath(dir, id), { force: true });
}

function readFailure(dir: string, id: string): Failure | undefined {
  const path = failurePath(dir, id);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Failure;
  } catch {
    return undefined;
  }
}

export interface StructureStatus {
  structure_id: string;
  file: string;
  shard: number;
  status: 'done' | 'failed' | 'missing';
  rows?: number;
  formula?: string;
  spacegroup?: number;
  family?: string;
  error?: string;
}

const STATUS_SQL = sqlColumns([
  columns.text('structure_id', 'id'),
  columns.text('file', 'file as listed'),
  columns.number('shard', 'shard that computes it', { integer: true }),
  columns.text('status', 'done, failed or missing'),
  { ...columns.number('rows', 'predicted rows', { integer: true }), optional: true },
  { ...columns.text('formula', 'formula'), optional: true },
  { ...columns.number('spacegroup', 'space-group number', { integer: true }), optional: true },
  { ...columns.text('family', 'model family used'), optional: true },
  { ...columns.text('error', 'why it failed'), optional: true },
]);

/** Every listed structure: done (its Parquet file complete), failed (its record) or missing. */
export async function structureStatus(db: DuckDBConnection, dir: string, m: ScreenManifest): Promise<StructureStatus[]> {
  const paths = m.structures.map((s) => parquetPath(dir, s.id));
  const infos = await parquetInfos(db, paths.filter((p) => existsSync(p)));
  return m.structures.map((s, k) => {
    const base = { structure_id: s.id, file: s.file, shard: shardOf(k, m.shards) };
    const info = infos.get(paths[k]);
    if (belongs(info, s.id, m.model.sha256)) {
      const md = info.metadata as unknown as StructureMetadata;
      return { ...base, status: 'done', rows: info.rows, formula: md.formula, spacegroup: Number(md.spacegroup), family: md.family };
    }
    const f = readFailure(dir, s.id);
    return f ? { ...base, status: 'failed', error: f.error } : { ...base, status: 'missing' };
  });
}

/**
 * The views a query sees: `predictions` (every row of every complete structure),
 * `structures` (each listed structure with its status) and `failures`.
 * Parquet files are named by absolute path, so a database file keeps working
 * from any folder (not after the results folder moves: run merge again). Names
 * are unqualified: they resolve in the current catalog (`catalog` names it for
 * the appender).
 */
export async function createViews(db: DuckDBConnection, dir: string, status: readonly StructureStatus[], catalog?: string): Promise<void> {
  const done = status.filter((s) => s.status === 'done').map((s) => resolve(parquetPath(dir, s.structure_id)));
  if (done.length) await db.run(`CREATE OR REPLACE VIEW predictions AS SELECT * FROM read_parquet([${done.map(sqlText).join(', ')}])`);
  else await db.run(createTableSql('predictions', SCREEN_SQL, { replace: true }));
  await db.run(createTableSql('structures', STATUS_SQL, { replace: true }));
  await appendRows(db, 'structures', STATUS_SQL, status, catalog);
  await db.run(`CREATE OR REPLACE VIEW failures AS SELECT structure_id, file, error FROM structures WHERE status = 'failed'`);
}

/** The same views in a database file of their own (names inside them resolve in that file). */
export async function writeViewsDatabase(db: DuckDBConnection, path: string, dir: string, status: readonly StructureStatus[]): Promise<void> {
  await db.run(`ATTACH ${sqlText(path)} AS screen_file`);
  try {
    await db.run('USE screen_file');
    await createViews(db, dir, status, 'screen_file');
  } finally {
    await db.run('USE memory');
    await db.run('DETACH screen_file');
  }
}

/** Parquet files in structures/ that the manifest does not list (left from another run): reported by merge, never read. */
export function strayFiles(dir: string, m: ScreenManifest): string[] {
  const listed = new Set(m.structures.map((s) => `${s.id}.parquet`));
  const folder = join(dir, 'structures');
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.parquet') && !listed.has(f)) : [];
}
