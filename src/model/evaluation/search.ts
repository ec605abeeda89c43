/**
 * Cross-validation and hyper-parameter search for any Regressor.
 *
 * `gridSearch` evaluates a parameter grid by CV MAE over the given splits
 * (so group-aware splits keep groups intact). Strategy 'halving' is
 * successive halving (Jamieson & Talwalkar 2016; scikit-learn's
 * HalvingGridSearchCV): every candidate is first scored with a fraction of
 * each training fold, the best 1/η advance to a larger fraction, until the
 * survivors are scored on full folds. Test folds are never subsampled.
 */
import type { Regressor } from '../learn/estimator.ts';
import type { Sample } from '../../substitution/dataset.ts';
import { featurizerFor } from '../../features/ce.ts';
import { groupByCell, type FamilySpec } from '../families/contract.ts';
import { createRegressor, REGRESSORS, regressorEntry } from '../learn/regressors.ts';
import { familyEntry, fitFamily } from '../families/index.ts';
import { SILENT, inStage, type Progress } from '../../util/progress.ts';
import { classification, mae, mean, r2, std } from '../learn/metrics.ts';
import { createRng, permutation } from '../learn/random.ts';
import { groupKFold, kFold, take, type GroupKey, type Split } from '../learn/splits.ts';

export interface CVResult {
  /** MAE per split. */
  foldMae: number[];
  meanMae: number;
  sdMae: number;
  /** Out-of-fold predictions averaged over the splits that tested each row (NaN if never tested). */
  oof: number[];
}

/** Fit a fresh model per split and score it on the held-out rows. */
export async function crossValidate(
  makeModel: () => Regressor | Promise<Regressor>,
  X: number[][],
  y: number[],
  splits: readonly Split[],
): Promise<CVResult> {
  const sum = new Array<number>(y.length).fill(0);
  const cnt = new Array<number>(y.length).fill(0);
  const foldMae: number[] = [];
  for (const s of splits) {
    const m = await makeModel();
    await m.fit(take(X, s.train), take(y, s.train));
    const p = m.predict(take(X, s.test));
    m.dispose();
    foldMae.push(mae(take(y, s.test), p));
    s.test.forEach((i, k) => {
      sum[i] += p[k];
      cnt[i]++;
    });
  }
  return {
    foldMae,
    meanMae: mean(foldMae),
    sdMae: std(foldMae),
    oof: sum.map((v, i) => (cnt[i] ? v / cnt[i] : NaN)),
  };
}

export type SelectBy = 'mae' | 'r2' | 'f1';
export type ParamGrid = Record<string, readonly number[]>;
export type Params = Record<string, number>;

/** All combinations of a grid, in a fixed order (last key varies fastest). */
export function expandGrid(grid: ParamGrid): Params[] {
  let out: Params[] = [{}];
  for (const [k, values] of Object.entries(grid)) {
    if (values.length === 0) throw new Error(`grid entry "${k}" is empty`);
    out = out.flatMap((p) => values.map((v) => ({ ...p, [k]: v })));
  }
  return out;
}

export interface SearchRow {
  params: Params;
  meanMae: number;
  sdMae: number;
  /** R², F1, precision and recall (class y < threshold) of the out-of-fold predictions. */
  r2: number;
  f1: number;
  precision: number;
  recall: number;
  /** Fraction of each training fold used for this score (1 = full). */
  resource: number;
}

export interface SearchResult {
  best: Params;
  bestMae: number;
  /** Every evaluation, all rungs, sorted by (resource desc, meanMae asc). */
  table: SearchRow[];
  /** Number of model fits performed. */
  fits: number;
  seconds: number;
}

export interface SearchOptions {
  strategy?: 'full' | 'halving';
  /** Keep the best 1/η candidates per rung (default 3); the training fraction doubles per rung. */
  eta?: number;
  /** Smallest training fraction used in halving (default 0.25). */
  minResource?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  /** Pick the best candidate by lowest MAE (default), highest R² or highest F1 on the full folds. */
  selectBy?: SelectBy;
  /** Class threshold for F1 (default 0: "stabilising"). */
  threshold?: number;
}

/** Scores of out-of-fold predictions over the rows that were tested (NaN: never in a test fold). */
function outOfFoldScores(y: readonly number[], oof: readonly number[], threshold: number): { mae: number; r2: number; f1: number; precision: number; recall: number } {
  const tested = oof.flatMap((p, i) => (Number.isNaN(p) ? [] : [i]));
  const yt = tested.map((i) => y[i]);
  const pt = tested.map((i) => oof[i]);
  const c = classification(yt, pt, threshold);
  return { mae: mae(yt, pt), r2: r2(yt, pt), f1: c.f1, precision: c.precision, recall: c.recall };
}

export async function gridSearch(
  makeModel: (p: Params) => Regressor | Promise<Regressor>,
  grid: ParamGrid,
  X: number[][],
  y: number[],
  splits: readonly Split[],
  o: SearchOptions = {},
): Promise<SearchResult> {
  const t0 = performance.now();
  const eta = o.eta ?? 3;
  const candidates = expandGrid(grid);
  // rung training fractions …, ¼, ½, 1 (halving the data per rung back from the full folds),
  // as many rungs as the candidate count supports when keeping 1/η per rung
  const resources: number[] = [1];
  if ((o.strategy ?? 'halving') === 'halving') {
    const minR = o.minResource ?? 0.25;
    let nCand = candidates.length;
    while (nCand > eta && resources[0] / 2 >= minR - 1e-12) {
      resources.unshift(resources[0] / 2);
      nCand = Math.ceil(nCand / eta);
    }
  }
  const rng = createRng(o.seed ?? 0);
  const table: SearchRow[] = [];
  let alive = candidates;
  let fits = 0;
  const total = resources.reduce((acc, _r, k) => acc + Math.ceil(candidates.length / eta ** k) * splits.length, 0);
  for (let k = 0; k < resources.length; k++) {
    const r = resources[k];
    // one row subsample per split and rung, shared by all candidates (fair comparison)
    const rungSplits = splits.map((s) => {
      if (r >= 1) return s;
      const keep = Math.max(2, Math.round(r * s.train.length));
      const sub = permutation(s.train.length, rng)
        .slice(0, keep)
        .map((i) => s.train[i])
        .sort((a, b) => a - b);
      return { ...s, train: sub };
    });
    const rows: SearchRow[] = [];
    for (const params of alive) {
      const cv = await crossValidate(() => makeModel(params), X, y, rungSplits);
      fits += rungSplits.length;
      o.onProgress?.(fits, total);
      const { r2, f1, precision, recall } = outOfFoldScores(y, cv.oof, o.threshold ?? 0);
      rows.push({ params, meanMae: cv.meanMae, sdMae: cv.sdMae, r2, f1, precision, recall, resource: r });
    }
    rows.sort((a, b) => a.meanMae - b.meanMae);
    table.push(...rows);
    if (k < resources.length - 1) alive = rows.slice(0, Math.max(1, Math.ceil(rows.length / eta))).map((row) => row.params);
  }
  table.sort((a, b) => b.resource - a.resource || a.meanMae - b.meanMae);
  const full = table.filter((row) => row.resource === table[0].resource);
  const by = o.selectBy ?? 'mae';
  const best = by === 'mae' ? full[0] : [...full].sort((a, b) => b[by] - a[by] || a.meanMae - b.meanMae)[0];
  return { best: best.params, bestMae: best.meanMae, table, fits, seconds: (performance.now() - t0) / 1000 };
}

export interface SVRSearchOptions extends SearchOptions {
  C?: readonly number[];
  /** Absolute γ values; default {0.1, 0.3, 1, 3}/d for standardised features. */
  gamma?: readonly number[];
  epsilon?: readonly number[];
  folds?: number;
}

/**
 * Grid search for RBF ε-SVR (features standardised inside each fit) by
 * k-fold CV MAE; with `groups`, group k-fold so no group straddles train/test.
 * Default grid: the svr registry entry's (γ = gammaScale/d);
 * default strategy: successive halving (keep ⅓ per rung, training fractions ¼ → ½ → 1).
 */
export async function gridSearchSVR(
  X: number[][],
  y: number[],
  groups: readonly GroupKey[] | null,
  o: SVRSearchOptions = {},
): Promise<SearchResult> {
  const { SVR } = await import('../learn/svr.ts');
  const d = X[0].length;
  const declared = regressorEntry('svr').grid as { C: readonly number[]; gammaScale: readonly number[]; epsilon: readonly number[] };
  const grid: ParamGrid = {
    C: o.C ?? declared.C,
    gamma: o.gamma ?? declared.gammaScale.map((g) => g / d),
    epsilon: o.epsilon ?? declared.epsilon,
  };
  const folds = o.folds ?? 5;
  const seed = o.seed ?? 0;
  const splits = groups ? groupKFold(groups, folds, seed) : kFold(X.length, folds, seed);
  return gridSearch((p) => new SVR({ C: p.C, gamma: p.gamma, epsilon: p.epsilon }), grid, X, y, splits, o);
}

/** How the chosen hyper-parameters scored in the inner CV (out-of-fold, over the training samples). */
export interface InnerCVScores {
  criterion: SelectBy;
  /** MAE (eV) and R² of the out-of-fold predictions. */
  mae: number;
  r2: number;
  /** "Stabilising" = E_DS below `threshold` (eV): F1, precision and recall of the out-of-fold predictions. */
  f1: number;
  precision: number;
  recall: number;
  threshold: number;
  folds: number;
  candidates: number;
  fits: number;
}

export interface FamilySearch {
  spec: FamilySpec;
  /** null when the family has no regressor to tune (GP, baselines). */
  scores: InnerCVScores | null;
  /** Every candidate scored on the full folds (grid values). */
  table: { params: Params; mae: number; r2: number; f1: number; precision: number; recall: number }[];
}

const better = (by: SelectBy) => (a: { mae: number; r2: number; f1: number }, b: { mae: number; r2: number; f1: number }) =>
  by === 'mae' ? a.mae - b.mae : b[by] - a[by] || a.mae - b.mae;

/** Grid values as params of both regressors of a family (the transfer family's s and I share them). */
const withParams = (spec: FamilySpec, p: Params): FamilySpec => ({ ...spec, params: { ...spec.params, ...p }, singleParams: { ...spec.singleParams, ...p } });

/**
 * Hyper-parameters of a family's regressor from its registry grid, by grouped
 * k-fold CV (default 3) on the training samples only (one physical calculation
 * per group), chosen by lowest MAE, highest R² or highest F1 of "stabilising".
 * A family that is one regressor on the pair vector, with a regressor cheap enough
 * to be searched on rows (`rowSearch`), is searched on the rows by successive
 * halving; every other (family, regressor) is scored as deployed: the whole family
 * is fitted per fold and predicts the held-out calculations. A family without a
 * regressor is returned as given.
 */
export async function searchFamily(
  spec: FamilySpec,
  train: Sample[],
  o: { seed: number; selectBy?: SelectBy; threshold?: number; folds?: number; grid?: ParamGrid; progress?: Progress },
): Promise<FamilySearch> {
  return (await searchFamilyBy(spec, train, [o.selectBy ?? 'mae'], o))[0];
}

/** One grid scored once, a choice per criterion (train --select r2,f1 pays for one search). */
export async function searchFamilyBy(
  spec: FamilySpec,
  train: Sample[],
  criteria: readonly SelectBy[],
  o: { seed: number; threshold?: number; folds?: number; grid?: ParamGrid; progress?: Progress },
): Promise<FamilySearch[]> {
  const threshold = o.threshold ?? 0;
  const folds = o.folds ?? 3;
  const entry = REGRESSORS.find((r) => r.kind === spec.regressor);
  if (!entry) return criteria.map(() => ({ spec, scores: null, table: [] }));
  const reads = familyEntry(spec.family).regressor?.reads ?? [];
  type Row = { params: Params; mae: number; r2: number; f1: number; precision: number; recall: number };
  let rows: Row[];
  let fits: number;
  let candidates: number;
  let toSpec: (p: Params) => FamilySpec;
  if (entry.rowSearch && reads.length === 1 && reads[0] === 'pair' && !o.grid) {
    const X = train.map((s) => featurizerFor(s.enumeration, spec.features).features(s.substitution));
    const splits = groupKFold(train.map((s) => s.key), folds, o.seed);
    const r = await inStage(o.progress ?? SILENT, 'hyper-parameter search', 1, () =>
      gridSearch((p) => createRegressor(entry.name, { ...spec.params, ...p }, { nFeatures: X[0].length, seed: spec.seed }), entry.grid as ParamGrid, X, train.map((s) => s.eds), splits, { seed: o.seed, selectBy: criteria[0], threshold }),
    );
    // successive halving: the candidates that reached the full folds
    rows = r.table.filter((t) => t.resource === 1).map((t) => ({ params: t.params, mae: t.meanMae, r2: t.r2, f1: t.f1, precision: t.precision, recall: t.recall }));
    fits = r.fits;
    candidates = expandGrid(entry.grid as ParamGrid).length;
    toSpec = (p) => ({ ...spec, params: { ...spec.params, ...p } });
  } else {
    const grid = expandGrid((o.grid ?? entry.grid) as ParamGrid);
    const splits = groupKFold(train.map((s) => s.key), folds, o.seed);
    const y = train.map((s) => s.eds);
    rows = [];
    await inStage(o.progress ?? SILENT, 'hyper-parameter search', grid.length * splits.length, async (stage) => {
      for (const params of grid) {
        const oof = new Array<number>(train.length).fill(NaN);
        for (const split of splits) {
          const model = await fitFamily(withParams(spec, params), take(train, split.train));
          try {
            const test = take(train, split.test);
            for (const [enumeration, idx] of groupByCell(test)) {
              const p = model.predict(enumeration, idx.map((k) => test[k].substitution));
              idx.forEach((k, j) => (oof[split.test[k]] = p[j]));
            }
          } finally {
            model.dispose();
          }
          stage.tick();
        }
        rows.push({ params, ...outOfFoldScores(y, oof, threshold) });
      }
    });
    fits = grid.length * splits.length;
    candidates = grid.length;
    toSpec = (p) => withParams(spec, p);
  }
  return criteria.map((by) => {
    const { params, ...scores } = [...rows].sort(better(by))[0];
    return { spec: toSpec(params), scores: { criterion: by, ...scores, threshold, folds, candidates, fits }, table: rows };
  });
}

/** searchFamily's choice of hyper-parameters alone (evaluate --search, inside each training set). */
export async function searchFamilyParams(spec: FamilySpec, train: Sample[], o: { seed: number; selectBy?: SelectBy; threshold?: number; progress?: Progress }): Promise<FamilySpec> {
  return (await searchFamily(spec, train, o)).spec;
}
