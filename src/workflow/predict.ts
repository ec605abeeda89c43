import { availableParallelism } from 'node:os';
import { substitutionSystem, type SubstitutionSystem } from '../substitution/system.ts';
import { distinctSubstitutions } from '../substitution/substitution.ts';
import { chooseFamily, loadModel } from '../predict/modelFile.ts';
import { predictParallel, type PredictResult } from '../predict/parallel.ts';
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
}

export interface PhasePrediction extends PredictResult {
  system: SubstitutionSystem;
  threads: number;
}

/** Every symmetry-distinct substitution energy of a structure. */
export async function predictPhase(r: PredictRequest): Promise<PhasePrediction> {
  // Validate everything on this thread first, so workers only ever see good input.
  const saved = await loadModel(r.model);
  const system = substitutionSystem(r.cif, { block: r.block, supercell: r.supercell, maxDistance: r.maxDistance });
  chooseFamily(saved, system.structure, r.family);
  const elements = r.elements ?? saved.training.elements;
  const count = distinctSubstitutions(system.enumeration, elements).length;
  const threads = r.threads === 'auto' ? (count > 10000 && availableParallelism() > 1 ? 2 : 1) : r.threads;
  const result = await predictParallel({ model: r.model, cif: r.cif, block: r.block, supercell: system.supercell, maxDistance: system.maxDistance, family: r.family, elements }, threads);
  const rows = r.stabilisingBelow === undefined ? result.rows : stabilising(result.rows, r.stabilisingBelow);
  return { ...result, rows, system, threads };
}
