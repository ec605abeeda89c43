/**
 * ε-support-vector regression with an RBF kernel.
 *
 * Design:
 * - Features are standardised inside the estimator (option `standardize`,
 *   default true) so `gamma` has the same meaning whatever the feature units;
 *   the default gamma is 1/d on standardised features (libsvm's own default).
 * - Training: our SMO (src/model/smo.ts, libsvm's algorithm) on the kernel matrix of the
 *   training rows (src/model/kernel.ts). libsvm-js (WebAssembly) trained it before and
 *   stays as the cross-check of the solver (`trainRbfSVR`, test/smo.test.ts): same
 *   support vectors, dual objective equal to ~1e-7 relative.
 * - Prediction f(x) = Σ_i α_i exp(−γ‖x − sv_i‖²) + b in blocks of rows: the products x·sv
 *   of a block by the 2×4-tiled row products (linalg.rowProducts), then one exp per pair.
 * - The solver is deterministic; `seed` is kept for API symmetry.
 * - Cross-validation and grids: `svrCrossValidate` shares one kernel matrix across every
 *   fold, repetition and (C, ε) of a γ.
 */
import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { checkXy, finiteNumber, finiteNumbers, type Regressor, type RegressorJSON } from './estimator.ts';
import { StandardScaler, type StandardScalerJSON } from './scaler.ts';
import { denseRows, KernelMatrix, rowNorms, scaleColumns, SquaredDistances, type DenseRows } from './kernel.ts';
import { fitSVRPrecomputed, restrictDual, solveSvrDual, type SvrDual } from './smo.ts';
import { ArenaLayout, wasmEngine } from '../util/wasm.ts';

interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  predict(samples: number[][]): number[];
  getSVIndices(): number[];
  serializeModel(): string;
  free(): void;
}
interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmModel;
  SVM_TYPES: Record<string, string>;
  KERNEL_TYPES: Record<string, string>;
}

let libsvmPromise: Promise<LibsvmClass> | null = null;

/** Load libsvm-js (wasm) once per process, quietly and without touching process-wide handlers. */
export function loadLibsvm(): Promise<LibsvmClass> {
  if (!libsvmPromise) {
    libsvmPromise = (async () => {
      const require = createRequire(import.meta.url);
      const before = new Set(process.listeners('unhandledRejection'));
      // emscripten first tries fetch() on a file path, fails, prints a warning and falls
      // back to fs; hiding fetch during the synchronous module start goes straight to fs.
      const g = globalThis as { fetch?: unknown };
      const savedFetch = g.fetch;
      g.fetch = undefined;
      let mod: Promise<LibsvmClass>;
      try {
        mod = require('libsvm-js/wasm') as Promise<LibsvmClass>;
      } finally {
        g.fetch = savedFetch;
        // emscripten installs an unhandledRejection handler that calls process.exit(1): remove it
        for (const l of process.listeners('unhandledRejection')) {
          if (!before.has(l)) process.removeListener('unhandledRejection', l);
        }
      }
      return await mod;
    })();
  }
  return libsvmPromise;
}

export interface SVRParams {
  /** Penalty C (libsvm `cost`). */
  C: number;
  /** RBF width γ in exp(−γ‖x−x'‖²); default 1/d. */
  gamma?: number;
  /** Half-width of the ε-insensitive tube, in target units. */
  epsilon: number;
}

export interface SVROptions extends Partial<SVRParams> {
  standardize?: boolean;
  /** Stopping tolerance on the maximal KKT violation, libsvm's `-e` (default 1e-3). */
  tolerance?: number;
  /** libsvm's kernel cache in MB: only the libsvm-js cross-check reads it (kept so saved options load). */
  cacheSizeMB?: number;
  seed?: number;
}

/** A trained RBF expansion: everything needed to predict. */
export interface RbfExpansion {
  d: number;
  gamma: number;
  /** Support vectors, row-major, nSV × d (in the model's input space). */
  sv: Float64Array;
  coef: Float64Array;
  /** Constant term (= −rho in libsvm's notation). */
  b: number;
}

/** Rows per block of a batched prediction: the block's kernel values (rows × nSV) stay in cache. */
const PREDICT_BLOCK = 256;

/**
 * f(x) = Σ_k α_k exp(−γ‖x − sv_k‖²) + b, with ‖x − sv‖² = ‖x‖² + ‖sv‖² − 2x·sv, in the wasm
 * module (rbf_expansion in src/util/wasm.c): the products x·sv of a block of rows by the
 * SIMD row products, then a vectorised exp (Math.exp was two thirds of the time: 11.7 → see
 * scripts/BENCHMARKS.md). The support vectors are copied into the module once per call.
 */
export function rbfPredict(m: RbfExpansion, X: readonly (readonly number[])[] | DenseRows): number[] {
  const { d, gamma, sv, coef, b } = m;
  const nSV = coef.length;
  const rows = 'data' in X ? X : denseRows(X as number[][]);
  if (rows.rows === 0) return [];
  const block = Math.min(PREDICT_BLOCK, rows.rows);
  const layout = new ArenaLayout();
  const parts = [layout.f64(nSV * d), layout.f64(nSV), layout.f64(nSV), layout.f64(block * d), layout.f64(block * nSV), layout.f64(block)];
  const { offsets, views } = layout.allocate();
  const [svV, normV, coefV, xV, , outV] = parts.map((k) => views[k] as Float64Array);
  svV.set(sv);
  normV.set(rowNorms({ rows: nSV, cols: d, data: sv }));
  coefV.set(coef);
  const w = wasmEngine();
  const out = new Array<number>(rows.rows);
  for (let i0 = 0; i0 < rows.rows; i0 += block) {
    const m0 = Math.min(block, rows.rows - i0);
    xV.set(rows.data.subarray(i0 * d, (i0 + m0) * d));
    w.rbf_expansion(m0, nSV, d, offsets[3], offsets[0], offsets[1], offsets[2], -gamma, b, offsets[4], offsets[5]);
    for (let r = 0; r < m0; r++) out[i0 + r] = outV[r];
  }
  return out;
}

/** Fit ε-SVR by our SMO on (already scaled) rows and keep the RBF expansion of the support vectors. */
export function fitRbfSVR(X: DenseRows, y: readonly number[], p: { C: number; gamma: number; epsilon: number; tolerance?: number }): RbfExpansion {
  const K = KernelMatrix.rbf(X, p.gamma);
  const train = Int32Array.from({ length: X.rows }, (_, i) => i);
  const sol = solveSvrDual(K, y, train, { C: p.C, epsilon: p.epsilon, tolerance: p.tolerance });
  const d = X.cols;
  const support = [...sol.beta.keys()].filter((k) => sol.beta[k] !== 0);
  const sv = new Float64Array(support.length * d);
  support.forEach((r, k) => sv.set(X.data.subarray(r * d, (r + 1) * d), k * d));
  return { d, gamma: p.gamma, sv, coef: Float64Array.from(support, (r) => sol.beta[r]), b: sol.b };
}

/** Train libsvm-js ε-SVR on (already scaled) data and extract the RBF expansion: the cross-check of our solver. */
export async function trainRbfSVR(
  X: number[][],
  y: number[],
  p: { C: number; gamma: number; epsilon: number; tolerance?: number; cacheSizeMB?: number },
): Promise<RbfExpansion> {
  const SVM = await loadLibsvm();
  const d = X[0].length;
  const svm = new SVM({
    type: SVM.SVM_TYPES.EPSILON_SVR,
    kernel: SVM.KERNEL_TYPES.RBF,
    cost: p.C,
    gamma: p.gamma,
    epsilon: p.epsilon,
    tolerance: p.tolerance ?? 1e-3,
    cacheSize: p.cacheSizeMB ?? 200,
    shrinking: true,
    quiet: true,
  });
  try {
    svm.train(X, y);
    const idx = svm.getSVIndices();
    const coef = parseSvCoefficients(svm.serializeModel(), idx.length);
    const sv = new Float64Array(idx.length * d);
    idx.forEach((r, k) => sv.set(X[r], k * d));
    const m: RbfExpansion = { d, gamma: p.gamma, sv, coef, b: 0 };
    // The printed rho has 6 digits only: recover the offset from libsvm's own predictions.
    const probe = X.slice(0, Math.min(9, X.length));
    const lib = svm.predict(probe);
    const ours = rbfPredict(m, probe);
    const offsets = lib.map((v, i) => v - ours[i]).sort((a, b) => a - b);
    m.b = offsets[Math.floor(offsets.length / 2)];
    return m;
  } finally {
    svm.free();
  }
}

/** First token of every line after "SV" in libsvm's model text = the dual coefficient α_i. */
function parseSvCoefficients(text: string, nSV: number): Float64Array {
  const start = text.indexOf('\nSV\n');
  if (start < 0) throw new Error('libsvm model text has no SV section');
  const coef = new Float64Array(nSV);
  let pos = start + 4;
  for (let k = 0; k < nSV; k++) {
    const sp = text.indexOf(' ', pos);
    const nl = text.indexOf('\n', pos);
    const end = sp >= 0 && (nl < 0 || sp < nl) ? sp : nl;
    coef[k] = Number(text.slice(pos, end));
    if (!Number.isFinite(coef[k])) throw new Error(`bad SV coefficient at SV ${k}`);
    pos = text.indexOf('\n', pos) + 1;
  }
  return coef;
}

export interface SVRJSON extends RegressorJSON {
  kind: 'SVR';
  options: SVROptions;
  scaler: StandardScalerJSON | null;
  d: number;
  gamma: number;
  b: number;
  coef: number[];
  sv: number[][];
}

export class SVR implements Regressor {
  readonly options: SVROptions;
  private scaler: StandardScaler | null = null;
  private model: RbfExpansion | null = null;

  constructor(options: SVROptions = {}) {
    this.options = { C: 10, epsilon: 0.05, standardize: true, seed: 0, ...options };
  }

  get nSupportVectors(): number {
    return this.model?.coef.length ?? 0;
  }

  async fit(X: number[][], y: number[]): Promise<void> {
    checkXy(X, y);
    this.scaler = this.options.standardize ? new StandardScaler().fit(X) : null;
    const Xs = denseRows(this.scaler ? this.scaler.transform(X) : X);
    this.model = fitRbfSVR(Xs, y, {
      C: this.options.C ?? 10,
      gamma: this.options.gamma ?? 1 / Xs.cols,
      epsilon: this.options.epsilon ?? 0.05,
      tolerance: this.options.tolerance,
    });
  }

  /** Nothing to free: the model is plain typed arrays. */
  dispose(): void {}

  predict(X: number[][]): number[] {
    if (!this.model) throw new Error('SVR.predict before fit');
    checkXy(X, undefined, this.model.d);
    return rbfPredict(this.model, this.scaler ? this.scaler.transform(X) : X);
  }

  toJSON(): SVRJSON {
    const m = this.model;
    if (!m) throw new Error('SVR.toJSON before fit');
    const sv: number[][] = [];
    for (let k = 0; k < m.coef.length; k++) sv.push(Array.from(m.sv.subarray(k * m.d, (k + 1) * m.d)));
    return {
      kind: 'SVR',
      options: { ...this.options },
      scaler: this.scaler ? this.scaler.toJSON() : null,
      d: m.d,
      gamma: m.gamma,
      b: m.b,
      coef: Array.from(m.coef),
      sv,
    };
  }

  static fromJSON(json: RegressorJSON): SVR {
    const j = json as SVRJSON;
    if (j.kind !== 'SVR') throw new Error(`SVR.fromJSON: kind is ${j.kind}`);
    const s = new SVR(j.options);
    if (!Number.isInteger(j.d) || j.d < 1) throw new Error('SVR.fromJSON: d must be a positive integer');
    s.scaler = j.scaler ? StandardScaler.fromJSON(j.scaler) : null;
    if (s.scaler && s.scaler.toJSON().mean.length !== j.d) throw new Error('SVR.fromJSON: scaler width differs from d');
    const coef = finiteNumbers(j.coef, 'SVR coefficients');
    if (!Array.isArray(j.sv) || j.sv.length !== coef.length) throw new Error('SVR.fromJSON: one support vector per coefficient expected');
    const sv = new Float64Array(coef.length * j.d);
    j.sv.forEach((row, k) => sv.set(finiteNumbers(row, `support vector ${k}`, j.d), k * j.d));
    s.model = { d: j.d, gamma: finiteNumber(j.gamma, 'SVR gamma', true), b: finiteNumber(j.b, 'SVR offset'), coef: Float64Array.from(coef), sv };
    return s;
  }
}

/** One hyper-parameter point; γ absolute, on the scaled features. */
export interface SvrPoint {
  C: number;
  epsilon: number;
  gamma: number;
}

/** The (C, ε, γ) values of a grid; every combination is one point. */
export interface SvrGrid {
  C: readonly number[];
  epsilon: readonly number[];
  /** Absolute γ on the scaled features. */
  gamma: readonly number[];
}

export interface SvrCVOptions {
  /** Every row any split trains on or predicts (samples, anchor rows, extra rows to predict). */
  X: readonly (readonly number[])[];
  /** Targets by row; rows that are never in a training list may be NaN. */
  y: readonly number[];
  /**
   * Targets by row for split k, when they differ between splits (e.g. the transfer family's
   * interaction model learns residuals of a per-fold single-site model); overrides `y` for that
   * split. The kernels do not depend on the targets, so they are still shared.
   */
  splitTargets?: readonly (readonly number[])[];
  /** Index lists into X: each split trains on `train` and predicts `test`. */
  splits: readonly { readonly train: readonly number[]; readonly test: readonly number[] }[];
  /** Every combination of these values is a point … */
  grid?: SvrGrid;
  /** … or these points, in this order (e.g. the survivors of a successive-halving rung). One of the two. */
  points?: readonly SvrPoint[];
  /**
   * 'fold' (default, = SVR.fit per fold): features standardised on each split's training
   * rows, one distance matrix per split; 'global': standardised once on all rows of X, one
   * distance matrix for everything (on the α data, 20 × 5 CV: CV MAE −0.008 ± 0.016 meV
   * against 'fold', i.e. no change beyond noise, and 12 % less CPU); 'none': raw features.
   */
  standardize?: 'fold' | 'global' | 'none';
  tolerance?: number;
  /**
   * Start each (C, ε) of a split from its neighbour on the path (C ascending). Default false:
   * on the α data it saved 9 % of the iterations of a 36-point grid and no CPU time (the SMO's
   * tail, not its start, is the cost), and without it every point equals an independent SVR.fit.
   */
  warmStart?: boolean;
  /**
   * Start each split's first fit from a fit on the union of all training rows restricted
   * to the split (restrictDual). Default false: the start holds information on the split's
   * test rows, bounded by the solver tolerance; on the α data (20 × 5 CV) it saved 15 % of
   * the CPU time and moved the CV MAE by +0.030 ± 0.003 meV (scripts/BENCHMARKS.md).
   */
  alphaSeeding?: boolean;
  /** Run only these splits (indices into `splits`); the others' predictions stay empty. For svrCrossValidateParallel. */
  only?: readonly number[];
  onProgress?: (done: number, total: number) => void;
}

export interface SvrCVPoint {
  C: number;
  epsilon: number;
  gamma: number;
  /** Per split, the predictions of its `test` rows in that order. */
  predictions: Float64Array[];
  /** Per split: SMO iterations and fit seconds (kernel excluded). */
  iterations: number[];
  seconds: number[];
}

export interface SvrCVResult {
  /** One per point: `points` in their order, or the grid's combinations with C outermost, then γ, then ε (search.ts expandGrid order of {C, gamma, epsilon}). */
  points: SvrCVPoint[];
  /** Seconds in distance and kernel matrices, in fits and predictions, in all. */
  seconds: { kernel: number; fit: number; total: number };
}

/**
 * Cross-validated ε-SVR over a (C, ε, γ) grid or list of points on shared kernel matrices: per γ
 * one kernel (per split with 'fold' scaling), every split and (C, ε) trains on index lists into it.
 * Anchor rows (e.g. pristine cells at energy 0) go in every split's `train`; extra rows to
 * predict go in its `test`: all are rows of X.
 */
export function svrCrossValidate(o: SvrCVOptions): SvrCVResult {
  const t0 = performance.now();
  const mode = o.standardize ?? 'fold';
  const warm = o.warmStart ?? false;
  const { splits, y } = o;
  if (o.X.length !== y.length) throw new RangeError(`svrCrossValidate: ${o.X.length} rows but ${y.length} targets`);
  if (o.splitTargets) {
    if (o.splitTargets.length !== splits.length) throw new RangeError(`svrCrossValidate: ${o.splitTargets.length} target lists for ${splits.length} splits`);
    o.splitTargets.forEach((t, k) => {
      if (t.length !== o.X.length) throw new RangeError(`svrCrossValidate: split ${k} has ${t.length} targets for ${o.X.length} rows`);
    });
    if (o.alphaSeeding) throw new RangeError('svrCrossValidate: alpha seeding needs one target per row for all splits');
  }
  checkXy(o.X);
  const points = cvPoints(o);
  const raw = denseRows(o.X);
  // per γ, its points along the path: C ascending, ε in order of appearance
  const gammas = [...new Set(points.map((p) => p.gamma))];
  const path = new Map(gammas.map((g) => [g, points.filter((p) => p.gamma === g).sort((a, b) => a.C - b.C)]));
  const run = o.only ? [...o.only] : splits.map((_, i) => i);
  const total = points.length * run.length;
  let done = 0;
  let kernelSeconds = 0;
  let fitSeconds = 0;
  const scaled = (rows: readonly number[] | null): DenseRows => {
    if (mode === 'none') return raw;
    const s = new StandardScaler().fit(rows ? rows.map((i) => o.X[i]) : o.X);
    return scaleColumns(raw, s.mean, s.scale);
  };
  let K: KernelMatrix | undefined;
  const seeds = new Map<number, SvrDual>();
  const unionTrain = o.alphaSeeding ? [...new Set(splits.flatMap((s) => s.train))].sort((a, b) => a - b) : [];
  /** All points of one γ on the splits `which`, on kernel K. */
  const runSplits = (gamma: number, which: number[]): void => {
    const along = path.get(gamma)!;
    for (const si of which) {
      const split = splits[si];
      let seed: SvrDual | undefined;
      if (o.alphaSeeding) {
        // one fit on the union of the training rows per γ, on the first kernel of that γ
        let full = seeds.get(gamma);
        if (!full) {
          const t = performance.now();
          full = solveSvrDual(K!, y, unionTrain, { C: along[0].C, epsilon: along[0].epsilon, tolerance: o.tolerance });
          fitSeconds += (performance.now() - t) / 1000;
          seeds.set(gamma, full);
        }
        seed = restrictDual(full, split.train) ?? undefined;
      }
      const lastAtEps = new Map<number, SvrDual>();
      let previous: SvrDual | undefined = seed;
      for (const p of along) {
        const t = performance.now();
        const start = warm ? (lastAtEps.get(p.epsilon) ?? previous) : seed;
        const m = fitSVRPrecomputed(K!, o.splitTargets?.[si] ?? y, split.train, { C: p.C, epsilon: p.epsilon, tolerance: o.tolerance }, start);
        const pred = m.predictRows(split.test);
        const dt = (performance.now() - t) / 1000;
        fitSeconds += dt;
        p.predictions[si] = pred;
        p.iterations[si] = m.dual.iterations;
        p.seconds[si] = dt;
        lastAtEps.set(p.epsilon, m.dual);
        previous = m.dual;
        o.onProgress?.(++done, total);
      }
    }
  };
  const timeKernel = <T>(f: () => T): T => {
    const t = performance.now();
    const v = f();
    kernelSeconds += (performance.now() - t) / 1000;
    return v;
  };
  if (mode === 'fold') {
    for (const si of run) {
      const D2 = timeKernel(() => SquaredDistances.of(scaled(splits[si].train as number[])));
      for (const gamma of gammas) {
        K = timeKernel(() => KernelMatrix.fromSquaredDistances(D2, gamma, K));
        runSplits(gamma, [si]);
      }
    }
  } else {
    const D2 = timeKernel(() => SquaredDistances.of(scaled(null)));
    for (const gamma of gammas) {
      K = timeKernel(() => KernelMatrix.fromSquaredDistances(D2, gamma, K));
      runSplits(gamma, run);
    }
  }
  return { points, seconds: { kernel: kernelSeconds, fit: fitSeconds, total: (performance.now() - t0) / 1000 } };
}

/** The result points of a CV: the explicit list or the grid's combinations; distinct and valid. */
function cvPoints(o: SvrCVOptions): SvrCVPoint[] {
  if (!o.grid === !o.points) throw new RangeError('svrCrossValidate: give either a grid or a list of points');
  const list: SvrPoint[] = [];
  if (o.grid) {
    for (const [name, v] of Object.entries(o.grid)) if ((v as number[]).length === 0) throw new RangeError(`svrCrossValidate: grid ${name} is empty`);
    for (const C of o.grid.C) for (const gamma of o.grid.gamma) for (const epsilon of o.grid.epsilon) list.push({ C, epsilon, gamma });
  } else list.push(...o.points!);
  if (list.length === 0) throw new RangeError('svrCrossValidate: no points');
  const seen = new Set<string>();
  for (const p of list) {
    const key = `${p.C} ${p.epsilon} ${p.gamma}`;
    if (seen.has(key)) throw new RangeError(`svrCrossValidate: point C=${p.C}, ε=${p.epsilon}, γ=${p.gamma} given twice`);
    seen.add(key);
  }
  return list.map((p) => ({ C: p.C, epsilon: p.epsilon, gamma: p.gamma, predictions: [], iterations: [], seconds: [] }));
}

/**
 * svrCrossValidate with the splits shared round-robin among `threads` worker threads (each its
 * own kernels and wasm memory). Every split is computed exactly as on one thread, so the
 * predictions do not depend on the thread count. `onProgress` is not called.
 */
export async function svrCrossValidateParallel(o: SvrCVOptions, threads: number): Promise<SvrCVResult> {
  const W = Math.min(Math.max(1, Math.floor(threads)), o.splits.length);
  if (W <= 1) return svrCrossValidate(o);
  const t0 = performance.now();
  const { onProgress: _, ...job } = o;
  // workers do not inherit tsx's loader: register it inside, then load this module (as src/predict/parallel.ts)
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const parts = await Promise.all(
    Array.from({ length: W }, (_, k) => {
      const only = o.splits.map((_s, i) => i).filter((i) => i % W === k);
      return new Promise<SvrCVResult>((resolve, reject) => {
        const w = new Worker(boot, { eval: true, workerData: { svrCV: { ...job, only } } });
        w.once('message', (m: SvrCVResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
        w.once('error', reject);
      });
    }),
  );
  const merged = parts[0];
  for (const part of parts.slice(1))
    part.points.forEach((p, pi) => {
      const into = merged.points[pi];
      p.predictions.forEach((pred, si) => {
        if (!pred) return;
        into.predictions[si] = pred;
        into.iterations[si] = p.iterations[si];
        into.seconds[si] = p.seconds[si];
      });
    });
  return {
    points: merged.points,
    seconds: {
      kernel: parts.reduce((s, p) => s + p.seconds.kernel, 0),
      fit: parts.reduce((s, p) => s + p.seconds.fit, 0),
      total: (performance.now() - t0) / 1000,
    },
  };
}

if (!isMainThread && workerData?.svrCV) {
  try {
    parentPort!.postMessage(svrCrossValidate(workerData.svrCV as SvrCVOptions));
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
}
