import type { PairEnumeration } from '../../substitution/pairs.ts';
import type { Substitution, SubstitutionKind } from '../../substitution/substitution.ts';
import { featureNames, featurizerFor, layoutOf, siteBlockNames, type CeDefinition } from '../../features/ce.ts';
import type { Regressor, RegressorJSON } from '../learn/estimator.ts';
import { createRegressor } from '../learn/regressors.ts';
import type { ParamDefs } from '../../util/params.ts';

/**
 * The model-family contract. A family turns training calculations into a model
 * of substitution energies of any cell; every family is exactly zero for the
 * pristine cell. What a family can do beyond point predictions is declared once
 * on its entry (`capabilities`) and provided by its fitted models as the typed
 * optional members of `SubstitutionModel`: code dispatches on these, never on a
 * family's name. The registry is src/model/families/index.ts: adding a family is
 * one file with its entry plus one line there.
 */
export interface FamilySpec {
  family: string;
  /** Regressor kind (registry tag, e.g. 'SVR'), or 'none' for a family that is a model of its own. */
  regressor: string;
  /** The regressor's hyper-parameters, or the family's own parameters when it has no regressor (see FamilyEntry.params). */
  params: Record<string, number>;
  /** Those of the single-site regressor, for a family with one (FamilyEntry.regressor.reads includes 'single'). */
  singleParams: Record<string, number>;
  seed: number;
  /** CE definition of the full substitution vector. */
  features: CeDefinition;
  /** CE definition of one substituted site, for families that read single sites. */
  endFeatures: CeDefinition | null;
}

/** One DFT energy to learn from; each sample carries the cell it was computed in and, with several data sets, its phase. */
export interface TrainingSample {
  enumeration: PairEnumeration;
  substitution: Substitution;
  kind: SubstitutionKind;
  eds: number;
  phase?: string;
}

export interface FamilyJSON {
  spec: FamilySpec;
  main: RegressorJSON;
  single: RegressorJSON | null;
}

/** A predictive distribution of substitution energies (capability 'distribution'). */
export interface Distribution {
  mean: number[];
  sd: number[];
  lo: number[];
  hi: number[];
  /** Largest distance of a substituted site's environment to the nearest training site. */
  domain: number[];
  outOfDomain: boolean[];
}

/** What `suggest` optimises: the variance of all candidates, or which of them are stabilising. */
export type SuggestGoal = 'variance' | 'stabilising';

/** Abilities a family may declare; a fitted model of it then provides the member of the same name. */
export const CAPABILITIES = {
  distribution: 'predictDistribution: mean, sd, 90 % interval and applicability domain of every prediction',
  heldOut: 'heldOut: predictions of its own training calculations with groups held out, from the one fit',
  withMore: 'withMore: the model conditioned on more calculations without re-tuning',
  suggest: 'suggest: the calculations that would teach it most',
  newPhase: 'predicts a phase it was not trained on from elements and environments (no site identities)',
  explain: 'regressorOn: registry regressors whose inputs can be explained (importance, SHAP, attention)',
} as const;
export type Capability = keyof typeof CAPABILITIES;

/** A fitted family: energies of any substitution of any cell. */
export interface SubstitutionModel {
  readonly spec: FamilySpec;
  /** E_DS in eV per cell of each substitution of `enumeration`'s cell. */
  predict(enumeration: PairEnumeration, subs: Substitution[]): number[];
  toJSON(): FamilyJSON;
  dispose(): void;
  predictDistribution?(enumeration: PairEnumeration, subs: Substitution[]): Distribution;
  /** With a distribution: the `domain` distance beyond which a prediction is flagged out of domain. */
  readonly domainThreshold?: number;
  /** What a user of its predictions must know (e.g. that a prior stood in for what the data could not teach). */
  readonly notes?: readonly string[];
  /** Calibrated predictions of the training calculations, each group held out in turn (hyper-parameters of the whole fit). */
  heldOut?(groups: readonly number[][]): { mean: number[]; sd: number[] };
  withMore?(extra: TrainingSample[]): SubstitutionModel;
  /** Candidate indices in pick order, with the predictive sd each had when picked. */
  suggest?(enumeration: PairEnumeration, candidates: Substitution[], k: number, o?: { goal?: SuggestGoal }): { index: number; sd: number }[];
  /** The registry regressors inside, by the vector they read: the whole substitution ('pair') or one site ('single'). */
  readonly regressorOn?: { pair?: Regressor; single?: Regressor };
}

/** A model with a declared capability, typed so that its member is there. */
export type With<C extends Capability> = SubstitutionModel &
  Required<Pick<SubstitutionModel, C extends 'distribution' ? 'predictDistribution' : C extends 'explain' ? 'regressorOn' : C extends 'newPhase' ? never : C>>;

export interface FamilyEntry {
  name: string;
  description: string;
  /** 'baseline': a simple reference evaluated beside the models on every protocol's splits, never chosen for predictions. */
  role: 'model' | 'baseline';
  /**
   * The registry regressors the family is built on, by the vector each reads, and the one whose
   * inputs `importance` explains; absent: a model of its own, whose parameters are `params`.
   */
  regressor?: { reads: readonly ('pair' | 'single')[]; explains: 'pair' | 'single' };
  /** The family's own parameters, declared once (a family on a regressor takes the regressor's instead). */
  params: ParamDefs;
  capabilities: readonly Capability[];
  /** Fewest physical calculations it can be fitted on, and how many of them single substitutions. */
  minimum: { calculations: number; singles?: number };
  features: Partial<CeDefinition>;
  endFeatures: Partial<CeDefinition> | null;
  /** Hyper-parameters of a regressor (by kind) for this family, where they differ from its declared defaults. */
  defaults: Record<string, { params: Record<string, number>; singleParams: Record<string, number> }>;
  fit(spec: FamilySpec, samples: TrainingSample[]): Promise<SubstitutionModel>;
  /** Rebuild a saved model; `cells` are the training cells listed in the model file, in order. */
  fromJSON(json: FamilyJSON, cells: PairEnumeration[]): Promise<SubstitutionModel>;
}

export const hasCapability = (e: FamilyEntry, c: Capability) => e.capabilities.includes(c);

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

