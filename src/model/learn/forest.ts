/**
 * Random-forest regression (Breiman 2001): bootstrap-bagged CART trees with
 * a random subset of `maxFeatures` candidate features at every split,
 * variance-reduction splits, leaves = mean target.
 *
 * Own implementation rather than npm `ml-random-forest`: that package draws
 * one feature subset per *tree* (random subspace, not per split) and its
 * ml-cart split search is quadratic in node size — measured 56 s (maxFeatures
 * 0.33) to 168 s (1.0) for 50 trees on 1200×100 here, far too slow for 20×5 CV.
 * This version bins each feature into ≤ `maxBins` quantile bins once (as
 * LightGBM / scikit-learn's HistGradientBoosting do) so a split search is
 * O(node size + bins); thresholds are real midpoints between observed values,
 * so with ≤ maxBins distinct values per feature the splits are exact CART splits.
 */
import { finiteNumbers, checkXy, type Regressor, type RegressorJSON } from './estimator.ts';
import { createRng, type Rng } from './random.ts';
import { RF_PARAMS } from './regressorParams.ts';
import { defaults } from '../../util/params.ts';

export interface RandomForestOptions {
  nEstimators?: number;
  /** Candidate features per split: fraction in (0, 1] of d, or an integer count ≥ 1. Default 1.0 (scikit-learn's default for regression). */
  maxFeatures?: number;
  maxDepth?: number;
  minSamplesSplit?: number;
  minSamplesLeaf?: number;
  /** Bootstrap resampling of rows per tree (default true). */
  bootstrap?: boolean;
  maxBins?: number;
  seed?: number;
}

/** One tree in flat arrays; feature −1 marks a leaf. */
interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface RandomForestJSON extends RegressorJSON {
  kind: 'RandomForest';
  options: Required<RandomForestOptions>;
  d: number;
  trees: Tree[];
}

const DEFAULTS: Required<RandomForestOptions> = {
  ...defaults(RF_PARAMS),
  minSamplesSplit: 2,
  bootstrap: true,
  maxBins: 255,
  seed: 0,
};

/** Per-feature bin edges: value v falls in bin = #(edges < v)... edges are split thresholds. */
function binEdges(values: Float64Array, maxBins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const uniq: number[] = [];
  for (const v of sorted) if (uniq.length === 0 || v !== uniq[uniq.length - 1]) uniq.push(v);
  if (uniq.length <= maxBins) {
    const e: number[] = [];
    for (let i = 0; i + 1 < uniq.length; i++) e.push((uniq[i] + uniq[i + 1]) / 2);
    return e;
  }
  // quantile cut points, each placed midway between neighbouring distinct values
  const e: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    const q = sorted[Math.floor((b * sorted.length) / maxBins)];
    const k = uniq.indexOf(q);
    if (k > 0) {
      const t = (uniq[k - 1] + uniq[k]) / 2;
      if (e.length === 0 || t > e[e.length - 1]) e.push(t);
    }
  }
  return e;
}

/** Index of the first edge ≥ v (so v ≤ edge[bin] and v > edge[bin−1]). */
function binOf(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Binned {
  n: number;
  d: number;
  /** bins[j][i] = bin of sample i in feature j (column-major for cache-friendly histograms). */
  bins: Uint8Array[] | Uint16Array[];
  edges: number[][];
}

function binMatrix(X: number[][], maxBins: number): Binned {
  const n = X.length;
  const d = X[0].length;
  const edges: number[][] = [];
  const bins: Uint16Array[] = [];
  const col = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = X[i][j];
    const e = binEdges(col, maxBins);
    edges.push(e);
    const b = new Uint16Array(n);
    for (let i = 0; i < n; i++) b[i] = binOf(e, col[i]);
    bins.push(b);
  }
  return { n, d, bins, edges };
}

function buildTree(data: Binned, y: readonly number[], rows: Int32Array, o: Required<RandomForestOptions>, mtry: number, rng: Rng): Tree {
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const nb = Math.max(...data.edges.map((e) => e.length)) + 1;
  const hSum = new Float64Array(nb);
  const hCnt = new Int32Array(nb);
  const codes = new Int32Array(rows.length);
  const features = Array.from({ length: data.d }, (_, j) => j);

  const newNode = (value: number): number => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(value);
    return tree.value.length - 1;
  };

  // iterative depth-first build over segments [lo, hi) of `rows`
  const stack: { node: number; lo: number; hi: number; depth: number }[] = [];
  const meanOf = (lo: number, hi: number): number => {
    let s = 0;
    for (let i = lo; i < hi; i++) s += y[rows[i]];
    return s / (hi - lo);
  };
  stack.push({ node: newNode(meanOf(0, rows.length)), lo: 0, hi: rows.length, depth: 0 });

  while (stack.length > 0) {
    const { node, lo, hi, depth } = stack.pop()!;
    const n = hi - lo;
    if (n < o.minSamplesSplit || n < 2 * o.minSamplesLeaf || depth >= o.maxDepth) continue;
    let total = 0;
    let allSame = true;
    const y0 = y[rows[lo]];
    for (let i = lo; i < hi; i++) {
      total += y[rows[i]];
      if (y[rows[i]] !== y0) allSame = false;
    }
    if (allSame) continue;
    // maximise S_L²/n_L + S_R²/n_R  ⇔  minimise the within-child sum of squares
    const parentScore = (total * total) / n;
    let bestGain = 1e-12 * Math.abs(parentScore) + 1e-300;
    let bestF = -1;
    let bestBin = -1;
    // partial Fisher–Yates: the first mtry entries are this node's candidate features
    for (let k = 0; k < mtry; k++) {
      const r = k + rng.int(data.d - k);
      const t = features[k];
      features[k] = features[r];
      features[r] = t;
    }
    for (let k = 0; k < mtry; k++) {
      const f = features[k];
      const nEdges = data.edges[f].length;
      if (nEdges === 0) continue;
      const col = data.bins[f];
      if (4 * n < nEdges && n < 65536) {
        // small node: sorting its n bin codes beats clearing and sweeping all bins
        for (let i = lo; i < hi; i++) codes[i - lo] = (col[rows[i]] << 16) | (i - lo);
        const c = codes.subarray(0, n).sort();
        let sL = 0;
        let nL = 0;
        for (let q = 0; q < n; ) {
          const b = c[q] >>> 16;
          while (q < n && c[q] >>> 16 === b) {
            sL += y[rows[lo + (c[q] & 0xffff)]];
            nL++;
            q++;
          }
          const nR = n - nL;
          if (nR < o.minSamplesLeaf) break;
          if (nL < o.minSamplesLeaf) continue;
          const sR = total - sL;
          const gain = (sL * sL) / nL + (sR * sR) / nR - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestF = f;
            bestBin = b;
          }
        }
        continue;
      }
      hSum.fill(0, 0, nEdges + 1);
      hCnt.fill(0, 0, nEdges + 1);
      for (let i = lo; i < hi; i++) {
        const r = rows[i];
        hSum[col[r]] += y[r];
        hCnt[col[r]]++;
      }
      let sL = 0;
      let nL = 0;
      for (let b = 0; b < nEdges; b++) {
        sL += hSum[b];
        nL += hCnt[b];
        const nR = n - nL;
        if (nL < o.minSamplesLeaf) continue;
        if (nR < o.minSamplesLeaf) break;
        if (hCnt[b] === 0) continue; // same partition as the previous edge
        const sR = total - sL;
        const gain = (sL * sL) / nL + (sR * sR) / nR - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestF = f;
          bestBin = b;
        }
      }
    }
    if (bestF < 0) continue;
    // partition rows[lo, hi) so that bin ≤ bestBin comes first
    const col = data.bins[bestF];
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      if (col[rows[i]] <= bestBin) i++;
      else {
        const t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
        j--;
      }
    }
    const mid = i;
    tree.feature[node] = bestF;
    tree.threshold[node] = data.edges[bestF][bestBin];
    const l = newNode(meanOf(lo, mid));
    const r = newNode(meanOf(mid, hi));
    tree.left[node] = l;
    tree.right[node] = r;
    stack.push({ node: r, lo: mid, hi, depth: depth + 1 });
    stack.push({ node: l, lo, hi: mid, depth: depth + 1 });
  }
  return tree;
}

function predictTree(t: Tree, x: readonly number[]): number {
  let node = 0;
  while (t.feature[node] >= 0) node = x[t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
  return t.value[node];
}

export class RandomForest implements Regressor {
  readonly options: Required<RandomForestOptions>;
  private trees: Tree[] = [];
  private d = 0;

  constructor(options: RandomForestOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    if (this.options.maxBins > 65535) throw new Error('maxBins must be ≤ 65535');
  }

  async fit(X: number[][], y: number[]): Promise<void> {
    checkXy(X, y);
    const o = this.options;
    this.d = X[0].length;
    const mf = o.maxFeatures;
    const mtry = Math.max(1, Math.min(this.d, mf <= 1 ? Math.round(mf * this.d) : Math.floor(mf)));
    const data = binMatrix(X, o.maxBins);
    const rng = createRng(o.seed);
    const n = X.length;
    this.trees = [];
    for (let t = 0; t < o.nEstimators; t++) {
      const treeRng = createRng(rng.seed());
      const rows = new Int32Array(n);
      for (let i = 0; i < n; i++) rows[i] = o.bootstrap ? treeRng.int(n) : i;
      this.trees.push(buildTree(data, y, rows, o, mtry, treeRng));
    }
  }

  predict(X: number[][]): number[] {
    if (this.trees.length === 0) throw new Error('RandomForest.predict before fit');
    checkXy(X, undefined, this.d);
    return X.map((x) => {
      let s = 0;
      for (const t of this.trees) s += predictTree(t, x);
      return s / this.trees.length;
    });
  }

  /** Per-tree predictions (nTrees × nSamples), e.g. for a spread / uncertainty estimate. */
  predictPerTree(X: number[][]): number[][] {
    return this.trees.map((t) => X.map((x) => predictTree(t, x)));
  }

  /** Plain arrays: nothing to free. */
  dispose(): void {}

  toJSON(): RandomForestJSON {
    if (this.trees.length === 0) throw new Error('RandomForest.toJSON before fit');
    return { kind: 'RandomForest', options: { ...this.options }, d: this.d, trees: this.trees };
  }

  static fromJSON(json: RegressorJSON): RandomForest {
    const j = json as RandomForestJSON;
    if (j.kind !== 'RandomForest') throw new Error(`RandomForest.fromJSON: kind is ${j.kind}`);
    const f = new RandomForest(j.options);
    if (!Number.isInteger(j.d) || j.d < 1 || !Array.isArray(j.trees) || j.trees.length === 0) throw new Error('RandomForest.fromJSON: no trees');
    j.trees.forEach((t, k) => {
      const n = finiteNumbers(t?.value, `tree ${k} values`).length;
      const feature = finiteNumbers(t.feature, `tree ${k} features`, n);
      finiteNumbers(t.threshold, `tree ${k} thresholds`, n);
      const left = finiteNumbers(t.left, `tree ${k} children`, n);
      const right = finiteNumbers(t.right, `tree ${k} children`, n);
      // a split node must name a feature and point at nodes of this tree
      feature.forEach((fi, i) => {
        if (fi >= 0 && (fi >= j.d || !(left[i] > i && left[i] < n && right[i] > i && right[i] < n))) throw new Error(`tree ${k} node ${i} is malformed`);
      });
    });
    f.d = j.d;
    f.trees = j.trees;
    return f;
  }
}
