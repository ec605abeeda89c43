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
import type { Regressor } from './estimator.ts';
import type { Sample } from '../substitution/dataset.ts';
import { featurizerFor } from '../features/ce.ts';
import type { FamilySpec } from './family.ts';
import { SILENT, inStage, type Progress } from '../util/progress.ts';
import { classification, mae, mean, r2, std } from './metrics.ts';
import { createRng, permutation } from './random.ts';
import { groupKFold, kFold, take, type GroupKey, type Split } from './splits.ts';

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
  makeModel: () => Regressor,
  X: number[][],
  y: number[],
  splits: readonly Split[],
): Promise<CVResult> {
  const sum = new Array<number>(y.length).fill(0);
  const cnt = new Array<number>(y.length).fill(0);
  const foldMae: number[] = [];
  for (const s of splits) {
    const m = makeModel();
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
  /** R² and F1 (class y < threshold) of the out-of-fold predictions. */
  r2: number;
  f1: number;
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

export async function gridSearch(
  makeModel: (p: Params) => Regressor,
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
      const tested = cv.oof.flatMap((p, i) => (Number.isNaN(p) ? [] : [i]));
      const yt = tested.map((i) => y[i]);
      const pt = tested.map((i) => cv.oof[i]);
      rows.push({ params, meanMae: cv.meanMae, sdMae: cv.sdMae, r2: r2(yt, pt), f1: classification(yt, pt, o.threshold ?? 0).f1, resource: r });
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
 * Default grid: C ∈ {1,3,10,30,100}, γ ∈ {0.1,0.3,1,3}/d, ε ∈ {0.01,0.05,0.1};
 * default strategy: successive halving (keep ⅓ per rung, training fractions ¼ → ½ → 1).
 */
export async function gridSearchSVR(
  X: number[][],
  y: number[],
  groups: readonly GroupKey[] | null,
  o: SVRSearchOptions = {},
): Promise<SearchResult> {
  const { SVR } = await import('./svr.ts');
  const d = X[0].length;
  const grid: ParamGrid = {
    C: o.C ?? [1, 3, 10, 30, 100],
    gamma: o.gamma ?? [0.1 / d, 0.3 / d, 1 / d, 3 / d],
    epsilon: o.epsilon ?? [0.01, 0.05, 0.1],
  };
  const folds = o.folds ?? 5;
  const seed = o.seed ?? 0;
  const splits = groups ? groupKFold(groups, folds, seed) : kFold(X.length, folds, seed);
  return gridSearch((p) => new SVR({ C: p.C, gamma: p.gamma, epsilon: p.epsilon }), grid, X, y, splits, o);
}

/** The grid `--search` explores for the site family's SVR (γ as γ·d). */
export const SITE_SVR_GRID = { C: [10, 30, 100], gammaScale: [0.3, 0.6, 1.2], epsilon: [0.01, 0.02, 0.05] };

/**
 * The site family's SVR hyper-parameters by grouped 3-fold CV on the training
 * samples only (one physical substitution per group); other families and
 * regressors keep their defaults.
 */
export async function searchFamilyParams(
  spec: FamilySpec,
  train: Sample[],
  o: { seed: number; selectBy?: SelectBy; progress?: Progress },
): Promise<FamilySpec> {
  if (spec.family !== 'site' || spec.regressor !== 'SVR') return spec;
  const X = train.map((s) => featurizerFor(s.enumeration, spec.features).features(s.substitution));
  const d = X[0].length;
  const gammas = SITE_SVR_GRID.gammaScale.map((g) => g / d);
  const r = await inStage(o.progress ?? SILENT, 'hyper-parameter search', 1, () =>
    gridSearchSVR(X, train.map((s) => s.eds), train.map((s) => s.key), {
      C: SITE_SVR_GRID.C,
      gamma: gammas,
      epsilon: SITE_SVR_GRID.epsilon,
      folds: 3,
      seed: o.seed,
      selectBy: o.selectBy,
    }),
  );
  const gammaScale = SITE_SVR_GRID.gammaScale[gammas.indexOf(r.best.gamma)];
  return { ...spec, params: { ...spec.params, C: r.best.C, gammaScale, epsilon: r.best.epsilon } };
}
