/**
 * Screening many structures with one model: every structure analysed (symmetry,
 * AET, pairs) and predicted, one Parquet file each, streamed (a structure's rows
 * are written and dropped before the next is read), resumable and shardable.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { chooseFamily, loadModel, type SavedModel } from '../predict/modelFile.ts';
import { predictAll, withPositions } from '../predict/predict.ts';
import { substitutionSystem } from '../substitution/system.ts';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import { openDatabase, writeParquet } from '../results/duckdb.ts';
import { SCREEN_SQL, type ScreenRow, type StructureFields } from '../results/schema.ts';
import {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  claimFolder,
  clearFailure,
  isComplete,
  parquetPath,
  recordFailure,
  type Failure,
  type ListedStructure,
  type ScreenManifest,
} from '../results/store.ts';
import { requireSbatch, submitArray, type ArrayJobOptions, type SubmittedJob } from '../cluster/slurm.ts';
import { InputError, isInputError } from '../util/errors.ts';
import { inShard, type Shard } from '../util/shard.ts';
import { SILENT, type Progress } from '../util/progress.ts';
import { sha256File } from '../util/digest.ts';

/** Most structures one run lists (a list is held in memory and in the manifest: ~100 bytes each). */
export const MAX_SCREEN_STRUCTURES = 1_000_000;
/** Largest structure list file. */
export const MAX_LIST_BYTES = 256 * 1024 * 1024;

export interface ScreenRequest {
  model: string;
  /** Structure files as given on the command line (relative to the working folder). */
  files?: string[];
  /** A file listing one structure path a line (relative to the list's folder); blank lines and `#` comments skipped. */
  list?: string;
  output: string;
  /** Elements to place; default those the model was trained on. */
  elements?: string[];
  supercell: string;
  maxDistance: number;
  family?: string;
  /** This process screens the structures of one shard only. */
  shard?: Shard;
  /** Shard count of the run (default: the shard's, else 1). */
  shards?: number;
  /** Recorded in the manifest; prediction draws nothing at random. */
  seed: number;
  progress?: Progress;
  /** Told of each failure as it happens (the run goes on). */
  onFailure?: (f: Failure) => void;
}

export interface ScreenResult {
  output: string;
  shard: Shard;
  /** Structures of this shard. */
  structures: number;
  screened: number;
  /** Already complete: skipped. */
  skipped: number;
  failed: Failure[];
  rows: number;
  seconds: number;
  family: Record<string, number>;
}

interface Entry extends ListedStructure {
  /** Where this process reads it. */
  path: string;
}

/** The structures of a request with their ids: the file name without extension, `-2`, `-3` … where names repeat. */
export function listStructures(r: Pick<ScreenRequest, 'files' | 'list'>): Entry[] {
  const given: { file: string; path: string; where: { file?: string; line?: number } }[] = [];
  if (r.list !== undefined) {
    let size: number;
    try {
      size = statSync(r.list).size;
    } catch (e) {
      throw new InputError(`cannot read the structure list: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: r.list });
    }
    if (size > MAX_LIST_BYTES) throw new InputError(`the structure list is ${size} bytes; at most ${MAX_LIST_BYTES} are read`, { file: r.list });
    const base = dirname(resolve(r.list));
    readFileSync(r.list, 'utf8')
      .split(/\r?\n/)
      .forEach((raw, k) => {
        const file = raw.replace(/#.*$/, '').trim();
        if (file) given.push({ file, path: isAbsolute(file) ? file : resolve(base, file), where: { file: r.list, line: k + 1 } });
      });
    if (given.length === 0) throw new InputError('the structure list names no file (one path a line; # starts a comment)', { file: r.list });
  }
  for (const file of r.files ?? []) given.push({ file, path: resolve(file), where: {} });
  if (given.length === 0) throw new InputError('no structure given: name CIF/POSCAR files or --list structures.txt');
  if (given.length > MAX_SCREEN_STRUCTURES) throw new InputError(`${given.length} structures listed; one run takes at most ${MAX_SCREEN_STRUCTURES} (split the list)`);
  const seen = new Map<string, string>();
  const counts = new Map<string, number>();
  return given.map((g) => {
    const first = seen.get(g.path);
    if (first !== undefined) throw new InputError(`${g.file} is listed twice (also as ${first})`, g.where);
    seen.set(g.path, g.file);
    const stem = basename(g.path).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'structure';
    const n = (counts.get(stem) ?? 0) + 1;
    counts.set(stem, n);
    return { id: n === 1 ? stem : `${stem}-${n}`, file: g.file, path: g.path };
  });
}


/** The run's manifest and entries, the model loaded (once) and checked. */
async function prepare(r: ScreenRequest) {
  const entries = listStructures(r);
  const saved = await loadModel(r.model);
  if (r.family !== undefined && !saved.families[r.family]) {
    throw new InputError(`the model file holds no ${r.family} model (it has ${Object.keys(saved.families).join(', ')})`, { file: r.model });
  }
  const shards = r.shards ?? r.shard?.count ?? 1;
  if (r.shard && r.shard.count !== shards) throw new InputError(`--shard ${r.shard.index}/${r.shard.count} in a run of ${shards} shards`);
  const manifest: ScreenManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    model: { file: r.model, sha256: sha256File(r.model) },
    options: { elements: r.elements ?? saved.training.elements, supercell: r.supercell, maxDistance: r.maxDistance, ...(r.family ? { family: r.family } : {}), seed: r.seed },
    shards,
    structures: entries.map(({ id, file }) => ({ id, file })),
  };
  return { entries, saved, manifest };
}

/** One structure analysed (symmetry, AET, pairs) and predicted as `predict` does, with its structure and host columns. */
function screenOne(e: Entry, saved: SavedModel, r: ScreenRequest, elements: string[]): { fields: StructureFields; family: string; rows: ScreenRow[] } {
  const system = substitutionSystem(e.path, { supercell: r.supercell, maxDistance: r.maxDistance });
  const { family, model } = chooseFamily(saved, system.structure, r.family);
  const hosts = system.structure.hosts();
  const fields = { structure_id: e.id, file: e.file, formula: system.structure.formula(), spacegroup: analyzeSymmetry(system.structure).number };
  const rows = withPositions(system, predictAll(model, system.enumeration, elements, saved.training.elements)).map((p) => ({ ...fields, ...p, host_a: hosts.get(p.site_a)!, host_b: hosts.get(p.site_b)! }));
  return { fields, family, rows };
}

/** Screen the structures of a request (of its shard): each complete one skipped, each failure recorded and passed over. */
export async function screenStructures(r: ScreenRequest): Promise<ScreenResult> {
  const started = Date.now();
  const { entries, saved, manifest } = await prepare(r);
  const shard = r.shard ?? { index: 0, count: 1 };
  claimFolder(r.output, manifest, { anyShardCount: !r.shard });
  const mine = inShard(entries, shard);
  const db = await openDatabase({ threads: 1 });
  const progress = r.progress ?? SILENT;
  const stage = progress.stage(shard.count > 1 ? `screen, shard ${shard.index}/${shard.count}` : 'screen', mine.length);
  const result: ScreenResult = { output: r.output, shard, structures: mine.length, screened: 0, skipped: 0, failed: [], rows: 0, seconds: 0, family: {} };
  const { elements } = manifest.options;
  try {
    for (const e of mine) {
      if (await isComplete(db, r.output, e.id, manifest.model.sha256)) {
        result.skipped++;
        stage.tick();
        continue;
      }
      let one: ReturnType<typeof screenOne>;
      try {
        one = screenOne(e, saved, r, elements);
      } catch (err) {
        const f: Failure = { structure_id: e.id, file: e.file, error: (err as Error).message, kind: isInputError(err) ? 'input' : 'internal' };
        recordFailure(r.output, f);
        result.failed.push(f);
        r.onFailure?.(f);
        stage.tick();
        continue;
      }
      const { fields, family, rows } = one;
      result.rows += await writeParquet(db, parquetPath(r.output, e.id), SCREEN_SQL, rows, { ...fields, spacegroup: String(fields.spacegroup), family, model_sha256: manifest.model.sha256 });
      clearFailure(r.output, e.id);
      result.screened++;
      result.family[family] = (result.family[family] ?? 0) + 1;
      stage.tick();
    }
  } finally {
    stage.done();
    db.closeSync();
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

export interface SubmittedScreen extends SubmittedJob {
  output: string;
  structures: number;
}

/**
 * Submit a screening as a Slurm job array, one shard per task: the request is
 * checked and the folder claimed here, so every task finds the same manifest.
 */
export async function submitScreen(r: ScreenRequest & { shards: number }, slurm: ArrayJobOptions): Promise<SubmittedScreen> {
  if (r.shard) throw new InputError('--slurm runs every shard as an array task: give --shards N, not --shard');
  requireSbatch();
  const { manifest } = await prepare(r);
  claimFolder(r.output, manifest);
  const args = [
    'screen',
    '--model', r.model,
    ...(r.list !== undefined ? ['--list', r.list] : []),
    '--elements', manifest.options.elements.join(','),
    '--supercell', r.supercell,
    '--max-distance', String(r.maxDistance),
    ...(r.family ? ['--family', r.family] : []),
    '--seed', String(r.seed),
    '-o', r.output,
    ...(r.files ?? []),
  ];
  const job = submitArray({ ...slurm, args, tasks: r.shards, name: slurm.name ?? 'cescreen-screen', logDir: slurm.logDir ?? resolve(r.output, 'logs') });
  return { ...job, output: r.output, structures: manifest.structures.length };
}
