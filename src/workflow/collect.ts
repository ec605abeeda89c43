/**
 * `cescreen collect`: the data set of calculations made elsewhere. Either the
 * run folders `compute --engine vasp|qe` wrote (results read, convergence
 * checked, the bookkeeping applied with references computed or given), or the
 * outputs of `compute --shard i/N` runs, merged into one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { substitutionSystem } from '../substitution/system.ts';
import { loadDataset } from '../substitution/dataset.ts';
import { elementColumn } from '../structure/periodicTable.ts';
import { engineEntry } from '../engine/registry.ts';
import { BOOKKEEPING, exchange, substitutionEnergy } from '../engine/bookkeeping.ts';
import type { EngineEntry, RunResult } from '../engine/engine.ts';
import { InputError } from '../util/errors.ts';
import type { ParamDefs } from '../util/params.ts';
import { columns, readTable, writeTable } from '../util/table.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { COMPUTE_COLUMNS, INPUT_RECORD, metadataPath, type InputSetRecord } from './compute.ts';
import { SUBSTITUTION_COLUMNS } from './calculations.ts';

/** Reference chemical potentials given by the user instead of computed. */
export const REFERENCE_COLUMNS = [elementColumn('element', 'element'), columns.number('mu_eV', 'its chemical potential: energy per atom of its reference state', { unit: 'eV' })] as const;

export interface CollectRequest {
  /** One folder written by compute (with --engine), or the outputs of compute --shard runs. */
  inputs: string[];
  engine?: string;
  /** A CSV of element,mu_eV instead of the reference runs. */
  references?: string;
  output: string;
}

export interface CollectResult {
  engine: string;
  output: string;
  metadata: string;
  rows: number;
  done: number;
  pending: number;
  failed: number;
  references: Record<string, { mu: number; from: string }>;
  pristineEnergy?: number;
  notes: string[];
}

const converged = (r: RunResult) => r.ionicConverged && r.electronicConverged && Number.isFinite(r.energy);

/** Read a run, refusing one that did not converge (naming its file). */
function finished(entry: EngineEntry<ParamDefs>, dir: string, what: string): RunResult {
  const r = entry.readsOutputs!.read(dir);
  if (!converged(r)) throw new InputError(`${what} did not converge: ${r.reason || 'no energy'}; rerun it (or leave it out) before collecting`, { file: r.file });
  return r;
}

export async function collect(req: CollectRequest): Promise<CollectResult> {
  if (!/\.csv$/i.test(req.output)) throw new InputError(`-o ${req.output}: collect writes a data set: give a .csv file`);
  if (req.engine) {
    const entry = engineEntry(req.engine);
    if (!entry.readsOutputs) throw new InputError(`engine ${entry.name} reads no outputs: its results are written by compute itself (collect merges the outputs of compute --shard without --engine)`);
    if (req.inputs.length !== 1) throw new InputError(`collect --engine ${entry.name} reads one folder written by compute --engine ${entry.name}, got ${req.inputs.length}`);
    return collectRuns(entry, req.inputs[0], req);
  }
  return mergeShards(req);
}

function collectRuns(entry: EngineEntry<ParamDefs>, dir: string, req: CollectRequest): CollectResult {
  const recordFile = join(dir, INPUT_RECORD);
  if (!existsSync(recordFile)) throw new InputError(`no ${INPUT_RECORD}: not a folder written by cescreen compute --engine ${entry.name}`, { file: dir });
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as InputSetRecord;
  if (record.format !== 'cescreen-inputs-1') throw new InputError(`not a cescreen input-set record`, { file: recordFile });
  if (record.identity.engine !== entry.name) throw new InputError(`the folder holds ${record.identity.engine} runs, not ${entry.name}: use --engine ${record.identity.engine}`, { file: recordFile });
  if (!record.rows.length) throw new InputError(`no substituted cells written yet (${record.rowsAt}): run pristine/, then compute again to write them`, { file: recordFile });
  const notes: string[] = [];
  const pristine = finished(entry, join(dir, record.pristine.dir), 'the pristine run');
  const programs = new Set([pristine.program].filter(Boolean));

  const mu = new Map<string, number>();
  const references: CollectResult['references'] = {};
  if (req.references) {
    for (const r of readTable(req.references, REFERENCE_COLUMNS, 'reference energies').rows) {
      mu.set(r.element, r.mu_eV);
      references[r.element] = { mu: r.mu_eV, from: req.references };
    }
  } else {
    for (const [element, runs] of Object.entries(record.references)) {
      let best: { mu: number; from: string } | undefined;
      for (const run of runs) {
        const r = finished(entry, join(dir, run.dir), `the ${element} ${run.prototype} reference run`);
        if (r.program) programs.add(r.program);
        const perAtom = r.energy / run.atoms;
        if (!best || perAtom < best.mu) best = { mu: perAtom, from: run.dir };
      }
      if (best) {
        mu.set(element, best.mu);
        references[element] = best;
      }
    }
  }

  const system = substitutionSystem(join(dir, record.structure.copy), { supercell: record.structure.supercell, maxDistance: record.structure.maxDistance, block: record.structure.block });
  const manifest = join(dir, 'manifest.csv');
  const ds = loadDataset(manifest, system.enumeration, { structure: system.structure, energyOptional: true });
  const table = readTable(manifest, COMPUTE_COLUMNS, 'manifest');
  const runOf = new Map(record.rows.map((r) => [r.key, r.dir]));
  let pending = 0;
  const rows = ds.rows.map((row, k) => {
    const base = { ...table.rows[k], engine: entry.name };
    const run = runOf.get(row.key);
    if (!run || !existsSync(join(dir, run))) {
      pending++;
      return { ...base, reason: undefined, converged: undefined };
    }
    let r: RunResult;
    try {
      r = entry.readsOutputs!.read(join(dir, run));
    } catch {
      pending++; // written, not run yet
      return { ...base, reason: undefined, converged: undefined };
    }
    if (!converged(r)) throw new InputError(`the run of ${row.key} did not converge: ${r.reason || 'no energy'}; rerun it before collecting`, { file: r.file });
    if (r.program) programs.add(r.program);
    const x = exchange(system.enumeration, row.substitution);
    const missing = [...x.added, ...x.removed].filter((e) => !mu.has(e));
    if (missing.length) throw new InputError(`no reference energy for ${missing.join(', ')}${req.references ? ` in ${req.references}` : ''}`, { file: r.file });
    return { ...base, eds_eV: substitutionEnergy(r.energy, pristine.energy, x, mu), energy_eV: r.energy, converged: true, steps: r.steps, reason: undefined };
  });
  if (pending) notes.push(`${pending} of ${rows.length} calculations have no output yet: written without eds_eV; collect again when they finish`);
  writeFileAtomic(req.output, writeTable(COMPUTE_COLUMNS, rows, { keep: ['eds_eV'] }));
  const metadata = metadataPath(req.output);
  writeFileAtomic(
    metadata,
    JSON.stringify(
      {
        format: 'cescreen-compute-1',
        identity: { ...record.identity, version: [...programs].join(', ') || record.identity.version },
        bookkeeping: BOOKKEEPING,
        structure: record.structure,
        cellKey: record.cellKey,
        collectedFrom: dir,
        pristine: { energy_eV: pristine.energy, file: pristine.file, steps: pristine.steps },
        references,
        rows: { total: rows.length, done: rows.length - pending, pending },
      },
      null,
      1,
    ) + '\n',
  );
  return { engine: entry.name, output: req.output, metadata, rows: rows.length, done: rows.length - pending, pending, failed: 0, references, pristineEnergy: pristine.energy, notes };
}

interface ShardMeta {
  identityKey: string;
  cellKey: string;
  identity: { engine: string };
  shard: string | null;
  references: Record<string, { mu: number; prototype?: string }>;
  pristine: { energy_eV: number };
  [k: string]: unknown;
}

/** Shard outputs of one run into one data set: same engine set-up and cell, each calculation once (a computed row wins). */
function mergeShards(req: CollectRequest): CollectResult {
  if (req.inputs.length === 0) throw new InputError('give the outputs of compute --shard to merge (or --engine vasp|qe and a folder of runs)');
  const metas = req.inputs.map((f) => {
    const m = metadataPath(f);
    if (!existsSync(f)) throw new InputError(`no such file`, { file: f });
    if (!existsSync(m)) throw new InputError(`no ${m} beside it: not an output of cescreen compute`, { file: f });
    return JSON.parse(readFileSync(m, 'utf8')) as ShardMeta;
  });
  metas.forEach((m, i) => {
    if (m.identityKey !== metas[0].identityKey) throw new InputError(`computed with other engine settings than ${req.inputs[0]}: shards of one run only`, { file: req.inputs[i] });
    if (m.cellKey !== metas[0].cellKey) throw new InputError(`computed for another cell than ${req.inputs[0]}`, { file: req.inputs[i] });
  });
  const byRow = new Map<string, Record<string, unknown>>();
  const score = (r: Record<string, unknown>) => (r.eds_eV !== undefined ? 2 : r.converged !== undefined ? 1 : 0);
  for (const f of req.inputs) {
    for (const row of readTable(f, COMPUTE_COLUMNS, 'computed data set').rows) {
      const key = SUBSTITUTION_COLUMNS.map((c) => String((row as Record<string, unknown>)[c.name])).join(',');
      const known = byRow.get(key);
      if (!known || score(row) > score(known)) byRow.set(key, row);
    }
  }
  const rows = [...byRow.values()];
  writeFileAtomic(req.output, writeTable(COMPUTE_COLUMNS, rows as never, { keep: ['eds_eV'] }));
  const references = Object.assign({}, ...metas.map((m) => m.references)) as ShardMeta['references'];
  const done = rows.filter((r) => r.eds_eV !== undefined).length;
  const pending = rows.filter((r) => r.converged === undefined).length;
  const metadata = metadataPath(req.output);
  writeFileAtomic(metadata, JSON.stringify({ ...metas[0], shard: null, mergedFrom: req.inputs, references, rows: { total: rows.length, done, failed: rows.length - done - pending, pending } }, null, 1) + '\n');
  const shards = metas.map((m) => m.shard).filter(Boolean);
  return {
    engine: metas[0].identity.engine,
    output: req.output,
    metadata,
    rows: rows.length,
    done,
    pending,
    failed: rows.length - done - pending,
    references: Object.fromEntries(Object.entries(references).map(([e, r]) => [e, { mu: r.mu, from: r.prototype ?? '' }])),
    pristineEnergy: metas[0].pristine.energy_eV,
    notes: shards.length ? [`merged shards ${shards.join(', ')}`] : [],
  };
}

