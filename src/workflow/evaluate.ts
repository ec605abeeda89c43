import { evaluate, type EvaluationResult } from '../model/evaluation/evaluate.ts';
import type { SelectBy } from '../model/evaluation/search.ts';
import { InputError } from '../util/errors.ts';
import { SILENT, type Progress } from '../util/progress.ts';
import { loadTraining, specOf, type DataChoice, type ModelChoice } from './choices.ts';

export interface EvaluateRequest extends DataChoice, ModelChoice {
  protocol: string;
  /** 'all' or a centre site: restrict to that site's folder of the data. */
  site?: string;
  repeats?: number;
  threshold?: number;
  search?: boolean;
  select?: SelectBy;
  /** Also report one model per centre site (the literature's per-site models). */
  perSite?: boolean;
  shots?: number[];
  shotsFrom?: 'suggest' | 'random' | 'both';
  draws?: number;
  learningCurve?: number[];
  baselines?: boolean;
  progress?: Progress;
}

/** Train and test a model on a DFT data set under a protocol. */
export async function evaluateModel(r: EvaluateRequest): Promise<EvaluationResult> {
  const { systems, data } = loadTraining(r);
  const labels = systems.flatMap((s) => s.enumeration.cell.labels());
  if (r.site && r.site !== 'all' && !labels.includes(r.site)) throw new InputError(`--site ${r.site}: expected all or one of ${labels.join(', ')}`);
  return evaluate(data, {
    protocol: r.protocol,
    spec: specOf(r),
    seed: r.seed,
    repeats: r.repeats,
    site: r.site,
    perSite: r.perSite ?? false,
    search: r.search,
    select: r.select,
    threshold: r.threshold,
    shots: r.shots,
    shotsFrom: r.shotsFrom,
    draws: r.draws,
    learningCurve: r.learningCurve,
    baselines: r.baselines,
    progress: r.progress ?? SILENT,
  });
}
