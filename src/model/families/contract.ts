import type { PairEnumeration } from '../../substitution/pairs.ts';
import type { Substitution, SubstitutionKind } from '../../substitution/substitution.ts';
import { featureNames, featurizerFor, layoutOf, siteBlockNames, type CeDefinition } from '../../features/ce.ts';
import type { Regressor, RegressorJSON } from '../learn/estimator.ts';
import { createRegressor } from '../learn/regressors.ts';

/**
 * A model family is a way to turn a regressor into substitution energies; both
 * families here are exactly zero for the pristine cell:
 * - `site`: one regressor f on the full CE vector of the substitution,
 *   E = f(F(X@a, Y@b)) − f(F(host@a, host@b)). Absolute shell properties and
 *   geometry let it tell the sites of the training phase apart: best inside it.
 * - `transfer`: E = s(X@a) + s(Y@b) + I, with the single-site energy s learned
 *   from single substitutions on host-relative features (p(X) − p(host), the
 *   host's chemistry, the shell geometry) and the interaction I learned from the
 *   pairs' residuals as a double difference, so I vanishes when either site
 *   keeps its host. Nothing in it names a site: built for a phase never seen.
 * The registry of families is src/model/families/index.ts: adding a family = one entry there.
 */
export interface FamilySpec {
  family: string;
  /** Regressor kind (registry tag, e.g. 'SVR'). */
  regressor: string;
  /** Hyper-parameters of the regressor that differ from its declared defaults. */
  params: Record<string, number>;
  /** Those of the single-site regressor s (transfer family). */
  singleParams: Record<string, number>;
  seed: number;
  /** CE definition of the full substitution vector (site: f; transfer: I). */
  features: CeDefinition;
  /** CE definition of one substituted site (transfer: s). */
  endFeatures: CeDefinition | null;
}

/** One DFT energy to learn from; each sample carries the cell it was computed in. */
export interface TrainingSample {
  enumeration: PairEnumeration;
  substitution: Substitution;
  kind: SubstitutionKind;
  eds: number;
}

export interface FamilyJSON {
  spec: FamilySpec;
  main: RegressorJSON;
  single: RegressorJSON | null;
}

/** A fitted family: energies of any substitution of any cell. */
export interface SubstitutionModel {
  readonly spec: FamilySpec;
  /** E_DS in eV per cell of each substitution of `enumeration`'s cell. */
  predict(enumeration: PairEnumeration, subs: Substitution[]): number[];
  toJSON(): FamilyJSON;
  dispose(): void;
}

export interface FamilyEntry {
  name: string;
  description: string;
  /** A simple reference model reported beside the others, not a choice for predictions. */
  baseline?: boolean;
  /** The family is a model of its own, not built on a regressor of the registry. */
  regressor?: false;
  features: Partial<CeDefinition>;
  endFeatures: Partial<CeDefinition> | null;
  /** Hyper-parameters of a regressor (by kind) for this family, where they differ from its declared defaults. */
  defaults: Record<string, { params: Record<string, number>; singleParams: Record<string, number> }>;
  fit(spec: FamilySpec, samples: TrainingSample[]): Promise<SubstitutionModel>;
  /** Rebuild a saved model; `cells` are the training cells listed in the model file, in order. */
  fromJSON(json: FamilyJSON, cells: PairEnumeration[]): Promise<SubstitutionModel>;
}

export const hostOf = (e: PairEnumeration, atom: number) => e.cell.sites[atom].element;

/** A regressor for the family's rows: `def` and `kind` say whether they are aggregated CE vectors or token sequences. */
export async function makeRegressor(spec: FamilySpec, params: Record<string, number>, def: CeDefinition, kind: 'pair' | 'single'): Promise<Regressor> {
  const layout = layoutOf(def, kind);
  const nFeatures = layout ? layout.tokens * layout.width : kind === 'pair' ? featureNames(def).length : siteBlockNames(def).length;
  return createRegressor(spec.regressor, params, { nFeatures, seed: spec.seed, layout: layout ?? undefined });
}

/** The samples' feature rows with their targets, plus the pristine cell of every training geometry at zero. */
export function anchored(def: CeDefinition, samples: readonly TrainingSample[], targets: readonly number[]): { X: number[][]; y: number[] } {
  const geometries = new Map<string, { enumeration: PairEnumeration; pair: Substitution['pair'] }>();
  const cells = new Map<PairEnumeration, number>();
  for (const s of samples) {
    if (!cells.has(s.enumeration)) cells.set(s.enumeration, cells.size);
    geometries.set(`${cells.get(s.enumeration)}:${s.substitution.pair.id}`, { enumeration: s.enumeration, pair: s.substitution.pair });
  }
  const anchors = [...geometries.values()];
  return {
    X: [...samples.map((s) => featurizerFor(s.enumeration, def).features(s.substitution)), ...anchors.map((g) => featurizerFor(g.enumeration, def).features(pristine(g.enumeration, g.pair)))],
    y: [...targets, ...anchors.map(() => 0)],
  };
}

export function ends(s: Substitution): [number, string][] {
  return [
    [s.pair.atomA, s.elementA],
    [s.pair.atomB, s.elementB],
  ];
}

/** One batched predict over distinct inputs, keyed. */
export function evaluateOnce(model: Regressor, inputs: Map<string, () => number[]>): Map<string, number> {
  const keys = [...inputs.keys()];
  const p = keys.length ? model.predict(keys.map((k) => inputs.get(k)!())) : [];
  return new Map(keys.map((k, i) => [k, p[i]]));
}

export function pristine(enumeration: PairEnumeration, pair: Substitution['pair']): Substitution {
  return { pair, elementA: hostOf(enumeration, pair.atomA), elementB: hostOf(enumeration, pair.atomB) };
}

/** Sample indices per cell, cells in first-seen order. */
export function groupByCell<T extends { enumeration: PairEnumeration }>(samples: readonly T[]): Map<PairEnumeration, number[]> {
  const out = new Map<PairEnumeration, number[]>();
  samples.forEach((s, k) => {
    const list = out.get(s.enumeration);
    if (list) list.push(k);
    else out.set(s.enumeration, [k]);
  });
  return out;
}

