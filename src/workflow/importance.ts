import { collapseByKey } from '../substitution/dataset.ts';
import { explainSiteModel, type Explanation } from '../model/evaluation/explain.ts';
import { InputError } from '../util/errors.ts';
import { loadTraining, specOf, type DataChoice, type ModelChoice } from './choices.ts';

/** The families whose regressor reads CE vectors, so features and blocks can be explained. */
export const EXPLAINED_FAMILIES = ['site', 'transfer'] as const;

/**
 * Permutation importance, per-block KernelSHAP and (for cheap regressors) per-feature SHAP sign of
 * effect of the CE features, for any regressor of the site family (default) or the transfer family.
 */
export async function explainModel(
  r: DataChoice & Omit<ModelChoice, 'family'> & { family?: string; featureShap?: boolean; repeats?: number; shapSamples?: number; background?: number },
): Promise<Explanation & { model: string }> {
  const family = r.family ?? 'site';
  if (!(EXPLAINED_FAMILIES as readonly string[]).includes(family)) throw new InputError(`--family ${family}: expected ${EXPLAINED_FAMILIES.join(' or ')} (the families whose regressor reads CE vectors)`);
  const { data } = loadTraining(r);
  const spec = specOf({ ...r, family });
  return { model: spec.regressor, ...(await explainSiteModel(spec, collapseByKey(data.rows), { seed: r.seed, featureShap: r.featureShap, repeats: r.repeats, shapSamples: r.shapSamples, background: r.background })) };
}
