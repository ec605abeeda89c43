import { availableParallelism } from 'node:os';
import { substitutionSystem, type SubstitutionSystem } from '../substitution/system.ts';
import { distinctSubstitutions } from '../substitution/substitution.ts';
import { chooseFamily } from '../predict/modelFile.ts';
import { loadJob, predictParallel, type Loaded, type PredictResult } from '../predict/parallel.ts';
import { SILENT, inStage, type Progress } from '../util/progress.ts';
import { predictionRows, stabilising, withPositions } from '../predict/predict.ts';
import type { PredictionRow } from '../predict/table.ts';
import { cleanDataset, collapseByKey, loadDataset, type PositionFrame } from '../substitution/dataset.ts';
import { scores, type Scores } from '../model/evaluation/evaluate.ts';
import { InputError } from '../util/errors.ts';

export interface PredictRequest {
  /** Model file written by `cescreen train`. */
  model: string;
  cif: string;
  block?: string;
  supercell?: string;
  maxDistance?: number;
  family?: string;
  /** Elements to place; default those the model was trained on. */
  elements?: string[];
  /** Only the rows below this energy (eV), most negative first. */
  stabilisingBelow?: number;
  /** Worker threads; 'auto': 2 above 10 000 substitutions on a multi-core machine. */
  threads: number | 'auto';
  /**
   * A data set of the structure (positions as its format gives them): only its calculations are
   * predicted, each with its id and, where it has one, its energy, and the predictions are scored
   * against those energies as `evaluate` scores a protocol.
   */
  data?: string;
  positions?: PositionFrame;
  /** E_DS below this is "stabilising" in the scores (default 0). */
  threshold?: number;
  progress?: Progress;
}

export interface PhasePrediction extends PredictResult {
  system: SubstitutionSystem;
  threads: number;
  /** Rows outside the applicability domain. */
  outOfDomain: number;
  /** With `data`: the scores against its energies, and the rows set aside (pristine cells …) by why. */
  scores?: Scores;
  dropped?: Record<string, number>;
}

/** Every symmetry-distinct substitution energy of a structure, or the calculations of a data set of it. */
export async function predictPhase(r: PredictRequest): Promise<PhasePrediction> {
  if (r.data) return predictDataset(r);
  const progress = r.progress ?? SILENT;
  // steps weighted by their seconds for β-Nb5Si3 with the gp model of α: loading refactors the GP
  const steps = progress.stage('predict', [4, 5]);
  try {
    // Validate everything on this thread first, so workers only ever see good input.
    const job = { model: r.model, cif: r.cif, block: r.block, supercell: r.supercell, maxDistance: r.maxDistance, family: r.family, elements: r.elements };
    let loaded: Loaded | undefined = await inStage(progress, 'load model and cell', 1, () => loadJob(job));
    const system = loaded.system;
    chooseFamily(loaded.saved, system.structure, r.family);
    const elements = r.elements ?? loaded.saved.training.elements;
    const count = distinctSubstitutions(system.enumeration, elements).length;
    const threads = r.threads === 'auto' ? (count > 10000 && availableParallelism() > 1 ? 2 : 1) : r.threads;
    // workers load their own copy: this one is let go (a gp model of α holds ~250 MB)
    if (threads > 1) loaded = undefined;
    steps.tick();
    const result = await inStage(progress, `${count} substitutions`, count, (stage) =>
      predictParallel({ ...job, supercell: system.supercell, maxDistance: system.maxDistance, elements }, threads, { loaded, stage }),
    );
    steps.tick();
    const rows = withPositions(system, r.stabilisingBelow === undefined ? result.rows : stabilising(result.rows, r.stabilisingBelow));
    return { ...result, rows, system, threads, outOfDomain: rows.filter((x) => x.out_of_domain).length };
  } finally {
    steps.done();
  }
}

/** The calculations of a data set, predicted and scored against the energies it has. */
async function predictDataset(r: PredictRequest): Promise<PhasePrediction> {
  const loaded = await loadJob({ model: r.model, cif: r.cif, block: r.block, supercell: r.supercell, maxDistance: r.maxDistance });
  const { saved, system } = loaded;
  const { family, model, warning } = chooseFamily(saved, system.structure, r.family);
  const cleaned = cleanDataset(loadDataset(r.data!, system.enumeration, { structure: system.structure, frame: r.positions, energyOptional: true }));
  const samples = collapseByKey(cleaned.rows);
  if (samples.length === 0) throw new InputError('no calculation to predict: every row is a pristine cell or set aside', { file: r.data });
  const predicted = predictionRows(model, system.enumeration, samples.map((s) => s.substitution), saved.training.elements);
  const rows = withPositions(system, predicted).map((row, k) => ({ ...row, unique_id: samples[k].uniqueIds.filter(Boolean).join(' ') || undefined, eds: Number.isFinite(samples[k].eds) ? samples[k].eds : undefined }));
  const known = rows.flatMap((row, k) => (row.eds === undefined ? [] : [k]));
  const scored = known.length
    ? scores(
        known.map((k) => rows[k].eds!),
        { mean: known.map((k) => rows[k].eds_pred), ...(rows[0].eds_lo === undefined ? {} : { lo: known.map((k) => rows[k].eds_lo!), hi: known.map((k) => rows[k].eds_hi!), outOfDomain: known.map((k) => !!rows[k].out_of_domain) }) },
        r.threshold ?? 0,
      )
    : undefined;
  const dropped: Record<string, number> = {};
  for (const d of cleaned.dropped) dropped[d.cause] = (dropped[d.cause] ?? 0) + 1;
  return { family, warning, notes: model.notes ?? [], rows, system, threads: 1, outOfDomain: rows.filter((x) => x.out_of_domain).length, scores: scored, dropped };
}
