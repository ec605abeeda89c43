/**
 * ε-support-vector regression with an RBF kernel.
 *
 * Design:
 * - Features are standardised inside the estimator (option `standardize`,
 *   default true) so `gamma` has the same meaning whatever the feature units;
 *   the default gamma is 1/d on standardised features (libsvm's own default).
 * - Training: our SMO (src/model/learn/smo.ts, libsvm's algorithm) on the kernel matrix of the
 *   training rows (src/model/learn/kernel.ts). libsvm-js (WebAssembly) trained it before and
 *   stays as the cross-check of the solver (`trainRbfSVR` in libsvm.ts, test/smo.test.ts): same
 *   support vectors, dual objective equal to ~1e-7 relative.
 * - Prediction f(x) = Σ_i α_i exp(−γ‖x − sv_i‖²) + b in blocks of rows: the products x·sv
 *   of a block by the 2×4-tiled row products (linalg.rowProducts), then one exp per pair.
 * - The solver is deterministic; `seed` is kept for API symmetry.
 * - Cross-validation and grids (svrCV.ts): `svrCrossValidate` shares one kernel matrix across every
 *   fold, repetition and (C, ε) of a γ.
 */
import { checkXy, finiteNumber, finiteNumbers, type Regressor, type RegressorJSON } from './estimator.ts';
import { StandardScaler, type StandardScalerJSON } from './scaler.ts';
import { denseRows, KernelMatrix, rowNorms, type DenseRows } from './kernel.ts';
import { solveSvrDual } from './smo.ts';
import { ArenaLayout, wasmEngine } from '../../util/wasm.ts';
import { SVR_PARAMS } from './regressorParams.ts';

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
    this.options = { C: SVR_PARAMS.C.default, epsilon: SVR_PARAMS.epsilon.default, standardize: true, seed: 0, ...options };
  }

  get nSupportVectors(): number {
    return this.model?.coef.length ?? 0;
  }

  async fit(X: number[][], y: number[]): Promise<void> {
    checkXy(X, y);
    this.scaler = this.options.standardize ? new StandardScaler().fit(X) : null;
    const Xs = denseRows(this.scaler ? this.scaler.transform(X) : X);
    this.model = fitRbfSVR(Xs, y, {
      C: this.options.C!,
      gamma: this.options.gamma ?? SVR_PARAMS.gammaScale.default / Xs.cols,
      epsilon: this.options.epsilon!,
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
