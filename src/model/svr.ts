/**
 * ε-support-vector regression with an RBF kernel, trained by libsvm
 * (npm `libsvm-js`, WebAssembly build: about 2× faster than its asm.js build
 * in Node 20, measured 0.79 s vs 1.67 s for 1500×100).
 *
 * Design:
 * - Features are standardised inside the estimator (option `standardize`,
 *   default true) so `gamma` has the same meaning whatever the feature units;
 *   the default gamma is 1/d on standardised features (libsvm's own default).
 * - libsvm is used only to *train*. The fitted model (support vectors, dual
 *   coefficients, offset) is copied out and the wasm memory freed at once;
 *   prediction f(x) = Σ_i α_i exp(−γ‖x − sv_i‖²) + b runs in plain JS. Reasons:
 *   libsvm-js's text serialisation keeps only 8 significant digits for the
 *   support vectors and 6 for rho, and its `SVM.load` returns NaN for models
 *   larger than its 5 MB wasm stack (the model string is copied onto the
 *   stack). Our JSON keeps full doubles, so load→predict is bit-identical.
 * - libsvm's ε-SVR solver is deterministic; `seed` is kept for API symmetry.
 */
import { createRequire } from 'node:module';
import { checkXy, finiteNumber, finiteNumbers, type Regressor, type RegressorJSON } from './estimator.ts';
import { StandardScaler, type StandardScalerJSON } from './scaler.ts';

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
  /** libsvm stopping tolerance (default 1e-3). */
  tolerance?: number;
  /** libsvm kernel cache in MB (default 200). */
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

/**
 * f(x) = Σ_k α_k exp(−γ‖x − sv_k‖²) + b, with ‖x − sv‖² = ‖x‖² + ‖sv‖² − 2x·sv and the
 * dot product unrolled by four: about 1.4× faster than summing squared differences.
 */
export function rbfPredict(m: RbfExpansion, X: readonly (readonly number[])[]): number[] {
  const { d, gamma, sv, coef, b } = m;
  const nSV = coef.length;
  const svNorm = new Float64Array(nSV);
  for (let k = 0; k < nSV; k++) {
    let s = 0;
    for (let j = 0, o = k * d; j < d; j++) s += sv[o + j] * sv[o + j];
    svNorm[k] = s;
  }
  const out = new Array<number>(X.length);
  const x = new Float64Array(d);
  for (let i = 0; i < X.length; i++) {
    let xNorm = 0;
    for (let j = 0; j < d; j++) {
      x[j] = X[i][j];
      xNorm += x[j] * x[j];
    }
    let s = 0;
    for (let k = 0; k < nSV; k++) {
      const o = k * d;
      let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        d0 += x[j] * sv[o + j];
        d1 += x[j + 1] * sv[o + j + 1];
        d2 += x[j + 2] * sv[o + j + 2];
        d3 += x[j + 3] * sv[o + j + 3];
      }
      for (; j < d; j++) d0 += x[j] * sv[o + j];
      const dist2 = Math.max(0, xNorm + svNorm[k] - 2 * (d0 + d1 + d2 + d3));
      s += coef[k] * Math.exp(-gamma * dist2);
    }
    out[i] = s + b;
  }
  return out;
}

/** Train libsvm ε-SVR on (already scaled) data and extract the RBF expansion. */
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
    const Xs = this.scaler ? this.scaler.transform(X) : X;
    const d = X[0].length;
    this.model = await trainRbfSVR(Xs, y, {
      C: this.options.C ?? 10,
      gamma: this.options.gamma ?? 1 / d,
      epsilon: this.options.epsilon ?? 0.05,
      tolerance: this.options.tolerance,
      cacheSizeMB: this.options.cacheSizeMB,
    });
  }

  /** Nothing to free: the wasm model is freed right after training. */
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
