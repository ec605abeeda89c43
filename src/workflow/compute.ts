/**
 * `cescreen compute`: the substitution energies of a manifest or data set,
 * computed by an engine. Engines that run here (LAMMPS, ASE) relax the pristine
 * supercell once (cell and positions), each element's reference states, and
 * every substituted cell (positions, at the relaxed pristine cell), in parallel,
 * resumably, and write the filled data set with a metadata file beside it.
 * Engines that run elsewhere (VASP, QE) get their input sets written instead;
 * `cescreen collect` reads the results back.
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { Structure } from '../structure/structure.ts';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import { Lattice, norm, type Vec3 } from '../structure/lattice.ts';
import { datasetRow, substitutionSystem, type SubstitutionSystem } from '../substitution/system.ts';
import { loadDataset, type PositionFrame } from '../substitution/dataset.ts';
import { substitutionKind, type Substitution, type SubstitutionKind } from '../substitution/substitution.ts';
import { engineEntry } from '../engine/registry.ts';
import type { Calculator, EngineEntry, EngineIdentity, EngineSession, InputJob } from '../engine/engine.ts';
import { BOOKKEEPING, exchange, substitutionEnergy } from '../engine/bookkeeping.ts';
import { PROTOTYPES, referenceEnergy, type ReferenceEnergy } from '../engine/references.ts';
import { elementData } from '../engine/dft.ts';
import { withPositions } from '../engine/cellMath.ts';
import { EngineCache, cellKey, identityKey, type PristineRecord } from '../engine/cache.ts';
import { runPool } from '../engine/pool.ts';
import { stabilityCheck, type StabilityCheck } from '../engine/stability.ts';
import { InputError } from '../util/errors.ts';
import { requireSbatch, submitArray, type ArrayJobOptions, type SubmittedJob } from '../cluster/slurm.ts';
import { kebab, number, resolveParams, text, type ParamDefs } from '../util/params.ts';
import { columns, energyColumn, optional, readTable, writeTable, type RowOf } from '../util/table.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { inShard, parseShard } from '../util/shard.ts';
import { SILENT, inStage, type Progress } from '../util/progress.ts';
import { ENUMERATION_COLUMNS, SUBSTITUTION_COLUMNS, calculationName, substitutedCell, type CellChoice } from './calculations.ts';
import { sha256File } from '../util/digest.ts';

/** The filled data set: the manifest's columns and what the engine says about each row. */
export const COMPUTE_COLUMNS = [
  ...SUBSTITUTION_COLUMNS,
  optional(energyColumn('eds_eV', 'E_DS per cell by the bookkeeping above (empty: see reason)')),
  ...ENUMERATION_COLUMNS,
  optional(columns.number('energy_eV', 'total energy of the relaxed substituted cell', { unit: 'eV' })),
  optional(columns.flag('converged', '1: the relaxation converged; 0: it failed or did not converge (see reason); empty: not computed yet')),
  optional(columns.number('max_displacement', 'largest move of an atom in the relaxation', { unit: 'Å', digits: 4 })),
  optional(columns.number('steps', 'optimiser steps of the relaxation', { integer: true, min: 0 })),
  optional(columns.text('engine', 'the engine that computed the row')),
  optional(columns.text('reason', 'why the row has no eds_eV: failed or not converged')),
] as const;
type ComputeRow = RowOf<typeof COMPUTE_COLUMNS>;

export const COMPUTE_PARAMS = {
  jobs: number('relaxations run at once (one engine process each)', 2, { integer: true, min: 1, max: 256 }),
  shard: text('compute only the rows k with k mod N = i (i/N, 0 ≤ i < N; collect merges the shards)', ''),
  cache: text('file of reference energies and relaxed pristine cells, keyed by engine, potential digest and settings (default: engine-cache.json beside the output; none: no cache)', ''),
} as const satisfies ParamDefs;

export interface ComputeRequest extends CellChoice {
  /** Manifest or data set (`pairs --template`, `suggest`, `substitute --batch` format); eds_eV may be empty. */
  data: string;
  positions?: PositionFrame;
  engine: string;
  /** Engine options by parameter name (undefined: the declared default). */
  options?: Record<string, unknown>;
  /** The filled data set (engines that run here) or a folder of input sets (engines that run elsewhere). */
  output: string;
  jobs?: number;
  shard?: string;
  cache?: string;
  /** Compute again the rows a previous run recorded as failed or not converged. */
  retryFailed?: boolean;
  progress?: Progress;
  signal?: AbortSignal;
}

/** A run stopped by a signal: what was done is saved; run the same command again to go on. */
export class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}; the rows done so far are saved: run the same command again to resume`);
    this.name = 'Interrupted';
  }
}

interface RowResult {
  eds?: number;
  energy?: number;
  converged: boolean;
  maxDisplacement?: number;
  steps?: number;
  engine: string;
  reason?: string;
}

/** One physical calculation of the input (rows with one key are computed once). */
interface Item {
  key: string;
  substitution: Substitution;
  kind: SubstitutionKind;
}

export interface ComputeResult {
  engine: string;
  output: string;
  metadata: string;
  rows: number;
  computed: number;
  skipped: number;
  failed: number;
  unconverged: number;
  pristineEnergy: number;
  stability: StabilityCheck;
  references: Record<string, ReferenceEnergy>;
  seconds: number;
  relaxations: number;
  notes: string[];
}

/** The metadata file of an output: `x.csv` → `x.compute.json`. */
export function metadataPath(output: string): string {
  return output.replace(/\.csv$/i, '') + '.compute.json';
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' | ').slice(0, 400);

export function engineSettings(entry: EngineEntry<ParamDefs>, options: Record<string, unknown> = {}) {
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined && !(k in entry.params))
      throw new InputError(`${kebab(k)} is not an option of engine ${entry.name} (its options: ${Object.keys(entry.params).map(kebab).join(', ')})`);
  }
  return resolveParams(entry.params, options, `option of engine ${entry.name}`);
}

function loadItems(req: ComputeRequest): { system: SubstitutionSystem; items: Item[]; rows: number } {
  const system = substitutionSystem(req.cif, { block: req.block, supercell: req.supercell, maxDistance: req.maxDistance });
  const ds = loadDataset(req.data, system.enumeration, { structure: system.structure, frame: req.positions, energyOptional: true });
  const seen = new Set<string>();
  let items: Item[] = [];
  for (const r of ds.rows) {
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    items.push({ key: r.key, substitution: r.substitution, kind: r.kind });
  }
  if (req.shard) items = inShard(items, parseShard(req.shard));
  return { system, items, rows: ds.rows.length };
}

/** Compute (or write the inputs of) every calculation of the request. */
export async function compute(req: ComputeRequest): Promise<ComputeResult | InputSetResult> {
  const entry = engineEntry(req.engine);
  const settings = engineSettings(entry, req.options);
  if (entry.runsHere) return computeHere(req, entry, settings);
  if (entry.writesInputs) return writeInputSets(req, entry, settings);
  throw new InputError(`engine ${entry.name} neither runs here nor writes inputs`);
}


/** Shortest lattice translation of a cell, Å: a substituted atom sees its own image this far away. */
export function shortestImage(lattice: Lattice): number {
  let best = Infinity;
  const m = lattice.matrix;
  for (let i = -1; i <= 1; i++)
    for (let j = -1; j <= 1; j++)
      for (let k = -1; k <= 1; k++) {
        if (!i && !j && !k) continue;
        best = Math.min(best, norm([0, 1, 2].map((c) => i * m[0][c] + j * m[1][c] + k * m[2][c]) as [number, number, number]));
      }
  return best;
}

interface Metadata {
  format: 'cescreen-compute-1';
  identity: EngineIdentity;
  identityKey: string;
  cellKey: string;
  [k: string]: unknown;
}

function previousRun(req: ComputeRequest, system: SubstitutionSystem, idKey: string): Map<string, { result: RowResult; row: ComputeRow }> {
  const out = new Map<string, { result: RowResult; row: ComputeRow }>();
  if (!existsSync(req.output)) return out;
  const metaFile = metadataPath(req.output);
  if (!existsSync(metaFile)) throw new InputError(`the output exists but its metadata ${metaFile} does not: it was not written by cescreen compute; choose another -o`, { file: req.output });
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Metadata;
  if (meta.identityKey !== idKey)
    throw new InputError(`the output was computed with other engine settings (${JSON.stringify(meta.identity?.settings)}, ${meta.identity?.version}): choose another -o to keep both, or remove it`, { file: req.output });
  if (meta.cellKey !== cellKey(system.enumeration.cell)) throw new InputError(`the output was computed for another cell (structure or --supercell): choose another -o`, { file: req.output });
  const table = readTable(req.output, COMPUTE_COLUMNS, 'computed data set');
  const ds = loadDataset(req.output, system.enumeration, { structure: system.structure, energyOptional: true });
  ds.rows.forEach((r, k) => {
    const row = table.rows[k];
    if (row.converged === undefined) return; // listed, not computed yet
    out.set(r.key, {
      row,
      result: { eds: row.eds_eV, energy: row.energy_eV, converged: row.converged, maxDisplacement: row.max_displacement, steps: row.steps, engine: row.engine ?? '', reason: row.reason },
    });
  });
  return out;
}

async function computeHere(req: ComputeRequest, entry: EngineEntry<ParamDefs>, settings: Record<string, unknown>): Promise<ComputeResult> {
  const started = Date.now();
  const progress = req.progress ?? SILENT;
  if (!/\.csv$/i.test(req.output)) throw new InputError(`-o ${req.output}: engine ${entry.name} writes a data set: give a .csv file`);
  const { system, items } = loadItems(req);
  const cell = system.enumeration.cell;
  const elements = [...new Set([...cell.composition().keys(), ...items.flatMap((i) => [i.substitution.elementA, i.substitution.elementB])])].sort();
  const session: EngineSession = await entry.runsHere!.open(settings as never, elements);
  for (const host of cell.composition().keys()) {
    const p = session.elementProblem(host);
    if (p) throw new InputError(`the structure's own ${p}`, { file: req.cif });
  }
  const idKey = identityKey(session.identity);
  const previous = previousRun(req, system, idKey);
  const cacheFile = req.cache === 'none' ? undefined : req.cache || `${req.output.replace(/[^/]*$/, '')}engine-cache.json`;
  const cache = new EngineCache(cacheFile, session.identity);
  const results = new Map<string, RowResult>();
  for (const [k, p] of previous) results.set(k, p.result);
  const todo = items.filter((i) => {
    const p = results.get(i.key);
    return !p || (req.retryFailed && p.eds === undefined);
  });

  const signal = req.signal;
  if (signal?.aborted) throw new Interrupted(String(signal.reason));
  const jobs = Math.max(1, Math.min(req.jobs ?? COMPUTE_PARAMS.jobs.default, Math.max(1, todo.length)));
  const calcs: Calculator[] = Array.from({ length: jobs }, () => session.calculator());
  // an interrupt kills the engine processes at once: what they were computing is lost, what is done is saved
  const stop = () => calcs.forEach((c) => c.close());
  signal?.addEventListener('abort', stop, { once: true });
  let relaxations = 0;
  try {
    // 1. the pristine supercell, relaxed once in cell and positions
    let pristine = cache.pristine(cell);
    if (!pristine) {
      pristine = await inStage(progress, 'pristine supercell: relax cell and positions', 1, async (st) => {
        const failed = (e: Error) => {
          if (signal?.aborted) throw new Interrupted(String(signal.reason));
          throw new InputError(`the pristine ${cell.formula()} supercell could not be relaxed: ${oneLine(e.message)}`, { file: req.cif });
        };
        const r = await calcs[0].relax(cell, 'cell').catch(failed);
        // pushed off its symmetric position: does it come back? (a saddle would not)
        const stability = await stabilityCheck(calcs[0], r.structure, r.energy).catch(failed);
        relaxations += 2;
        st.tick();
        const rec: PristineRecord = { energy: r.energy, converged: r.converged, criterion: r.criterion, steps: r.steps, maxDisplacement: r.maxDisplacement, lattice: r.structure.lattice.matrix, frac: r.structure.sites.map((s) => s.frac), stability };
        if (r.converged) cache.savePristine(cell, rec);
        return rec;
      });
    }
    if (!pristine.converged) throw new InputError(`the pristine ${cell.formula()} supercell did not relax (${pristine.criterion}): raise --max-steps, or check the potential`, { file: req.cif });
    const relaxed = withPositions(cell, pristine.lattice, pristine.frac);

    // 2. μ of every element a row adds or removes (of all rows, so the metadata lists them after a resume too)
    const exchanges = new Map(items.map((i) => [i.key, exchange(system.enumeration, i.substitution)]));
    const needed = [...new Set([...exchanges.values()].flatMap((x) => [...x.added, ...x.removed]))].sort();
    const references: Record<string, ReferenceEnergy> = {};
    const referenceProblems = new Map<string, string>();
    const missing: string[] = [];
    for (const e of needed) {
      const problem = session.elementProblem(e);
      const known = cache.reference(e);
      if (problem) referenceProblems.set(e, problem);
      else if (known) references[e] = known;
      else missing.push(e);
    }
    await inStage(progress, 'reference states: fcc, bcc, hcp, diamond', missing.length, (st) =>
      runPool(
        missing,
        calcs,
        async (calc, e) => {
          try {
            references[e] = await referenceEnergy(calc, e);
            relaxations += 4;
            cache.saveReference(references[e]);
          } catch (err) {
            if (!signal?.aborted) referenceProblems.set(e, `no reference energy for ${e}: ${oneLine((err as Error).message)}`);
          }
          st.tick();
        },
        signal,
      ),
    );
    if (signal?.aborted) throw new Interrupted(String(signal.reason));
    const mu = new Map(Object.entries(references).map(([e, r]) => [e, r.mu]));

    // 3. every substituted cell, relaxed in positions at the relaxed pristine cell
    let lastWrite = Date.now();
    // what the metadata says about the cells, worked out once (a symmetry analysis of a large cell takes seconds)
    const cells = {
      file: req.cif,
      sha256: sha256File(req.cif),
      supercell: system.supercell,
      maxDistance: system.maxDistance,
      atoms: cell.length,
      formula: cell.formula(),
      spacegroup: analyzeSymmetry(cell).symbol,
      spacegroupRelaxed: analyzeSymmetry(relaxed).symbol,
      shortestImage: shortestImage(relaxed.lattice),
    };
    const save = () => writeOutputs(req, system, items, results, previous, { session, idKey, pristine: pristine!, references, started, relaxations, cells });
    await inStage(progress, `relax substituted cells (${jobs} at once)`, todo.length, (st) =>
      runPool(
        todo,
        calcs,
        async (calc, item) => {
          const x = exchanges.get(item.key)!;
          const problem = [...x.added, ...x.removed].map((e) => referenceProblems.get(e)).find(Boolean);
          let result: RowResult;
          if (problem) result = { converged: false, engine: entry.name, reason: `failed: ${problem}` };
          else if (item.kind === 'pristine') result = { eds: 0, energy: pristine!.energy, converged: true, maxDisplacement: 0, steps: 0, engine: entry.name };
          else {
            try {
              const r = await calc.relax(substitutedCell(system, item.substitution, relaxed), 'positions');
              relaxations++;
              result = r.converged
                ? { eds: substitutionEnergy(r.energy, pristine!.energy, x, mu), energy: r.energy, converged: true, maxDisplacement: r.maxDisplacement, steps: r.steps, engine: entry.name }
                : { energy: r.energy, converged: false, maxDisplacement: r.maxDisplacement, steps: r.steps, engine: entry.name, reason: `not converged: ${oneLine(r.criterion)}` };
            } catch (e) {
              if (signal?.aborted) return; // killed by the interrupt: not a result
              result = { converged: false, engine: entry.name, reason: `failed: ${oneLine((e as Error).message)}` };
            }
          }
          results.set(item.key, result);
          st.tick();
          if (Date.now() - lastWrite > 2000) {
            save();
            lastWrite = Date.now();
          }
        },
        signal,
      ),
    );
    const meta = save();
    if (signal?.aborted) throw new Interrupted(String(signal.reason));
    const done = items.map((i) => results.get(i.key)!);
    return {
      engine: entry.name,
      output: req.output,
      metadata: metadataPath(req.output),
      rows: items.length,
      computed: todo.length,
      skipped: items.length - todo.length,
      failed: done.filter((r) => r.reason?.startsWith('failed')).length,
      unconverged: done.filter((r) => r.reason?.startsWith('not converged')).length,
      pristineEnergy: pristine.energy,
      stability: pristine.stability,
      references,
      seconds: meta.seconds,
      relaxations,
      notes: session.notes,
    };
  } finally {
    signal?.removeEventListener('abort', stop);
    stop();
  }
}

function rowOf(system: SubstitutionSystem, item: Item, r: RowResult | undefined): ComputeRow {
  const s = item.substitution;
  return {
    ...datasetRow(system, s),
    config: s.pair.id,
    kind: substitutionKind(system.enumeration, s),
    distance: s.pair.distance,
    eds_eV: r?.eds,
    energy_eV: r?.energy,
    converged: r?.converged,
    max_displacement: r?.maxDisplacement,
    steps: r?.steps,
    engine: r?.engine,
    reason: r?.reason,
  } as ComputeRow;
}

function writeOutputs(
  req: ComputeRequest,
  system: SubstitutionSystem,
  items: Item[],
  results: Map<string, RowResult>,
  previous: Map<string, { row: ComputeRow }>,
  o: {
    session: EngineSession;
    idKey: string;
    pristine: PristineRecord;
    references: Record<string, ReferenceEnergy>;
    started: number;
    relaxations: number;
    cells: { spacegroupRelaxed: string; shortestImage: number } & Record<string, unknown>;
  },
): { seconds: number } {
  const inInput = new Set(items.map((i) => i.key));
  // rows of an earlier run that this input does not list are kept, never thrown away
  const kept = [...previous.entries()].filter(([k]) => !inInput.has(k)).map(([, p]) => p.row);
  const rows = [...items.map((i) => rowOf(system, i, results.get(i.key))), ...kept];
  writeFileAtomic(req.output, writeTable(COMPUTE_COLUMNS, rows, { keep: ['eds_eV'] }));
  const cell = system.enumeration.cell;
  const all = items.map((i) => results.get(i.key));
  const seconds = (Date.now() - o.started) / 1000;
  const meta: Metadata = {
    format: 'cescreen-compute-1',
    identity: o.session.identity,
    identityKey: o.idKey,
    cellKey: cellKey(cell),
    notes: o.session.notes,
    bookkeeping: BOOKKEEPING,
    structure: { ...o.cells, spacegroupRelaxed: undefined, shortestImage: undefined },
    cutoff: o.session.cutoff ?? null,
    shortestImage: o.cells.shortestImage,
    pristine: {
      energy_eV: o.pristine.energy,
      converged: o.pristine.converged,
      steps: o.pristine.steps,
      maxDisplacement: o.pristine.maxDisplacement,
      spacegroupRelaxed: o.cells.spacegroupRelaxed,
      stability: o.pristine.stability,
      lattice: o.pristine.lattice,
    },
    references: o.references,
    shard: req.shard ?? null,
    rows: {
      total: items.length,
      done: all.filter((r) => r?.eds !== undefined).length,
      failed: all.filter((r) => r?.reason?.startsWith('failed')).length,
      unconverged: all.filter((r) => r?.reason?.startsWith('not converged')).length,
      pending: all.filter((r) => !r).length,
    },
    timing: { seconds, relaxations: o.relaxations, jobs: req.jobs ?? COMPUTE_PARAMS.jobs.default },
  };
  writeFileAtomic(metadataPath(req.output), JSON.stringify(meta, null, 1) + '\n');
  return { seconds };
}

export interface InputSetResult {
  engine: string;
  output: string;
  written: string[];
  /** Rows not written yet: their cells wait for the relaxed pristine cell. */
  waiting: number;
  notes: string[];
}

/** The record of a folder of input sets, read back by `cescreen collect`. */
export interface InputSetRecord {
  format: 'cescreen-inputs-1';
  identity: EngineIdentity;
  bookkeeping: string;
  structure: { file: string; copy: string; sha256: string; supercell: string; maxDistance: number; block?: string };
  cellKey: string;
  pristine: { dir: string; atoms: number };
  references: Record<string, { prototype: string; dir: string; atoms: number }[]>;
  rows: { key: string; dir: string }[];
  rowsAt: string;
}

export const INPUT_RECORD = 'compute.json';

/**
 * Input sets for an engine that runs elsewhere: the pristine supercell and the
 * reference crystals (cell and positions) first; the substituted cells (positions)
 * once the pristine run has finished, at its relaxed cell (run compute again).
 */
async function writeInputSets(req: ComputeRequest, entry: EngineEntry<ParamDefs>, settings: Record<string, unknown>): Promise<InputSetResult> {
  const w = entry.writesInputs!;
  if (/\.csv$/i.test(req.output)) throw new InputError(`-o ${req.output}: engine ${entry.name} writes a folder of input sets (e.g. -o runs/), not a data set; cescreen collect reads the results back`);
  const { system, items } = loadItems(req);
  const cell = system.enumeration.cell;
  const out = req.output;
  const written: string[] = [];
  const notes: string[] = [];
  const write = (dir: string, job: InputJob) => {
    // a folder that holds a finished run keeps its inputs
    if (entry.readsOutputs && hasOutput(entry, join(out, dir))) return;
    w.write(join(out, dir), job, settings as never);
    written.push(dir);
  };
  write('pristine', { cell, mode: 'cell', title: `pristine ${cell.formula()} ${system.supercell}` });
  const exchanges = items.map((i) => exchange(system.enumeration, i.substitution));
  const needed = [...new Set(exchanges.flatMap((x) => [...x.added, ...x.removed]))].sort();
  const references: InputSetRecord['references'] = {};
  for (const e of needed) {
    references[e] = Object.entries(PROTOTYPES).map(([prototype, make]) => {
      const c = make(e, 2 * elementData(e).radius);
      const dir = `references/${e}-${prototype}`;
      write(dir, { cell: c, mode: 'cell', title: `${e} ${prototype} reference` });
      return { prototype, dir, atoms: c.length };
    });
  }
  const relaxed = relaxedPristine(entry, join(out, 'pristine'), cell);
  const rows: InputSetRecord['rows'] = [];
  if (relaxed) {
    items.forEach((item, k) => {
      const dir = `rows/${calculationName(k, item.substitution)}`;
      write(dir, { cell: substitutedCell(system, item.substitution, relaxed), mode: 'positions', title: `${cell.formula()} ${item.substitution.elementA}@${item.substitution.pair.siteA} ${item.substitution.elementB}@${item.substitution.pair.siteB}` });
      rows.push({ key: item.key, dir });
    });
  } else notes.push(`run pristine/ (and references/), then run this command again: it writes the ${items.length} substituted cells at the relaxed pristine cell`);
  const copy = 'structure.cif';
  writeFileAtomic(join(out, copy), readFileSync(req.cif, 'utf8'));
  const record: InputSetRecord = {
    format: 'cescreen-inputs-1',
    identity: w.identity(settings as never),
    bookkeeping: BOOKKEEPING,
    structure: { file: req.cif, copy, sha256: sha256File(req.cif), supercell: system.supercell, maxDistance: system.maxDistance, block: req.block },
    cellKey: cellKey(cell),
    pristine: { dir: 'pristine', atoms: cell.length },
    references,
    rows,
    rowsAt: relaxed ? 'the relaxed cell of pristine/' : 'not written yet',
  };
  writeFileAtomic(join(out, INPUT_RECORD), JSON.stringify(record, null, 1) + '\n');
  const manifest = items.map((item, k) => ({ ...rowOf(system, item, undefined), run: rows[k]?.dir }));
  writeFileAtomic(join(out, 'manifest.csv'), writeTable([...COMPUTE_COLUMNS, optional(columns.text('run', 'the folder of the calculation'))], manifest, { keep: ['eds_eV'] }));
  return { engine: entry.name, output: out, written, waiting: relaxed ? 0 : items.length, notes };
}

function hasOutput(entry: EngineEntry<ParamDefs>, dir: string): boolean {
  if (!existsSync(dir)) return false;
  try {
    entry.readsOutputs!.read(dir);
    return true;
  } catch {
    return false;
  }
}

/** The pristine cell as the finished run relaxed it, atoms in the cell's order; undefined while it has not finished. */
export function relaxedPristine(entry: EngineEntry<ParamDefs>, dir: string, cell: Structure): Structure | undefined {
  if (!entry.readsOutputs || !hasOutput(entry, dir)) return undefined;
  const r = entry.readsOutputs.read(dir);
  if (!r.ionicConverged || !r.electronicConverged) throw new InputError(`the pristine run did not converge (${r.reason}): fix and rerun it before the substituted cells are written`, { file: r.file });
  if (!r.structure || r.structure.length !== cell.length) throw new InputError(`the pristine output gives no final structure of ${cell.length} atoms`, { file: r.file });
  const order = entry.writesInputs?.atomOrder?.(cell) ?? cell.sites.map((_, i) => i);
  const frac: Vec3[] = new Array(cell.length);
  order.forEach((atom, k) => {
    if (r.structure!.sites[k].element !== cell.sites[atom].element) throw new InputError(`atom ${k + 1} of the pristine output is ${r.structure!.sites[k].element}, the input had ${cell.sites[atom].element} there`, { file: r.file });
    frac[atom] = r.structure!.sites[k].frac;
  });
  return withPositions(cell, r.structure.lattice, frac);
}

/** The output of one shard of a Slurm array: `%a` is the task id, which the array script fills in. */
export const shardOutput = (output: string) => output.replace(/(\.csv)?$/i, '.shard-%a$1');

/**
 * Submit a computation as a Slurm job array (src/cluster/slurm.ts), one shard of the rows per task,
 * each writing `<output>.shard-<i>.csv`; `cescreen collect <output>.shard-*.csv -o <output>`
 * merges them. Engines that run elsewhere (VASP, QE) have their own queue: refused here.
 */
export function submitCompute(r: ComputeRequest & { shards: number }, slurm: ArrayJobOptions): SubmittedJob & { outputs: string; merge: string } {
  if (r.shard) throw new InputError('--slurm runs every shard as an array task: give --shards N, not --shard');
  const entry = engineEntry(r.engine);
  if (!entry.runsHere) throw new InputError(`--slurm: the ${r.engine} engine writes input sets to run on your cluster's own queue; compute them without --slurm and submit the runs`);
  // what every task would refuse is refused here, before anything is queued
  engineSettings(entry, r.options);
  loadItems(r);
  requireSbatch();
  // every option as the task's command line gives it (declared names, kebab-case)
  const flag = (name: string, v: unknown) => (v === undefined || v === false || v === '' ? [] : v === true ? [kebab(name)] : [kebab(name), String(v)]);
  const outputs = shardOutput(r.output);
  const args = [
    'compute',
    r.cif,
    '--data', r.data,
    ...flag('positions', r.positions),
    '--engine', r.engine,
    ...flag('block', r.block),
    ...flag('supercell', r.supercell),
    ...flag('maxDistance', r.maxDistance),
    ...Object.entries(r.options ?? {}).flatMap(([k, v]) => flag(k, v)),
    ...flag('jobs', r.jobs),
    ...flag('cache', r.cache),
    ...flag('retryFailed', r.retryFailed),
    '-o', outputs,
  ];
  const job = submitArray({ ...slurm, args, tasks: r.shards, name: slurm.name ?? 'cescreen-compute', logDir: slurm.logDir ?? resolve(dirname(resolve(r.output)), 'slurm-logs') });
  return { ...job, outputs: outputs.replace('%a', '*'), merge: `cescreen collect ${outputs.replace('%a', '*')} -o ${r.output}` };
}
