/** Many models × feature sets on one protocol: the literature's comparison table. */
import type { CleanedDataSet } from '../../substitution/dataset.ts';
import { FEATURE_SETS, type FeatureSet } from '../../features/sets.ts';
import { inputOf } from '../../features/ce.ts';
import { evaluate } from './evaluate.ts';
import { familyEntry, familySpec, modelFamilies } from '../families/index.ts';
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

/**
 * The (regressor, feature set) pairs a comparison runs: every regressor with every set whose
 * input it reads (vectors or tokens). A regressor that reads none of the sets is an input
 * error, raised before any model runs.
 */
export function comparisonPairs(models: readonly string[], sets: readonly FeatureSet[]): { model: string; set: FeatureSet }[] {
  const pairs = models.flatMap((m) => sets.filter((set) => regressorEntry(m).reads.includes(inputOf(set.definition))).map((set) => ({ model: m, set })));
  for (const m of models)
    if (!pairs.some((p) => p.model === m)) {
      const r = regressorEntry(m);
      throw new InputError(`--models ${m} reads ${r.reads.join(' or ')}, and none of --feature-sets ${sets.map((x) => x.name).join(',')} gives that (${FEATURE_SETS.filter((x) => r.reads.includes(inputOf(x.definition))).map((x) => x.name).join(', ')} would)`);
    }
  return pairs;
}

export async function compareModels(
  data: CleanedDataSet,
  o: { models: string[]; sets: FeatureSet[]; family: string; protocol: string; seed: number; repeats: number; search?: boolean; params?: Record<string, number>; progress?: Progress },
): Promise<CompareRow[]> {
  const f = familyEntry(o.family);
  if (!f.regressor) throw new InputError(`--family ${o.family}: has no regressor to compare; expected a family built on one (${modelFamilies().filter((x) => x.regressor).map((x) => x.name).join(', ')})`);
  const pairs = comparisonPairs(o.models, o.sets);
  // every spec is built (and checked) before the first model runs
  const specs = pairs.map(({ model, set }) => {
    // each model takes the given hyper-parameters it declares (epochs for dnn and mhar, C for svr …)
    const declared = regressorEntry(model).params;
    const params = Object.fromEntries(Object.entries(o.params ?? {}).filter(([k]) => k in declared));
    return { set, params, spec: familySpec(o.family, model, { features: set.definition, seed: o.seed, params }) };
  });
  const rows: CompareRow[] = [];
  await inStage(o.progress ?? SILENT, 'compare', specs.length, async (stage) => {
    for (const { set, params, spec } of specs) {
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
