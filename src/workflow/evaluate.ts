import { evaluate, type EvaluateOptions, type EvaluationResult } from '../model/evaluation/evaluate.ts';
import { InputError } from '../util/errors.ts';
import { SILENT } from '../util/progress.ts';
import { loadTraining, specOf, type DataChoice, type ModelChoice } from './choices.ts';

export interface EvaluateRequest extends DataChoice, ModelChoice, Omit<EvaluateOptions, 'spec' | 'seed'> {}

/** Train and test a model on a DFT data set under a protocol. */
export async function evaluateModel(r: EvaluateRequest): Promise<EvaluationResult> {
  const { systems, data } = loadTraining(r);
  const labels = systems.flatMap((s) => s.enumeration.cell.labels());
  if (r.site && r.site !== 'all' && !labels.includes(r.site)) throw new InputError(`--site ${r.site}: expected all or one of ${labels.join(', ')}`);
  const { sources: _, model: _m, family: _f, features: _x, ce: _c, params: _p, ...options } = r;
  return evaluate(data, { ...options, spec: specOf(r), seed: r.seed, perSite: r.perSite ?? false, progress: r.progress ?? SILENT });
}
