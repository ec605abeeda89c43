/**
 * Train and test a model family under a protocol (src/model/protocols.ts):
 * the same loop for every protocol, reporting test scores, CV on the training
 * part (hold-out protocols), per-site models (the literature's) and per-tag
 * scores (leave-out protocols).
 */
import type { CleanedDataSet, DataRow, Sample } from '../substitution/dataset.ts';
import { fitFamily, groupByCell, type FamilySpec } from './family.ts';
import { classification, mean, regressionScores, std } from './metrics.ts';
import { innerSplits, protocolEntry, type ProtocolEntry } from './protocols.ts';
import { searchFamilyParams, type SelectBy } from './search.ts';
import { take, type Split } from './splits.ts';
import { SILENT, inStage, type Progress } from '../util/progress.ts';
import { InputError } from '../util/errors.ts';

export interface EvaluateOptions {
  protocol: string;
  spec: FamilySpec;
  seed?: number;
  folds?: number;
  /** Repetitions of k-fold CV on the training part (hold-out protocols). */
  repeats?: number;
  testFraction?: number;
  /** E_DS below this (eV) is "stabilising" for F1. */
  threshold?: number;
  /** 'all' or a site label: restrict to the substitutions centred on that site (the data's `folder`). */
  site?: string;
  /** Also fit one model per centre site (hold-out protocols). */
  perSite?: boolean;
  /** Choose the site family's SVR C, γ, ε by grouped 3-fold CV on each training set (successive halving). */
  search?: boolean;
  /** Criterion of the search: lowest MAE, highest R² or highest F1 (the Fe-BMG study's choice). */
  select?: SelectBy;
  progress?: Progress;
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
  protocol: string;
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

/** Fit on `train`, predict `test`, free the model. */
export async function fitPredict(spec: FamilySpec, train: Sample[], test: Sample[]): Promise<number[]> {
  const m = await fitFamily(spec, train);
  try {
    const out = new Array<number>(test.length);
    for (const [enumeration, idx] of groupByCell(test)) {
      const p = m.predict(enumeration, idx.map((k) => test[k].substitution));
      idx.forEach((k, j) => (out[k] = p[j]));
    }
    return out;
  } finally {
    m.dispose();
  }
}

async function crossValidate(spec: FamilySpec, samples: Sample[], splits: Split[], progress: Progress, label: string) {
  const per = await inStage(progress, label, splits.length, async (stage) => {
    const out: { mae: number; rmse: number; r2: number }[] = [];
    for (const s of splits) {
      const p = await fitPredict(spec, take(samples, s.train), take(samples, s.test));
      out.push(regressionScores(take(samples, s.test).map((x) => x.eds), p));
      stage.tick();
    }
    return out;
  });
  const maes = per.map((x) => x.mae);
  return { mae: mean(maes), rmse: mean(per.map((x) => x.rmse)), r2: mean(per.map((x) => x.r2)), sd: std(maes), folds: splits.length };
}

/** Hyper-parameters as reported: the transfer family's single-site model's under `single`. */
function paramsOf(spec: FamilySpec): Record<string, unknown> {
  return { ...spec.params, seed: spec.seed, ...(spec.family === 'transfer' ? { single: { ...spec.singleParams, seed: spec.seed } } : {}) };
}

function droppedCounts(data: CleanedDataSet): Record<string, number> {
  const dropped: Record<string, number> = {};
  for (const d of data.dropped) {
    const why = d.reason.startsWith('pristine') ? 'pristine cell (zero by construction)' : 'transposed with the pristine energy';
    dropped[why] = (dropped[why] ?? 0) + 1;
  }
  return dropped;
}

/** Run one protocol. Energies in eV. */
export async function evaluate(data: CleanedDataSet, o: EvaluateOptions): Promise<EvaluationResult> {
  const protocol = protocolEntry(o.protocol);
  const seed = o.seed ?? 0;
  const threshold = o.threshold ?? 0;
  const progress = o.progress ?? SILENT;
  const centres = folderCentres(data.rows);
  const site = o.site && o.site !== 'all' ? o.site : undefined;
  if (site && ![...centres.values()].includes(site)) {
    throw new InputError(`site ${site} is the centre of no data folder (centres: ${[...new Set(centres.values())].join(', ')})`);
  }
  const unitsOf = (s?: string) => protocol.units(s ? data.rows.filter((r) => centres.get(r.folder) === s) : data.rows);
  const samples = unitsOf(site);
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
    protocol: protocol.name,
    seed,
    params: paramsOf(o.spec),
    n_samples: samples.length,
    dropped: droppedCounts(data),
  };
  const search = (spec: FamilySpec, train: Sample[]) => (o.search ? searchFamilyParams(spec, train, { seed, selectBy: o.select, progress }) : spec);

  if (!protocol.pooled) {
    const [split] = protocol.splits(samples, { seed, testFraction: o.testFraction ?? 0.2 });
    const train = take(samples, split.train);
    const test = take(samples, split.test);
    const spec = await search(o.spec, train);
    const repeats = o.repeats ?? 20;
    const cv = repeats > 0 ? await crossValidate(spec, train, innerSplits(protocol, train, { folds: o.folds ?? 5, repeats, seed: seed + 1 }), progress, `CV ${repeats}×${o.folds ?? 5} (${protocol.name})`) : null;
    const p = await fitPredict(spec, train, test);
    const per_site = o.perSite && !site ? await perSiteModels(protocol, o, unitsOf, centres, new Set(test.map(protocol.group)), search, threshold) : {};
    return { ...base, params: paramsOf(spec), n_train: train.length, n_test: test.length, cv, test: scores(test.map((s) => s.eds), p, threshold), per_site, per_element: {} };
  }

  // Leave-out protocols: every sample is tested once per tag it carries.
  const splits = protocol.splits(samples, { seed, testFraction: o.testFraction ?? 0.2 });
  const per: Record<string, Scores> = {};
  const allY: number[] = [];
  const allP: number[] = [];
  let nTrain = 0;
  await inStage(progress, protocol.name, splits.length, async (stage) => {
    for (const s of splits) {
      const test = take(samples, s.test);
      const p = await fitPredict(o.spec, take(samples, s.train), test);
      per[s.tag!] = scores(test.map((x) => x.eds), p, threshold);
      allY.push(...test.map((x) => x.eds));
      allP.push(...p);
      nTrain += s.train.length;
      stage.tick();
    }
  });
  return {
    ...base,
    n_train: Math.round(nTrain / splits.length),
    n_test: allY.length,
    cv: null,
    test: scores(allY, allP, threshold),
    per_site: protocol.tagKind === 'site' ? per : {},
    per_element: protocol.tagKind === 'element' ? per : {},
  };
}

/** The literature's per-site models: the same split restricted to each centre site's folder. */
async function perSiteModels(
  protocol: ProtocolEntry,
  o: EvaluateOptions,
  unitsOf: (site?: string) => Sample[],
  centres: Map<string, string>,
  testGroups: Set<string>,
  search: (spec: FamilySpec, train: Sample[]) => Promise<FamilySpec> | FamilySpec,
  threshold: number,
): Promise<EvaluationResult['per_site']> {
  const per_site: EvaluationResult['per_site'] = {};
  const sites = [...new Set(centres.values())].sort();
  await inStage(o.progress ?? SILENT, 'per-site models', sites.length, async (stage) => {
    for (const centre of sites) {
      const sub = unitsOf(centre);
      const subTrain = sub.filter((s) => !testGroups.has(protocol.group(s)));
      const subTest = sub.filter((s) => testGroups.has(protocol.group(s)));
      stage.tick();
      if (subTest.length === 0 || subTrain.length === 0) continue;
      const spec = await search(o.spec, subTrain);
      const ps = await fitPredict(spec, subTrain, subTest);
      per_site[centre] = { ...scores(subTest.map((s) => s.eds), ps, threshold), ...(o.search ? { params: spec.params } : {}) };
    }
  });
  return per_site;
}
