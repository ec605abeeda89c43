import type { PairEnumeration } from '../substitution/pairs.ts';
import { expandSubstitutions, substitutionKind, type Substitution } from '../substitution/substitution.ts';
import type { SubstitutionModel } from '../model/family.ts';
import type { PredictionRow } from './table.ts';

/** One predicted row per symmetry-distinct substitution, singles included, in enumeration order. */
export function predictAll(
  model: SubstitutionModel,
  enumeration: PairEnumeration,
  elements: string[],
  trainedElements: readonly string[],
): PredictionRow[] {
  const subs = expandSubstitutions(enumeration, elements);
  return predictionRows(model, enumeration, subs, trainedElements);
}

export function predictionRows(
  model: SubstitutionModel,
  enumeration: PairEnumeration,
  subs: Substitution[],
  trainedElements: readonly string[],
): PredictionRow[] {
  const known = new Set(trainedElements);
  const e = model.predict(enumeration, subs);
  return subs.map((s, k) => ({
    config: s.pair.id,
    site_a: s.pair.siteA,
    element_a: s.elementA,
    site_b: s.pair.siteB,
    element_b: s.elementB,
    distance: s.pair.distance,
    eds_pred: e[k],
    kind: substitutionKind(enumeration, s),
    unseen: !known.has(s.elementA) || !known.has(s.elementB),
  }));
}

/** Rows below the threshold, most negative first. */
export function stabilising<T extends { eds_pred: number }>(rows: T[], threshold = 0): T[] {
  return rows.filter((r) => r.eds_pred < threshold).sort((a, b) => a.eds_pred - b.eds_pred);
}
