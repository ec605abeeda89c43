import { collapseByKey } from '../substitution/dataset.ts';
import { explainSiteModel, type Explanation } from '../model/evaluation/explain.ts';
import { familiesWith } from '../model/families/index.ts';
import { InputError } from '../util/errors.ts';
import { loadTraining, specOf, type DataChoice, type ModelChoice } from './choices.ts';

/**
 * Permutation importance, per-block KernelSHAP and (for cheap regressors) per-feature SHAP sign of
 * effect of the CE features, for any regressor of a family that declares 'explain' (the first in the registry by default).
 */
export async function explainModel(
  r: DataChoice & Omit<ModelChoice, 'family'> & { family?: string; featureShap?: boolean; repeats?: number; shapSamples?: number; background?: number },
): Promise<Explanation & { model: string }> {
  const explained = familiesWith('explain').map((f) => f.name);
  const family = r.family ?? explained[0];
  if (!explained.includes(family)) throw new InputError(`--family ${family}: expected ${explained.join(' or ')} (the families whose regressor reads CE vectors)`);
  const { data } = loadTraining(r);
  const spec = specOf({ ...r, family });
  return { model: spec.regressor, ...(await explainSiteModel(spec, collapseByKey(data.rows), { seed: r.seed, featureShap: r.featureShap, repeats: r.repeats, shapSamples: r.shapSamples, background: r.background })) };
}
