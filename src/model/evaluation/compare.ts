/** Many models × feature sets on one protocol: the literature's comparison table. */
import type { CleanedDataSet } from '../../substitution/dataset.ts';
import type { FeatureSet } from '../../features/sets.ts';
import { evaluate } from './evaluate.ts';
import { familyEntry, familySpec } from '../families/index.ts';
import { regressorEntry } from '../learn/regressors.ts';
import { InputError } from '../../util/errors.ts';
import { SILENT, inStage, type Progress } from '../../util/progress.ts';

export interface CompareRow {
  model: string;
  features: string;
  family: string;
  /** Test MAE (meV) of the per-site models, by centre site. */
  per_site: Record<string, number | null>;
  all: number | null;
  r2?: number;
  /** Training and test sizes and the baselines' test MAE (meV): equal on every row of one protocol and seed, the same splits. */
  n_train?: number;
  n_test?: number;
  baselines?: Record<string, number>;
  /** Hyper-parameters given for this model (those it declares). */
  params?: Record<string, number>;
}

/** Published numbers for a data set (`literature.json` beside it). */
export interface Literature {
  source: string;
  protocol: string;
  unit: string;
  rows: CompareRow[];
  /** The published ranking of features, when there is one. */
  top_features?: string[];
}

export interface Comparison {
  protocol: string;
  /** Centre sites of the data's folders, in the structure's order. */
  sites: string[];
  literature: Literature | null;
  rows: CompareRow[];
}

export async function compareModels(
  data: CleanedDataSet,
  o: { models: string[]; sets: FeatureSet[]; family: string; protocol: string; seed: number; repeats: number; search?: boolean; params?: Record<string, number>; progress?: Progress },
): Promise<CompareRow[]> {
  const f = familyEntry(o.family);
  if (f.regressor === false || f.baseline) throw new InputError(`--family ${o.family}: has no regressor to compare; expected a family built on one (site, transfer)`);
  const rows: CompareRow[] = [];
  await inStage(o.progress ?? SILENT, 'compare', o.models.length * o.sets.length, async (stage) => {
    for (const m of o.models)
      for (const set of o.sets) {
        // each model takes the given hyper-parameters it declares (epochs for dnn and mhar, C for svr …)
        const declared = regressorEntry(m).params;
        const params = Object.fromEntries(Object.entries(o.params ?? {}).filter(([k]) => k in declared));
        const spec = familySpec(o.family, m, { features: set.definition, seed: o.seed, params });
        const e = await evaluate(data, { protocol: o.protocol, spec, seed: o.seed, repeats: o.repeats, perSite: true, search: o.search, progress: o.progress });
        rows.push({
          model: spec.regressor,
          features: set.label,
          family: o.family,
          per_site: Object.fromEntries(Object.entries(e.per_site).map(([k, v]) => [k, v.mae * 1000])),
          all: e.test.mae * 1000,
          r2: e.test.r2,
          n_train: e.n_train,
          n_test: e.n_test,
          baselines: Object.fromEntries(Object.entries(e.baselines).map(([k, v]) => [k, v.mae * 1000])),
          ...(Object.keys(params).length ? { params } : {}),
        });
        stage.tick();
      }
  });
  return rows;
}
