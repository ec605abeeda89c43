/**
 * Model-agnostic interpretation: permutation importance and KernelSHAP.
 * Both only call `predict`, so they work for every Regressor (and any object
 * with a `predict(X) → y` method, e.g. a closed-form test function).
 */
import { mae, mean, pearson, std } from './metrics.ts';
import { createRng, shuffleInPlace } from './random.ts';
import { solveLinear } from '../../util/linalg.ts';

export interface Predictor {
  predict(X: number[][]): number[];
}

export interface PermutationImportance {
  baselineMae: number;
  /** Mean increase of MAE when feature j is shuffled (larger = more important). */
  mean: number[];
  sd: number[];
  /** Feature indices sorted by decreasing mean importance. */
  ranking: number[];
}

/**
 * Breiman-style permutation importance: shuffle one column at a time (seeded,
 * `repeats` times) and record how much the MAE rises on (X, y). All permuted
 * copies of one feature go through a single `predict` call.
 */
export function permutationImportance(
  model: Predictor,
  X: number[][],
  y: number[],
  o: { repeats?: number; seed?: number } = {},
): PermutationImportance {
  const repeats = o.repeats ?? 5;
  const rng = createRng(o.seed ?? 0);
  const n = X.length;
  const d = X[0].length;
  const baselineMae = mae(y, model.predict(X));
  const meanInc: number[] = [];
  const sdInc: number[] = [];
  for (let j = 0; j < d; j++) {
    const rows: number[][] = [];
    for (let r = 0; r < repeats; r++) {
      const col = shuffleInPlace(X.map((row) => row[j]), rng);
      for (let i = 0; i < n; i++) {
        const row = X[i].slice();
        row[j] = col[i];
        rows.push(row);
      }
    }
    const p = model.predict(rows);
    const inc: number[] = [];
    for (let r = 0; r < repeats; r++) inc.push(mae(y, p.slice(r * n, (r + 1) * n)) - baselineMae);
    meanInc.push(mean(inc));
    sdInc.push(repeats > 1 ? std(inc) * Math.sqrt(repeats / (repeats - 1)) : 0);
  }
  const ranking = meanInc.map((_, j) => j).sort((a, b) => meanInc[b] - meanInc[a]);
  return { baselineMae, mean: meanInc, sd: sdInc, ranking };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

export interface ShapResult {
  /** φ[i][j]: contribution of feature j (of group j when groups are given) to the prediction for sample i. */
  phi: number[][];
  /** E[f] over the background = φ₀. */
  base: number;
  /** f(x_i); φ₀ + Σ_j φ[i][j] = fx[i] exactly (efficiency is imposed). */
  fx: number[];
  /** Number of coalitions evaluated per sample and whether they were all of them. */
  coalitions: number;
  exact: boolean;
}

/**
 * KernelSHAP (Lundberg & Lee 2017) with the interventional value function
 * v(S) = mean_b f(x_S, b_¬S) over the background rows b.
 * Coalitions: all 2^M − 2 proper subsets with Shapley-kernel weights when that
 * is ≤ nSamples (exact Shapley values up to round-off); otherwise nSamples
 * coalitions *drawn from* the Shapley kernel (size s with probability
 * ∝ (M−1)/(s(M−s)), then a uniform subset of that size), in complementary
 * pairs, each with unit weight. φ solves the weighted least-squares fit
 * v(S) − φ₀ ≈ Σ_{j∈S} φ_j under the constraint Σ_j φ_j = f(x) − φ₀.
 * The same coalitions are used for every explained sample (seeded).
 * Cost: coalitions × |background| model evaluations per sample.
 * With `groups` (a partition of the feature indices) the players are the groups:
 * a coalition switches all features of a group together, so M = number of groups
 * and the cost stays small for wide inputs (2^7 − 2 coalitions for 7 blocks, exact).
 */
export function kernelShap(
  model: Predictor,
  X: number[][],
  background: number[][],
  o: { nSamples?: number; seed?: number; groups?: readonly (readonly number[])[] } = {},
): ShapResult {
  const d = X[0].length;
  const groups = o.groups ?? Array.from({ length: d }, (_, j) => [j]);
  checkPartition(groups, d);
  const M = groups.length;
  const nSamples = o.nSamples ?? 256;
  const rng = createRng(o.seed ?? 0);
  const B = background.length;
  if (B === 0) throw new Error('kernelShap: empty background');
  const base = mean(model.predict(background));
  const fx = model.predict(X);
  if (M === 1) return { phi: fx.map((v) => [v - base]), base, fx, coalitions: 0, exact: true };

  // coalition masks and weights
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  const exact = M < 31 && 2 ** M - 2 <= nSamples;
  if (exact) {
    for (let code = 1; code < 2 ** M - 1; code++) {
      const z = new Uint8Array(M);
      let s = 0;
      for (let j = 0; j < M; j++) if ((code >> j) & 1) (z[j] = 1), s++;
      masks.push(z);
      weights.push((M - 1) / (binomial(M, s) * s * (M - s)));
    }
  } else {
    const sizeW: number[] = [];
    for (let s = 1; s < M; s++) sizeW.push((M - 1) / (s * (M - s)));
    const total = sizeW.reduce((a, b) => a + b, 0);
    const idx = Array.from({ length: M }, (_, j) => j);
    while (masks.length < nSamples) {
      let u = rng.next() * total;
      let s = 1;
      while (s < M - 1 && u > sizeW[s - 1]) u -= sizeW[s++ - 1];
      shuffleInPlace(idx, rng);
      const z = new Uint8Array(M);
      for (let k = 0; k < s; k++) z[idx[k]] = 1;
      const zc = z.map((v) => 1 - v);
      masks.push(z, zc);
      weights.push(1, 1);
    }
  }
  const K = masks.length;
  // the coalition as a mask over features: a group's features enter together
  const featureMasks = masks.map((z) => {
    const f = new Uint8Array(d);
    groups.forEach((g, k) => {
      if (z[k]) for (const j of g) f[j] = 1;
    });
    return f;
  });

  // normal equations after eliminating φ_{M−1} via the efficiency constraint:
  // v(z) − φ₀ − z_last·Δ = Σ_{j<M−1} (z_j − z_last) φ_j
  const P = M - 1;
  const design = masks.map((z) => Array.from({ length: P }, (_, j) => z[j] - z[P]));
  const AtWA = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  for (let k = 0; k < K; k++) {
    const a = design[k];
    for (let r = 0; r < P; r++) {
      if (a[r] === 0) continue;
      for (let c = 0; c < P; c++) AtWA[r][c] += weights[k] * a[r] * a[c];
    }
  }
  // tiny relative ridge: guards against a sampled coalition set that never separates two features
  const ridge = 1e-12 * Math.max(...AtWA.map((row, r) => row[r]));
  for (let r = 0; r < P; r++) AtWA[r][r] += ridge;

  const phi: number[][] = [];
  for (let i = 0; i < X.length; i++) {
    const x = X[i];
    const rows: number[][] = [];
    for (const z of featureMasks) {
      for (const b of background) rows.push(b.map((bv, j) => (z[j] ? x[j] : bv)));
    }
    const p = model.predict(rows);
    const delta = fx[i] - base;
    const AtWb = new Array<number>(P).fill(0);
    for (let k = 0; k < K; k++) {
      let v = 0;
      for (let q = 0; q < B; q++) v += p[k * B + q];
      const t = v / B - base - masks[k][P] * delta;
      for (let r = 0; r < P; r++) AtWb[r] += weights[k] * design[k][r] * t;
    }
    const sol = solveLinear(AtWA, AtWb, 1e-300);
    if (!sol) throw new Error('kernelShap: singular weighted least-squares system');
    sol.push(delta - sol.reduce((a, b) => a + b, 0));
    phi.push(sol);
  }
  return { phi, base, fx, coalitions: K, exact };
}

/** Groups must cover each feature index 0 … d−1 exactly once. */
function checkPartition(groups: readonly (readonly number[])[], d: number): void {
  const seen = new Uint8Array(d);
  for (const g of groups) {
    if (g.length === 0) throw new Error('kernelShap: empty feature group');
    for (const j of g) {
      if (!(j >= 0 && j < d) || seen[j]) throw new Error(`kernelShap: feature ${j} is out of range or in two groups`);
      seen[j] = 1;
    }
  }
  if (seen.some((v) => v === 0)) throw new Error('kernelShap: the groups leave a feature out');
}

export interface ShapFeatureSummary {
  feature: number;
  /** Global importance: mean |φ_j| over the explained samples. */
  meanAbs: number;
  /** Pearson r between the feature value and its φ; its sign is the "sign of effect". */
  correlation: number;
  sign: -1 | 0 | 1;
}

/** Per-feature summary of SHAP values, sorted by decreasing mean |φ|. */
export function shapSummary(phi: number[][], X: number[][]): ShapFeatureSummary[] {
  const M = phi[0].length;
  const out: ShapFeatureSummary[] = [];
  for (let j = 0; j < M; j++) {
    const pj = phi.map((r) => r[j]);
    const xj = X.map((r) => r[j]);
    const corr = pearson(xj, pj);
    out.push({ feature: j, meanAbs: mean(pj.map(Math.abs)), correlation: corr, sign: corr > 0 ? 1 : corr < 0 ? -1 : 0 });
  }
  return out.sort((a, b) => b.meanAbs - a.meanAbs);
}
