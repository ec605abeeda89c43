import type { PairEnumeration } from '../substitution/pairs.ts';
import { collapseByKey, rowSample, type CleanedDataSet, type DataRow, type Sample } from '../substitution/dataset.ts';
import { SubstitutionModel, featurizerFor, type FamilySpec } from './family.ts';
import { gridSearchSVR } from './search.ts';
import { classification, mean, regressionScores, std } from './metrics.ts';
import { groupTrainTestSplit, leaveGroupOut, repeatedGroupKFold, take, type Split } from './splits.ts';
import { progress } from '../util/progress.ts';
import { InputError } from '../util/errors.ts';

/**
 * How a model is judged:
 * - paper: random 8:2 split of the data rows, CV on the training part, as in the
 *   literature (duplicated calculations can sit on both sides);
 * - grouped: rows collapsed to one sample per physical substitution (median),
 *   split by substitution: no calculation in train and test at once (default);
 * - leave-element-out: hold out every substitution containing element E;
 * - leave-site-out: hold out every substitution whose pair touches site S —
 *   the proxy for a new phase, where site labels mean nothing.
 */
export type Protocol = 'paper' | 'grouped' | 'leave-element-out' | 'leave-site-out';
export const PROTOCOLS: readonly Protocol[] = ['paper', 'grouped', 'leave-element-out', 'leave-site-out'];

export interface EvaluateOptions {
  protocol: Protocol;
  spec: FamilySpec;
  seed?: number;
  folds?: number;
  /** Repetitions of k-fold CV on the training part (paper, grouped). */
  repeats?: number;
  testFraction?: number;
  /** E_DS below this (eV) is "stabilising" for F1. */
  threshold?: number;
  /** 'all' or a site label: restrict to the substitutions centred on that site (the data's `folder`). */
  site?: string;
  /** Also fit one model per centre site (paper, grouped). */
  perSite?: boolean;
  /** Choose the site family's SVR C, γ, ε by grouped 3-fold CV on each training set (successive halving). */
  search?: boolean;
  /** Criterion of the search: lowest MAE, highest R² or highest F1 (the Fe-BMG study's choice). */
  select?: 'mae' | 'r2' | 'f1';
}

export interface Scores {
  n: number;
  mae: number;
  rmse: number;
  r2: number;
  f1: number;
  precision: number;
  recall: number;
}

export interface EvaluationResult {
  model: string;
  family: string;
  features: { env: string; nn: number; weight: number; aggregate: string; values: string; properties: string[] };
  protocol: Protocol;
  seed: number;
  params: Record<string, unknown>;
  n_samples: number;
  n_train: number;
  n_test: number;
  cv: { mae: number; rmse: number; r2: number; sd: number; folds: number } | null;
  test: Scores;
  per_site: Record<string, Scores & { params?: Record<string, unknown> }>;
  per_element: Record<string, Scores>;
  /** Cleaning of the data set: rows dropped and why (counts). */
  dropped: Record<string, number>;
}

export function scores(y: number[], p: number[], threshold = 0): Scores {
  const r = regressionScores(y, p);
  const c = classification(y, p, threshold);
  return { n: y.length, mae: r.mae, rmse: r.rmse, r2: r.r2, f1: c.f1, precision: c.precision, recall: c.recall };
}

/** The site at the centre of each data folder: the one site every row of the folder touches. */
export function folderCentres(rows: DataRow[]): Map<string, string> {
  const sites = new Map<string, Set<string>>();
  for (const r of rows) {
    const pair = new Set([r.substitution.pair.siteA, r.substitution.pair.siteB]);
    const s = sites.get(r.folder);
    sites.set(r.folder, s ? new Set([...s].filter((x) => pair.has(x))) : pair);
  }
  const out = new Map<string, string>();
  for (const [folder, s] of sites) if (folder && s.size === 1) out.set(folder, [...s][0]);
  return out;
}

/** Substituted elements of a sample (a host on its own site is no dopant). */
export function dopants(enumeration: PairEnumeration, s: Sample): string[] {
  const { pair, elementA, elementB } = s.substitution;
  const out: string[] = [];
  if (elementA !== enumeration.cell.sites[pair.atomA].element) out.push(elementA);
  if (elementB !== enumeration.cell.sites[pair.atomB].element) out.push(elementB);
  return out;
}

async function fitPredict(spec: FamilySpec, enumeration: PairEnumeration, train: Sample[], test: Sample[]): Promise<number[]> {
  const m = await SubstitutionModel.fit(spec, enumeration, train);
  return m.predict(enumeration, test.map((s) => s.substitution));
}

/** The site family's SVR hyper-parameters by grouped CV on the training samples only. */
export async function searchSiteParams(
  spec: FamilySpec,
  enumeration: PairEnumeration,
  train: Sample[],
  seed: number,
  selectBy: 'mae' | 'r2' | 'f1' = 'mae',
): Promise<FamilySpec> {
  if (spec.family !== 'site' || spec.regressor !== 'SVR') return spec;
  const f = featurizerFor(enumeration, spec.features);
  const X = train.map((s) => f.features(s.substitution));
  const d = f.names.length;
  const r = await gridSearchSVR(X, train.map((s) => s.eds), train.map((s) => s.key), {
    C: [10, 30, 100],
    gamma: [0.3 / d, 0.6 / d, 1.2 / d],
    epsilon: [0.01, 0.02, 0.05],
    folds: 3,
    seed,
    selectBy,
  });
  const { gammaScale: _, ...rest } = spec.params;
  return { ...spec, params: { ...rest, C: r.best.C, gamma: r.best.gamma, epsilon: r.best.epsilon } };
}

async function crossValidate(
  spec: FamilySpec,
  enumeration: PairEnumeration,
  samples: Sample[],
  splits: Split[],
  label: string,
): Promise<{ mae: number; rmse: number; r2: number; sd: number; folds: number }> {
  const bar = progress(label, splits.length);
  const per: { mae: number; rmse: number; r2: number }[] = [];
  try {
    for (const s of splits) {
      const p = await fitPredict(spec, enumeration, take(samples, s.train), take(samples, s.test));
      per.push(regressionScores(take(samples, s.test).map((x) => x.eds), p));
      bar.tick();
    }
  } finally {
    bar.stop();
  }
  const maes = per.map((x) => x.mae);
  return { mae: mean(maes), rmse: mean(per.map((x) => x.rmse)), r2: mean(per.map((x) => x.r2)), sd: std(maes), folds: splits.length };
}

/** Hyper-parameters as reported: the transfer family's single-site model's under `single`. */
function paramsOf(spec: FamilySpec): Record<string, unknown> {
  return { ...spec.params, ...(spec.family === 'transfer' ? { single: spec.singleParams } : {}) };
}

/** Run one protocol. Energies in eV. */
export async function evaluate(enumeration: PairEnumeration, data: CleanedDataSet, o: EvaluateOptions): Promise<EvaluationResult> {
  const seed = o.seed ?? 0;
  const folds = o.folds ?? 5;
  const repeats = o.repeats ?? 20;
  const threshold = o.threshold ?? 0;
  const centres = folderCentres(data.rows);
  const site = o.site && o.site !== 'all' ? o.site : undefined;
  if (site && ![...centres.values()].includes(site)) {
    throw new InputError(`site ${site} is the centre of no data folder (centres: ${[...new Set(centres.values())].join(', ')})`);
  }
  const rowsOf = (s?: string) => (s ? data.rows.filter((r) => centres.get(r.folder) === s) : data.rows);
  const samplesOf = (s?: string) => (o.protocol === 'paper' ? rowsOf(s).map(rowSample) : collapseByKey(rowsOf(s)));
  const samples = samplesOf(site);
  const dropped: Record<string, number> = {};
  for (const d of data.dropped) {
    const why = d.reason.startsWith('pristine') ? 'pristine cell (zero by construction)' : 'transposed with the pristine energy';
    dropped[why] = (dropped[why] ?? 0) + 1;
  }
  const base = {
    model: o.spec.regressor,
    family: o.spec.family,
    features: {
      env: o.spec.features.env,
      nn: o.spec.features.nn,
      weight: o.spec.features.weight,
      aggregate: o.spec.features.aggregate,
      values: o.spec.features.values,
      properties: o.spec.features.properties,
    },
    protocol: o.protocol,
    seed,
    params: paramsOf(o.spec),
    n_samples: samples.length,
    dropped,
  };

  if (o.protocol === 'paper' || o.protocol === 'grouped') {
    // One split of the whole set; per-site models use the same split restricted to their folder.
    const id = (s: Sample) => (o.protocol === 'paper' ? `${s.key}#${s.lines[0]}` : s.key);
    const split = groupTrainTestSplit(samples.map(id), o.testFraction ?? 0.2, seed);
    const train = take(samples, split.train);
    const test = take(samples, split.test);
    const spec = o.search ? await searchSiteParams(o.spec, enumeration, train, seed, o.select) : o.spec;
    const cvSplits = repeatedGroupKFold(train.map(id), folds, repeats, seed + 1);
    const cv = repeats > 0 ? await crossValidate(spec, enumeration, train, cvSplits, `CV ${repeats}×${folds} (${o.protocol})`) : null;
    const p = await fitPredict(spec, enumeration, train, test);
    const testScores = scores(test.map((s) => s.eds), p, threshold);
    const per_site: EvaluationResult['per_site'] = {};
    if (o.perSite && !site) {
      const testKeys = new Set(test.map(id));
      for (const centre of [...new Set(centres.values())].sort()) {
        const sub = samplesOf(centre);
        const subTrain = sub.filter((s) => !testKeys.has(id(s)));
        const subTest = sub.filter((s) => testKeys.has(id(s)));
        if (subTest.length === 0 || subTrain.length === 0) continue;
        const siteSpec = o.search ? await searchSiteParams(o.spec, enumeration, subTrain, seed, o.select) : o.spec;
        const ps = await fitPredict(siteSpec, enumeration, subTrain, subTest);
        per_site[centre] = { ...scores(subTest.map((s) => s.eds), ps, threshold), ...(o.search ? { params: siteSpec.params } : {}) };
      }
    }
    return { ...base, params: paramsOf(spec), n_train: train.length, n_test: test.length, cv, test: testScores, per_site, per_element: {} };
  }

  // Leave-out protocols: every sample is tested once per tag it carries.
  const tags =
    o.protocol === 'leave-element-out'
      ? samples.map((s) => dopants(enumeration, s))
      : samples.map((s) => [s.substitution.pair.siteA, s.substitution.pair.siteB]);
  const splits = leaveGroupOut(tags);
  const bar = progress(o.protocol, splits.length);
  const per: Record<string, Scores> = {};
  const allY: number[] = [];
  const allP: number[] = [];
  let nTrain = 0;
  try {
    for (const s of splits) {
      const test = take(samples, s.test);
      const p = await fitPredict(o.spec, enumeration, take(samples, s.train), test);
      per[s.tag!] = scores(test.map((x) => x.eds), p, threshold);
      allY.push(...test.map((x) => x.eds));
      allP.push(...p);
      nTrain += s.train.length;
      bar.tick();
    }
  } finally {
    bar.stop();
  }
  const test = scores(allY, allP, threshold);
  return {
    ...base,
    n_train: Math.round(nTrain / splits.length),
    n_test: allY.length,
    cv: null,
    test,
    per_site: o.protocol === 'leave-site-out' ? per : {},
    per_element: o.protocol === 'leave-element-out' ? per : {},
  };
}
