import type { Sample } from '../substitution/dataset.ts';
import { SiteFamilyModel, type FamilySpec } from './family.ts';
import { featurizerFor, siteBlockNames } from '../features/ce.ts';
import { kernelShap, permutationImportance, shapSummary } from './interpret.ts';
import { groupTrainTestSplit, take } from './splits.ts';
import { createRng } from './random.ts';

export interface FeatureEffect {
  feature: string;
  /** Mean rise of the test MAE (eV) when the feature is shuffled. */
  importance: number;
  sd: number;
  /** Mean |SHAP value| (eV) over the explained test samples. */
  shap: number;
  /** Sign of effect: +1 when a larger value raises E_DS (destabilises), −1 when it lowers it. */
  sign: -1 | 0 | 1;
}

export interface Explanation {
  baselineMae: number;
  features: FeatureEffect[];
  /** Importance summed over the two sites (PN_C = PN_C1 + PN_C2), the literature's naming. */
  properties: { feature: string; importance: number }[];
}

/**
 * Permutation importance on a held-out grouped split and KernelSHAP on a sample
 * of it, for the site family's regressor on raw CE vectors.
 */
export async function explainSiteModel(
  spec: FamilySpec,
  samples: Sample[],
  o: { seed?: number; repeats?: number; shapSamples?: number; background?: number } = {},
): Promise<Explanation> {
  const seed = o.seed ?? 0;
  const split = groupTrainTestSplit(samples.map((s) => s.key), 0.2, seed);
  if (spec.family !== 'site') throw new RangeError('feature-level interpretation is defined for the site family');
  const model = await SiteFamilyModel.fit(spec, take(samples, split.train));
  const f = featurizerFor(samples[0].enumeration, spec.features);
  const test = take(samples, split.test);
  const X = test.map((s) => featurizerFor(s.enumeration, spec.features).features(s.substitution));
  const y = test.map((s) => s.eds);
  const pi = permutationImportance(model.featureModel, X, y, { repeats: o.repeats ?? 5, seed });
  const rng = createRng(seed + 7);
  const pick = (n: number) => {
    const idx = X.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx.slice(0, Math.min(n, idx.length));
  };
  const explained = take(X, pick(o.shapSamples ?? 24));
  const background = take(X, pick(o.background ?? 16));
  const shap = kernelShap(model.featureModel, explained, background, { nSamples: 256, seed });
  const bySummary = new Map(shapSummary(shap.phi, explained).map((s) => [s.feature, s]));
  const features: FeatureEffect[] = f.names.map((name, j) => ({
    feature: name,
    importance: pi.mean[j],
    sd: pi.sd[j],
    shap: bySummary.get(j)!.meanAbs,
    sign: bySummary.get(j)!.sign,
  }));
  features.sort((a, b) => b.importance - a.importance);
  // the two site blocks come first in the vector, the pair descriptors last
  const block = siteBlockNames(spec.features);
  const byProperty = new Map<string, number>();
  f.names.forEach((name, j) => {
    const key = j < 2 * block.length ? block[j % block.length] : name;
    byProperty.set(key, (byProperty.get(key) ?? 0) + pi.mean[j]);
  });
  const properties = [...byProperty].map(([feature, importance]) => ({ feature, importance })).sort((a, b) => b.importance - a.importance);
  model.dispose();
  return { baselineMae: pi.baselineMae, features, properties };
}
