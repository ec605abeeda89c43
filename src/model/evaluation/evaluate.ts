/**
 * Train and test a model family under a protocol (src/model/evaluation/protocols.ts): the
 * same loop for every protocol. Every split also fits the simple baselines, so
 * the table shows what a model buys; a probabilistic model reports the coverage
 * and width of its 90 % intervals; leave-site-out can add k calculations of the
 * held-out site (chosen by the model's suggestions or at random) and report the
 * curve; hold-out protocols can report a learning curve.
 */
import type { CleanedDataSet, DataRow, Sample } from '../../substitution/dataset.ts';
import { calculationStats } from '../../substitution/dataset.ts';
import { groupByCell, type FamilySpec, type SubstitutionModel } from '../families/contract.ts';
import { baselineSpecs, familyEntry, familySpec, fitFamily } from '../families/index.ts';
import { classification, labelScores, mean, pearson, regressionScores, std } from '../learn/metrics.ts';
import { probabilityBelow, STABILISING_PROBABILITY, Z90 } from '../../util/normal.ts';
import { EVALUATION_PARAMS, innerSplits, protocolEntry, type EvaluationParams, type ProtocolEntry } from './protocols.ts';
import { searchFamilyParams, type SelectBy } from './search.ts';
import { take, type Split } from '../learn/splits.ts';
import { childSeed, createRng, shuffleInPlace } from '../learn/random.ts';
import { SILENT, inStage, type Progress } from '../../util/progress.ts';
import { InputError } from '../../util/errors.ts';

export interface EvaluateOptions extends Partial<EvaluationParams> {
  protocol: string;
  spec: FamilySpec;
  seed?: number;
  folds?: number;
  testFraction?: number;
  /** 'all' or a site label: restrict to the substitutions centred on that site (the data's `folder`). */
  site?: string;
  /** Also fit one model per centre site (hold-out protocols). */
  perSite?: boolean;
  /** Choose the site family's SVR C, γ, ε by grouped 3-fold CV on each training set (successive halving). */
  search?: boolean;
  /** Fit the baselines on the same splits (default true). */
  baselines?: boolean;
  /** Leave-site-out: numbers of calculations of the held-out site added to training. */
  shots?: number[];
  /** Hold-out protocols: training fractions of the learning curve (the test split stays). */
  learningCurve?: number[];
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
  /** Pearson r of predictions and DFT, the fraction of predictions with the DFT's sign, and the sd of the DFT values themselves (eV). */
  r: number;
  sign: number;
  spread: number;
  /**
   * The stabilising set (E_DS < threshold): predicted as P(E_DS < threshold) ≥ 0.9 under the
   * model's distribution (a model without one: its mean below the threshold).
   */
  stabilising: { f1: number; precision: number; recall: number; predicted: number; true: number };
  /** Fraction of the DFT values inside the model's 90 % intervals, and the intervals' mean width (eV). */
  coverage?: number;
  width?: number;
  /** The applicability-domain flag: how many rows it flags, and the MAE (eV) of flagged and unflagged rows. */
  domain?: { flagged: number; flaggedMae: number; unflaggedMae: number };
  /** For one held-out group of a leave-out protocol: each baseline's MAE (eV) on it. */
  baselines?: Record<string, number>;
}

/** Scores of one held-out group after k shots: the model's and the shot baselines' MAE, and the coverage of its intervals. */
export interface ShotScores {
  mae: number;
  /** sd of the MAE over draws, and the number of draws. */
  sd: number;
  draws: number;
  coverage?: number;
  width?: number;
  /** The mean of the k shots, and the additive baseline fitted on the shots alone. */
  baselines: Record<string, number>;
}

export interface ShotPoint {
  k: number;
  strategy: 'suggest' | 'random';
  /** What the held-out groups are (sites or phases), and their scores. */
  tag_kind: 'site' | 'element' | 'phase';
  per_tag: Record<string, ShotScores>;
  /** Means over the held-out groups. */
  mae: number;
  coverage?: number;
  baselines: Record<string, number>;
}

export interface EvaluationResult {
  model: string;
  family: string;
  features: { env: string; nn: number; weight: number; aggregate: string; values: string; properties: string[] };
  protocol: string;
  /** One calculation can sit in train and test: scores are optimistic (the literature's protocol). */
  leaky: boolean;
  seed: number;
  params: Record<string, unknown>;
  /** What the data hold: rows, distinct calculations, and calculations whose rows disagree by > 0.1 eV. */
  calculations: ReturnType<typeof calculationStats>;
  n_samples: number;
  n_train: number;
  n_test: number;
  cv: { mae: number; rmse: number; r2: number; sd: number; folds: number; method: string } | null;
  test: Scores;
  per_site: Record<string, Scores & { params?: Record<string, unknown> }>;
  per_element: Record<string, Scores>;
  per_phase: Record<string, Scores>;
  /** The simple baselines on the identical splits. */
  baselines: Record<string, Scores>;
  shots?: ShotPoint[];
  learning_curve?: { fraction: number; n_train: number; mae: number; additive: number }[];
  /** Cleaning of the data set: rows dropped and why (counts). */
  dropped: Record<string, number>;
}

interface Prediction {
  mean: number[];
  lo?: number[];
  hi?: number[];
  outOfDomain?: boolean[];
}

export function scores(y: number[], p: number[] | Prediction, threshold = 0): Scores {
  const pr = Array.isArray(p) ? { mean: p } : p;
  const r = regressionScores(y, pr.mean);
  const c = classification(y, pr.mean, threshold);
  // an interval's half-width over Z90 is the predictive sd
  const sd = (i: number) => (pr.lo && pr.hi ? (pr.hi[i] - pr.lo[i]) / (2 * Z90) : 0);
  const truth = y.map((v) => v < threshold);
  const predicted = pr.mean.map((m, i) => probabilityBelow(m, sd(i), threshold) >= STABILISING_PROBABILITY);
  const st = labelScores(truth, predicted);
  const out: Scores = {
    n: y.length,
    mae: r.mae,
    rmse: r.rmse,
    r2: r.r2,
    f1: c.f1,
    precision: c.precision,
    recall: c.recall,
    r: y.length > 1 ? pearson(y, pr.mean) : NaN,
    sign: mean(y.map((v, i) => (Math.sign(v) === Math.sign(pr.mean[i]) ? 1 : 0))),
    spread: std(y),
    stabilising: { f1: st.f1, precision: st.precision, recall: st.recall, predicted: st.tp + st.fp, true: st.tp + st.fn },
  };
  if (pr.lo && pr.hi) {
    out.coverage = mean(y.map((v, i) => (v >= pr.lo![i] && v <= pr.hi![i] ? 1 : 0)));
    out.width = mean(y.map((_, i) => pr.hi![i] - pr.lo![i]));
  }
  if (pr.outOfDomain) {
    const err = (flag: boolean) => y.flatMap((v, i) => (pr.outOfDomain![i] === flag ? [Math.abs(v - pr.mean[i])] : []));
    const [flagged, unflagged] = [err(true), err(false)];
    out.domain = { flagged: flagged.length, flaggedMae: flagged.length ? mean(flagged) : NaN, unflaggedMae: unflagged.length ? mean(unflagged) : NaN };
  }
  return out;
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

/** Predictions (with 90 % intervals when the model gives them) of samples of any cells. */
export function predictSamples(m: SubstitutionModel, test: readonly Sample[]): Prediction {
  const out: Prediction = { mean: new Array<number>(test.length) };
  if (m.predictDistribution) (out.lo = new Array<number>(test.length)), (out.hi = new Array<number>(test.length)), (out.outOfDomain = new Array<boolean>(test.length));
  for (const [enumeration, idx] of groupByCell(test)) {
    const subs = idx.map((k) => test[k].substitution);
    if (m.predictDistribution) {
      const d = m.predictDistribution(enumeration, subs);
      idx.forEach((k, j) => ((out.mean[k] = d.mean[j]), (out.lo![k] = d.lo[j]), (out.hi![k] = d.hi[j]), (out.outOfDomain![k] = d.outOfDomain[j])));
    } else {
      const p = m.predict(enumeration, subs);
      idx.forEach((k, j) => (out.mean[k] = p[j]));
    }
  }
  return out;
}

/** Fit on `train`, predict `test`, free the model. */
export async function fitPredict(spec: FamilySpec, train: Sample[], test: Sample[]): Promise<Prediction> {
  const m = await fitFamily(spec, train);
  try {
    return predictSamples(m, test);
  } finally {
    m.dispose();
  }
}

/** Hyper-parameters as reported: a single-site regressor's under `single`. */
function paramsOf(spec: FamilySpec): Record<string, unknown> {
  const single = familyEntry(spec.family).regressor?.reads.includes('single');
  return { ...spec.params, seed: spec.seed, ...(single ? { single: { ...spec.singleParams, seed: spec.seed } } : {}) };
}

function droppedCounts(data: CleanedDataSet): Record<string, number> {
  const dropped: Record<string, number> = {};
  for (const d of data.dropped) dropped[d.cause] = (dropped[d.cause] ?? 0) + 1;
  return dropped;
}

/**
 * CV of the training part: refits per fold, or — for a GP, given its fit on the
 * whole training part — held-out predictions from that one fit (hyper-parameters fixed).
 */
async function crossValidate(spec: FamilySpec, samples: Sample[], splits: Split[], progress: Progress, label: string, fitted: SubstitutionModel | null) {
  const per = await inStage(progress, label, splits.length, async (stage) => {
    const out: { mae: number; rmse: number; r2: number }[] = [];
    const whole = fitted?.heldOut ? fitted : null;
    for (const s of splits) {
      const y = take(samples, s.test).map((x) => x.eds);
      const p = whole ? whole.heldOut!([s.test]).mean : (await fitPredict(spec, take(samples, s.train), take(samples, s.test))).mean;
      out.push(regressionScores(y, whole ? s.test.map((i) => p[i]) : p));
      stage.tick();
    }
    return out;
  });
  const maes = per.map((x) => x.mae);
  const fast = fitted?.heldOut !== undefined;
  return { mae: mean(maes), rmse: mean(per.map((x) => x.rmse)), r2: mean(per.map((x) => x.r2)), sd: std(maes), folds: splits.length, method: fast ? 'one fit, held-out folds by the block-inverse identity (hyper-parameters of the whole training part)' : 'refit per fold' };
}

/** A data set too small or too flat for a protocol, or a search a family cannot do, is an input error stating the minimum. */
function checkEnough(protocol: ProtocolEntry, samples: Sample[], o: EvaluateOptions): void {
  const unit = protocol.name === 'paper' ? 'rows' : 'calculations';
  if (samples.length < protocol.minimum.units) throw new InputError(`the ${protocol.name} protocol needs at least ${protocol.minimum.units} ${unit}; this data set has ${samples.length}`);
  const y = samples.map((s) => s.eds);
  if (Math.max(...y) - Math.min(...y) < 1e-9) throw new InputError(`all ${samples.length} energies are equal (${y[0]} eV): there is nothing to learn`);
  if (protocol.minimum.tags) {
    const tags = protocol.splits(samples, { seed: 0, testFraction: 0.2 }).length;
    if (tags < protocol.minimum.tags) throw new InputError(`the ${protocol.name} protocol needs at least ${protocol.minimum.tags} ${protocol.tagKind}s to hold out in turn; this data set has ${tags}`);
  }
  if (o.search && !familyEntry(o.spec.family).regressor) throw new InputError(`--search: the ${o.spec.family} family is not built on a regressor with a grid; its parameters are fitted inside each training set already`);
}

/** Run one protocol. Energies in eV. */
export async function evaluate(data: CleanedDataSet, o: EvaluateOptions): Promise<EvaluationResult> {
  const protocol = protocolEntry(o.protocol);
  const seed = o.seed ?? 0;
  const threshold = o.threshold ?? EVALUATION_PARAMS.threshold.default;
  const progress = o.progress ?? SILENT;
  const centres = folderCentres(data.rows);
  const site = o.site && o.site !== 'all' ? o.site : undefined;
  if (site && ![...centres.values()].includes(site)) {
    throw new InputError(`site ${site} is the centre of no data folder (centres: ${[...new Set(centres.values())].join(', ')})`);
  }
  if (o.shots?.length && protocol.tagKind !== 'site' && protocol.tagKind !== 'phase') throw new InputError(`--shots applies to the leave-site-out and leave-phase-out protocols, not ${protocol.name}`);
  if (o.learningCurve?.length && protocol.pooled) throw new InputError(`--learning-curve applies to hold-out protocols (grouped, paper), not ${protocol.name}`);
  const unitsOf = (s?: string) => protocol.units(s ? data.rows.filter((r) => centres.get(r.folder) === s) : data.rows);
  const samples = unitsOf(site);
  checkEnough(protocol, samples, o);
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
    leaky: protocol.leaky,
    seed,
    params: paramsOf(o.spec),
    calculations: calculationStats(data.rows),
    n_samples: samples.length,
    dropped: droppedCounts(data),
  };
  const search = (spec: FamilySpec, train: Sample[]) => (o.search ? searchFamilyParams(spec, train, { seed, selectBy: o.select, progress }) : spec);
  const baselines = o.baselines === false ? [] : baselineSpecs(protocol.leaky, seed);
  const splits = protocol.splits(samples, { seed, testFraction: o.testFraction ?? 0.2 });

  // every split: the model and each baseline; pooled over the splits of a leave-out protocol
  const y: number[] = [];
  const pooled: Prediction = { mean: [], lo: [], hi: [], outOfDomain: [] };
  const byBaseline = new Map(baselines.map(([name]) => [name, [] as number[]]));
  const per: Record<string, Scores> = {};
  let nTrain = 0;
  let spec = o.spec;
  const kept: { model: SubstitutionModel | null } = { model: null };
  const shotRuns: ShotRun[] = [];
  await inStage(progress, protocol.name, splits.length, async (stage) => {
    for (const s of splits) {
      const train = take(samples, s.train);
      const test = take(samples, s.test);
      spec = await search(o.spec, train);
      const model = await fitFamily(spec, train);
      const p = predictSamples(model, test);
      const yt = test.map((x) => x.eds);
      y.push(...yt);
      pooled.mean.push(...p.mean);
      if (p.lo) pooled.lo!.push(...p.lo), pooled.hi!.push(...p.hi!), pooled.outOfDomain!.push(...p.outOfDomain!);
      if (s.tag) per[s.tag] = { ...scores(yt, p, threshold), baselines: {} };
      for (const [name, b] of baselines) {
        const pb = (await fitPredict(b, train, test)).mean;
        byBaseline.get(name)!.push(...pb);
        if (s.tag) per[s.tag].baselines![name] = mean(pb.map((v, i) => Math.abs(v - yt[i])));
      }
      if (o.shots?.length) shotRuns.push(...(await shotCurve(model, spec, train, test, s.tag!, o, seed)));
      if (!protocol.pooled) kept.model = model;
      else model.dispose();
      nTrain += s.train.length;
      stage.tick();
    }
  });
  const hasIntervals = pooled.lo!.length === y.length && y.length > 0;
  const test = scores(y, hasIntervals ? pooled : pooled.mean, threshold);
  const baselineScores = Object.fromEntries([...byBaseline].map(([name, p]) => [name, scores(y, p, threshold)]));

  if (!protocol.pooled) {
    const [split] = splits;
    const train = take(samples, split.train);
    const testSet = take(samples, split.test);
    const repeats = o.repeats ?? EVALUATION_PARAMS.repeats.default;
    const cv = repeats > 0 ? await crossValidate(spec, train, innerSplits(protocol, train, { folds: o.folds ?? 5, repeats, seed: childSeed(seed, 'inner CV') }), progress, `CV ${repeats}×${o.folds ?? 5} (${protocol.name})`, kept.model) : null;
    kept.model?.dispose();
    const per_site = o.perSite && !site ? await perSiteModels(protocol, o, unitsOf, centres, new Set(testSet.map(protocol.group)), search, threshold) : {};
    const learning_curve = o.learningCurve?.length ? await learningCurve(spec, train, testSet, o.learningCurve, seed, progress) : undefined;
    return { ...base, params: paramsOf(spec), n_train: train.length, n_test: testSet.length, cv, test, per_site, per_element: {}, per_phase: {}, baselines: baselineScores, ...(learning_curve ? { learning_curve } : {}) };
  }
  return {
    ...base,
    n_train: Math.round(nTrain / splits.length),
    n_test: y.length,
    cv: null,
    test,
    per_site: protocol.tagKind === 'site' ? per : {},
    per_element: protocol.tagKind === 'element' ? per : {},
    per_phase: protocol.tagKind === 'phase' ? per : {},
    baselines: baselineScores,
    ...(o.shots?.length ? { shots: summariseShots(shotRuns, protocol.tagKind!) } : {}),
  };
}

interface ShotRun {
  tag: string;
  k: number;
  strategy: 'suggest' | 'random';
  mae: number;
  coverage?: number;
  width?: number;
  baselines: Record<string, number>;
}

/**
 * k calculations of the held-out group (a site or a phase) added to training,
 * chosen by the model's suggestions (deterministic) or at random (`draws`
 * seeded draws); the rest of the group is the test set. A model that can be
 * conditioned on more data keeps its hyper-parameters and is; others are
 * refitted. Beside it, on the same rest: the mean of the shots and the additive
 * baseline fitted on the shots alone.
 */
async function shotCurve(model: SubstitutionModel, spec: FamilySpec, train: Sample[], held: Sample[], tag: string, o: EvaluateOptions, seed: number): Promise<ShotRun[]> {
  const ks = [...new Set(o.shots!)].sort((a, b) => a - b);
  const from = o.shotsFrom ?? EVALUATION_PARAMS.shotsFrom.default;
  const out: ShotRun[] = [];
  const additive = familySpec('additive', undefined, { seed });
  const run = async (chosen: number[], strategy: ShotRun['strategy']) => {
    const taken = new Set(chosen);
    const rest = held.filter((_, i) => !taken.has(i));
    if (rest.length === 0) return;
    const shots = chosen.map((i) => held[i]);
    const y = rest.map((s) => s.eds);
    const m = chosen.length === 0 ? model : model.withMore ? model.withMore(shots) : await fitFamily(spec, [...train, ...shots]);
    const s = scores(y, predictSamples(m, rest));
    if (m !== model) m.dispose();
    const baselines: Record<string, number> = {};
    if (shots.length) {
      const shotMean = mean(shots.map((x) => x.eds));
      baselines['mean of shots'] = mean(y.map((v) => Math.abs(v - shotMean)));
      const a = await fitFamily(additive, shots);
      baselines['additive on shots'] = scores(y, predictSamples(a, rest).mean).mae;
    }
    out.push({ tag, k: chosen.length, strategy, mae: s.mae, coverage: s.coverage, width: s.width, baselines });
  };
  const kmax = Math.min(ks[ks.length - 1], held.length - 1);
  if (model.suggest && from !== 'random') {
    // one greedy sequence per group (candidates may sit in several cells: suggestions per cell, in order)
    const order = model.suggest(held[0].enumeration, held.map((s) => s.substitution), kmax).map((x) => x.index);
    for (const k of ks) if (k <= kmax) await run(order.slice(0, k), 'suggest');
  }
  if (from !== 'suggest')
    for (let d = 0; d < (o.draws ?? EVALUATION_PARAMS.draws.default); d++) {
      const order = shuffleInPlace(held.map((_, i) => i), createRng(childSeed(seed, `random shots ${d}`)));
      for (const k of ks) if (k <= kmax) await run(order.slice(0, k), 'random');
    }
  return out;
}

function summariseShots(runs: ShotRun[], tagKind: ShotPoint['tag_kind']): ShotPoint[] {
  const keys = [...new Set(runs.map((r) => `${r.strategy}|${r.k}`))];
  const meanOf = (v: (number | undefined)[]) => (v.every((x) => x !== undefined) ? mean(v as number[]) : undefined);
  const averaged = (these: ShotRun[]) => Object.fromEntries([...new Set(these.flatMap((r) => Object.keys(r.baselines)))].map((b) => [b, mean(these.map((r) => r.baselines[b]))]));
  return keys.map((key) => {
    const [strategy, k] = key.split('|');
    const these = runs.filter((r) => `${r.strategy}|${r.k}` === key);
    const per_tag: Record<string, ShotScores> = {};
    for (const tag of [...new Set(these.map((r) => r.tag))]) {
      const t = these.filter((r) => r.tag === tag);
      const v = t.map((r) => r.mae);
      per_tag[tag] = { mae: mean(v), sd: std(v), draws: v.length, coverage: meanOf(t.map((r) => r.coverage)), width: meanOf(t.map((r) => r.width)), baselines: averaged(t) };
    }
    const groups = Object.values(per_tag);
    return {
      k: Number(k),
      strategy: strategy as ShotRun['strategy'],
      tag_kind: tagKind,
      per_tag,
      mae: mean(groups.map((x) => x.mae)),
      coverage: meanOf(groups.map((x) => x.coverage)),
      baselines: Object.fromEntries(Object.keys(groups[0]?.baselines ?? {}).map((b) => [b, mean(groups.map((x) => x.baselines[b]))])),
    };
  });
}

/** MAE on the fixed test split for nested training subsets (seeded order of the training calculations). */
async function learningCurve(spec: FamilySpec, train: Sample[], test: Sample[], fractions: number[], seed: number, progress: Progress) {
  const order = shuffleInPlace(train.map((_, i) => i), createRng(childSeed(seed, 'learning curve')));
  // each subset keeps the training order, so the full fraction is the model of the protocol itself
  const additive = familySpec('additive', undefined, { seed });
  return inStage(progress, 'learning curve', fractions.length, async (stage) => {
    const out: { fraction: number; n_train: number; mae: number; additive: number }[] = [];
    for (const f of [...fractions].sort((a, b) => a - b)) {
      const sub = take(train, order.slice(0, Math.max(2, Math.round(f * train.length))).sort((a, b) => a - b));
      const y = test.map((s) => s.eds);
      out.push({ fraction: f, n_train: sub.length, mae: scores(y, (await fitPredict(spec, sub, test)).mean).mae, additive: scores(y, (await fitPredict(additive, sub, test)).mean).mae });
      stage.tick();
    }
    return out;
  });
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
