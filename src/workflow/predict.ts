import { availableParallelism } from 'node:os';
import { substitutionSystem, type SubstitutionSystem } from '../substitution/system.ts';
import { distinctSubstitutions } from '../substitution/substitution.ts';
import { chooseFamily } from '../predict/modelFile.ts';
import { loadJob, predictParallel, type Loaded, type PredictResult } from '../predict/parallel.ts';
import { SILENT, inStage, type Progress } from '../util/progress.ts';
import { stabilising } from '../predict/predict.ts';

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
  progress?: Progress;
}

export interface PhasePrediction extends PredictResult {
  system: SubstitutionSystem;
  threads: number;
}

/** Every symmetry-distinct substitution energy of a structure. */
export async function predictPhase(r: PredictRequest): Promise<PhasePrediction> {
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
    const rows = r.stabilisingBelow === undefined ? result.rows : stabilising(result.rows, r.stabilisingBelow);
    return { ...result, rows, system, threads };
  } finally {
    steps.done();
  }
}
