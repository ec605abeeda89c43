import type { Sample } from '../../substitution/dataset.ts';
import type { FamilySpec } from '../families/contract.ts';
import type { Regressor } from '../learn/estimator.ts';
import { familiesWith, familyEntry, fitFamily } from '../families/index.ts';
import { hostOf } from '../families/contract.ts';
import { featureBlocks, featurizerFor, siteBlockNames } from '../../features/ce.ts';
import { kernelShap, permutationImportance, shapSummary } from '../learn/interpret.ts';
import { groupTrainTestSplit, take } from '../learn/splits.ts';
import { childSeed, createRng } from '../learn/random.ts';
import { InputError } from '../../util/errors.ts';

export interface FeatureEffect {
  feature: string;
  /** Mean rise of the test MAE (eV) when the feature is shuffled. */
  importance: number;
  sd: number;
  /** Mean |SHAP value| (eV) over the explained test samples; null when only block SHAP was computed. */
  shap: number | null;
  /** Sign of effect: +1 when a larger value raises E_DS (destabilises), −1 when it lowers it (0: unknown or mixed). */
  sign: -1 | 0 | 1;
}

/** KernelSHAP over feature blocks: one player per block, so 2^blocks − 2 coalitions (exact). */
export interface BlockEffect {
  block: string;
  /** Number of CE features in the block. */
  features: number;
  /** Mean |φ_block| (eV) over the explained samples. */
  meanAbs: number;
  /** Mean φ_block (eV): negative = the block, as it is in these samples, lowers E_DS below the background's. */
  mean: number;
}

export interface Explanation {
  family: string;
  /** The regressor explained: on the pair vector or on one site's vector, as the family declares. */
  explained: string;
  baselineMae: number;
  features: FeatureEffect[];
  /** Importance summed over the two sites (PN_C = PN_C1 + PN_C2), the literature's naming. */
  properties: { feature: string; importance: number }[];
  blocks: BlockEffect[];
  /** φ₀ (eV) and the largest |φ₀ + Σφ − f(x)| over the explained samples (efficiency). */
  shapBase: number;
  shapEfficiencyError: number;
  /** Samples explained by SHAP, background rows, coalitions per sample. */
  shapSamples: number;
  shapBackground: number;
  shapCoalitions: number;
}

/** Deep models pay per evaluation: per-feature SHAP (2 × 256 coalitions × background) only for the cheap ones. */
const CHEAP_REGRESSORS = new Set(['SVR', 'RandomForest']);

/**
 * Permutation importance on a held-out grouped split and KernelSHAP on a sample
 * of it, for the regressor a family declares it explains: one on whole CE pair
 * vectors, or one on a single site's vector (then on the single substitutions of
 * the test split). SHAP is computed per feature block (exact, cheap for any
 * regressor) and, for SVR and forests or when asked, per feature.
 */
export async function explainSiteModel(
  spec: FamilySpec,
  samples: Sample[],
  o: { seed?: number; repeats?: number; shapSamples?: number; background?: number; featureShap?: boolean } = {},
): Promise<Explanation> {
  const seed = o.seed ?? 0;
  const explains = familyEntry(spec.family).regressor?.explains;
  if (!explains) throw new InputError(`--family ${spec.family}: feature-level interpretation needs a family built on a regressor (${familiesWith('explain').map((f) => f.name).join(', ')})`);
  const split = groupTrainTestSplit(samples.map((s) => s.key), 0.2, seed);
  const model = await fitFamily(spec, take(samples, split.train));
  try {
    const test = take(samples, split.test);
    let regressor: Regressor;
    let X: number[][];
    let y: number[];
    let names: string[];
    let groups: { block: string; features: number[] }[];
    const on = model.regressorOn!;
    if (explains === 'pair') {
      regressor = on.pair!;
      X = test.map((s) => featurizerFor(s.enumeration, spec.features).features(s.substitution));
      y = test.map((s) => s.eds);
      names = featurizerFor(samples[0].enumeration, spec.features).names;
      groups = featureBlocks(spec.features);
    } else {
      // a single-site regressor learnt E of single substitutions with every host at zero: explain it on the held-out singles
      regressor = on.single!;
      const singles = test.filter((s) => s.kind === 'single');
      if (singles.length < 2) throw new InputError(`the test split holds fewer than 2 single substitutions: nothing to explain for the ${spec.family} family`);
      X = singles.map((s) => {
        const { pair, elementA, elementB } = s.substitution;
        const [atom, el] = elementA !== hostOf(s.enumeration, pair.atomA) ? [pair.atomA, elementA] : [pair.atomB, elementB];
        return featurizerFor(s.enumeration, spec.endFeatures!).endFeatures(atom, el);
      });
      y = singles.map((s) => s.eds);
      names = siteBlockNames(spec.endFeatures!);
      groups = featureBlocks(spec.endFeatures!, 'single');
    }

    const pi = permutationImportance(regressor, X, y, { repeats: o.repeats ?? 5, seed });
    const rng = createRng(childSeed(seed, 'explained samples'));
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
    const blockShap = kernelShap(regressor, explained, background, { nSamples: 256, seed, groups: groups.map((g) => g.features) });
    const efficiency = Math.max(...blockShap.phi.map((row, i) => Math.abs(blockShap.base + row.reduce((a, b) => a + b, 0) - blockShap.fx[i])));
    const blocks: BlockEffect[] = groups
      .map((g, k) => {
        const col = blockShap.phi.map((row) => row[k]);
        return { block: g.block, features: g.features.length, meanAbs: col.reduce((a, v) => a + Math.abs(v), 0) / col.length, mean: col.reduce((a, v) => a + v, 0) / col.length };
      })
      .sort((a, b) => b.meanAbs - a.meanAbs);

    const perFeature = o.featureShap ?? CHEAP_REGRESSORS.has(spec.regressor);
    const bySummary = perFeature ? new Map(shapSummary(kernelShap(regressor, explained, background, { nSamples: 256, seed }).phi, explained).map((s) => [s.feature, s])) : null;
    const features: FeatureEffect[] = names.map((name, j) => ({
      feature: name,
      importance: pi.mean[j],
      sd: pi.sd[j],
      shap: bySummary ? bySummary.get(j)!.meanAbs : null,
      sign: bySummary ? bySummary.get(j)!.sign : 0,
    }));
    features.sort((a, b) => b.importance - a.importance);
    // the two site blocks come first in the pair vector, the pair descriptors last; a single-site vector is one block
    const block = siteBlockNames(explains === 'pair' ? spec.features : spec.endFeatures!);
    const byProperty = new Map<string, number>();
    names.forEach((name, j) => {
      const key = j < 2 * block.length ? block[j % block.length] : name;
      byProperty.set(key, (byProperty.get(key) ?? 0) + pi.mean[j]);
    });
    const properties = [...byProperty].map(([feature, importance]) => ({ feature, importance })).sort((a, b) => b.importance - a.importance);
    return {
      family: spec.family,
      explained: explains === 'pair' ? `${spec.regressor} f on the pair vector` : `${spec.regressor} single-site s on X@a's host-relative vector`,
      baselineMae: pi.baselineMae,
      features,
      properties,
      blocks,
      shapBase: blockShap.base,
      shapEfficiencyError: efficiency,
      shapSamples: explained.length,
      shapBackground: background.length,
      shapCoalitions: blockShap.coalitions,
    };
  } finally {
    model.dispose();
  }
}
