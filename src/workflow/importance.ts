import { collapseByKey } from '../substitution/dataset.ts';
import { explainSiteModel, type Explanation } from '../model/explain.ts';
import { loadTraining, specOf, type DataChoice, type ModelChoice } from './choices.ts';

/** Permutation importance and SHAP sign of effect of the site family's CE features. */
export async function explainModel(r: DataChoice & Omit<ModelChoice, 'family'>): Promise<Explanation & { model: string }> {
  const { data } = loadTraining(r);
  const spec = specOf({ ...r, family: 'site' });
  return { model: spec.regressor, ...(await explainSiteModel(spec, collapseByKey(data.rows), { seed: r.seed })) };
}
