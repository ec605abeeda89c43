/**
 * A Gaussian process built from latent components: each observation is a
 * sparse linear combination of latent function values (an element's on-site
 * energy, a bond's energy, a site's own deviation, an interaction corner …),
 * so that
 *   K = Σ_c C_c K_c C_cᵀ + σ_n² I,
 * where C_c holds the observation's coefficients on component c's latent points
 * and K_c is that component's kernel. The structure of a substitution energy
 * (what each calculation is a sum of) lives in the coefficients; the physics of
 * similarity lives in the kernels. Hyper-parameters (log scale) by maximum
 * marginal likelihood with analytic gradients; predictions with variances;
 * leave-group-out predictions from one factor.
 */
import { cholesky, choleskyInverse, choleskyLogDet, choleskySolve, choleskyWithJitter, expNegative, rowProducts, solveTriangular } from '../../util/linalg.ts';
import { lbfgs } from './optimize.ts';

/** Latent points of a component: feature rows and, for identity kernels, a key per point. */
export interface PointSet {
  n: number;
  dim: number;
  X: Float64Array;
  keys: string[];
  /** A set whose points are the first points of this one (a model conditioned on more data): its distances are reused. */
  parent?: PointSet;
}

/** Coefficients of observations on latent points, as compressed rows. */
export interface Design {
  points: PointSet;
  start: Int32Array;
  index: Int32Array;
  coef: Float64Array;
}

/** Lower and upper bound of a hyper-parameter (natural scale). */
export type Bounds = readonly [number, number];

/** A kernel's hyper-parameter and the box it is fitted in (as scikit-learn's Hyperparameter). */
export interface Hyperparameter {
  name: string;
  bounds: Bounds;
}

/** A kernel family with its hyper-parameters (natural scale), which own their bounds. */
export interface KernelType {
  hyper: readonly Hyperparameter[];
  /** K (A.n × B.n). */
  eval(A: PointSet, B: PointSet, h: readonly number[]): Float64Array;
  /** Σ_p G_p ∂K_p/∂log h_k for each hyper-parameter k, given K = eval(A, B, h). */
  gradient(A: PointSet, B: PointSet, h: readonly number[], K: Float64Array, G: Float64Array): number[];
}

export interface Component {
  name: string;
  kernel: KernelType;
}

export interface GPInputs {
  n: number;
  /** One design per component, in the order of the model's components. */
  designs: Design[];
}

/**
 * Distances of a point set to itself are asked for at every step of the
 * hyper-parameter search: computed once per (set, columns) and kept with the set.
 */
const selfDistances = new WeakMap<PointSet, Map<string, Float64Array>>();
function cachedSqdist(A: PointSet, B: PointSet, cols: readonly number[]): Float64Array {
  if (A !== B) return blockSqdist(A, B, cols);
  let m = selfDistances.get(A);
  if (!m) selfDistances.set(A, (m = new Map()));
  const key = cols.join(',');
  let d = m.get(key);
  if (!d) m.set(key, (d = A.parent && selfDistances.get(A.parent)?.has(key) ? extendSqdist(A, A.parent, selfDistances.get(A.parent)!.get(key)!, cols) : blockSqdist(A, A, cols)));
  return d;
}

/** The distances the search cached, else computed and not kept: evaluating K once (a final fit) holds one block at a time. */
function sqdistOnce(A: PointSet, B: PointSet, cols: readonly number[]): Float64Array {
  return (A === B ? selfDistances.get(A)?.get(cols.join(',')) : undefined) ?? blockSqdist(A, B, cols);
}

/** Self-distances of A from those of its first n0 points: only the new rows and columns are computed. */
function extendSqdist(A: PointSet, parent: PointSet, d0: Float64Array, cols: readonly number[]): Float64Array {
  const n = A.n;
  const n0 = parent.n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n0; i++) out.set(d0.subarray(i * n0, (i + 1) * n0), i * n);
  for (let i = 0; i < n; i++)
    for (let j = Math.max(n0, i); j < n; j++) {
      let t = 0;
      for (const k of cols) {
        const u = A.X[i * A.dim + k] - A.X[j * A.dim + k];
        t += u * u;
      }
      out[i * n + j] = t;
      out[j * n + i] = t;
    }
  return out;
}

/**
 * ‖a − b‖² over the given columns, as ‖a‖² + ‖b‖² − 2 a·b with the products in
 * the WebAssembly row-product kernel (10× the plain loop); round-off can only
 * make a tiny distance negative, so it is clipped at 0 (and a set's own diagonal is 0).
 */
function blockSqdist(A: PointSet, B: PointSet, cols: readonly number[]): Float64Array {
  const c = cols.length;
  const compact = (P: PointSet) => {
    const out = new Float64Array(P.n * c);
    const norms = new Float64Array(P.n);
    for (let i = 0; i < P.n; i++)
      for (let k = 0; k < c; k++) {
        const v = P.X[i * P.dim + cols[k]];
        out[i * c + k] = v;
        norms[i] += v * v;
      }
    return { X: out, norms };
  };
  const a = compact(A);
  const b = A === B ? a : compact(B);
  const out = new Float64Array(A.n * B.n);
  if (c > 0 && A.n > 0 && B.n > 0) rowProducts(a.X, A.n, b.X, B.n, c, out);
  for (let i = 0; i < A.n; i++)
    for (let j = 0; j < B.n; j++) {
      const p = i * B.n + j;
      out[p] = Math.max(0, a.norms[i] + b.norms[j] - 2 * out[p]);
    }
  if (A === B) for (let i = 0; i < A.n; i++) out[i * A.n + i] = 0;
  return out;
}

/**
 * σ² exp(−Σ_b d_b²/2ℓ_b²), one length scale per block of feature columns (ARD
 * by blocks; no block: a constant), optionally zero between points of different
 * keys (an independent function per key). Hyper [σ, ℓ_1 … ℓ_B].
 */
function squaredExponential(blocksOf: (dim: number) => number[][], perKey: boolean, bounds: KernelBounds, nBlocks: number): KernelType {
  const distances = (A: PointSet, B: PointSet) => blocksOf(A.dim).map((cols) => cachedSqdist(A, B, cols));
  const ells = bounds.ell === undefined ? [] : isBounds(bounds.ell) ? Array.from({ length: nBlocks }, () => bounds.ell as Bounds) : (bounds.ell as readonly Bounds[]);
  if (ells.length !== nBlocks) throw new RangeError(`${nBlocks} length scales need ${nBlocks} bounds, got ${ells.length}`);
  return {
    hyper: [{ name: 'sigma', bounds: bounds.sigma }, ...ells.map((b, k) => ({ name: nBlocks === 1 ? 'ell' : `ell${k + 1}`, bounds: b }))],
    // K alone (a fit, a prediction) reads distances block by block; the gradient (the search) caches them
    eval(A, B, [s, ...ells]) {
      const E = new Float64Array(A.n * B.n);
      blocksOf(A.dim).forEach((cols, b) => {
        const db = sqdistOnce(A, B, cols);
        const f = -0.5 / (ells[b] * ells[b]);
        for (let p = 0; p < E.length; p++) E[p] += f * db[p];
      });
      const K = expNegative(E);
      const s2 = s * s;
      for (let i = 0; i < A.n; i++)
        for (let j = 0; j < B.n; j++) {
          const p = i * B.n + j;
          K[p] = perKey && A.keys[i] !== B.keys[j] ? 0 : s2 * K[p];
        }
      return K;
    },
    gradient(A, B, [, ...ells], K, G) {
      const d = distances(A, B);
      let gs = 0;
      const gl = d.map(() => 0);
      for (let p = 0; p < K.length; p++) {
        const w = G[p] * K[p];
        if (w === 0) continue;
        gs += w;
        for (let b = 0; b < d.length; b++) gl[b] += w * d[b][p];
      }
      return [2 * gs, ...gl.map((g, b) => g / ells[b] ** 2)];
    },
  };
}

const columns = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** Bounds of a kernel's amplitude σ and of its length scales (one for all blocks, or one per block). */
export interface KernelBounds {
  sigma: Bounds;
  ell?: Bounds | readonly Bounds[];
}
const isBounds = (b: Bounds | readonly Bounds[]): b is Bounds => typeof b[0] === 'number';

/** σ² exp(−d²/2ℓ²) on the columns [from, to) of the features (all by default); hyper [σ, ℓ]. */
export const rbfKernel = (bounds: KernelBounds, from = 0, to?: number): KernelType => squaredExponential((dim) => [columns(from, to ?? dim)], false, bounds, 1);
/** One length scale per block of columns; hyper [σ, ℓ_1 … ℓ_B]. */
export const blockRbfKernel = (blocks: readonly (readonly number[])[], bounds: KernelBounds): KernelType => squaredExponential(() => blocks.map((b) => [...b]), false, bounds, blocks.length);
/** σ² δ(key, key') exp(−d²/2ℓ²): an independent function per key (site); hyper [σ, ℓ]. */
export const perKeyRbfKernel = (bounds: KernelBounds): KernelType => squaredExponential((dim) => [columns(0, dim)], true, bounds, 1);
/** σ² δ(key, key'): one independent value per key; hyper [σ]. */
export const perKeyConstantKernel = (bounds: KernelBounds): KernelType => squaredExponential(() => [], true, bounds, 0);

/**
 * A kernel over unordered pairs of equal halves [a | b] (element pairs, say), symmetric under
 * swapping either pair's halves: σ² ½[exp(−(|a−c|² + |b−d|²)/2ℓ²) + exp(−(|a−d|² + |b−c|²)/2ℓ²)].
 */
export function symmetricPairKernel(half: number, bounds: KernelBounds): KernelType {
  const swap = (P: PointSet): PointSet => {
    const X = new Float64Array(P.X.length);
    for (let i = 0; i < P.n; i++) {
      X.set(P.X.subarray(i * P.dim + half, (i + 1) * P.dim), i * P.dim);
      X.set(P.X.subarray(i * P.dim, i * P.dim + half), i * P.dim + half);
    }
    return { ...P, X, parent: undefined };
  };
  const all = columns(0, 2 * half);
  const swapped = new WeakMap<PointSet, PointSet>();
  // as squaredExponential: K alone reads the direct distances without keeping them, the gradient caches them
  const distances = (A: PointSet, B: PointSet, direct = cachedSqdist) => {
    let Bs = swapped.get(B);
    if (!Bs) swapped.set(B, (Bs = swap(B)));
    return [direct(A, B, all), blockSqdist(A, Bs, all)];
  };
  return {
    hyper: [
      { name: 'sigma', bounds: bounds.sigma },
      { name: 'ell', bounds: bounds.ell as Bounds },
    ],
    eval(A, B, [s, ell]) {
      const [d1, d2] = distances(A, B, sqdistOnce);
      const f = -0.5 / (ell * ell);
      const K = new Float64Array(d1.length);
      for (let p = 0; p < K.length; p++) K[p] = 0.5 * s * s * (Math.exp(f * d1[p]) + Math.exp(f * d2[p]));
      return K;
    },
    gradient(A, B, [s, ell], K, G) {
      const [d1, d2] = distances(A, B);
      const f = -0.5 / (ell * ell);
      let gs = 0;
      let gl = 0;
      for (let p = 0; p < K.length; p++) {
        if (G[p] === 0) continue;
        gs += G[p] * K[p];
        gl += G[p] * 0.5 * s * s * (Math.exp(f * d1[p]) * d1[p] + Math.exp(f * d2[p]) * d2[p]);
      }
      return [2 * gs, gl / (ell * ell)];
    },
  };
}

/** C_A K C_Bᵀ added into out (|A| × |B|), through R = C_A K first. */
function addProjected(out: Float64Array, A: Design, K: Float64Array, B: Design, nA: number, nB: number): void {
  const m = B.points.n;
  const R = new Float64Array(nA * m);
  for (let i = 0; i < nA; i++)
    for (let p = A.start[i]; p < A.start[i + 1]; p++) {
      const row = A.index[p] * m;
      const c = A.coef[p];
      for (let q = 0; q < m; q++) R[i * m + q] += c * K[row + q];
    }
  for (let i = 0; i < nA; i++)
    for (let j = 0; j < nB; j++) {
      let s = 0;
      for (let q = B.start[j]; q < B.start[j + 1]; q++) s += B.coef[q] * R[i * m + B.index[q]];
      out[i * nB + j] += s;
    }
}

/** Cᵀ W C (points × points) for a symmetric n × n W. */
function pullBack(W: Float64Array, C: Design, n: number): Float64Array {
  const m = C.points.n;
  const WC = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const w = W[i * n + j];
      if (w === 0) continue;
      for (let q = C.start[j]; q < C.start[j + 1]; q++) WC[i * m + C.index[q]] += w * C.coef[q];
    }
  const G = new Float64Array(m * m);
  for (let i = 0; i < n; i++)
    for (let p = C.start[i]; p < C.start[i + 1]; p++) {
      const row = C.index[p] * m;
      const c = C.coef[p];
      for (let q = 0; q < m; q++) G[row + q] += c * WC[i * m + q];
    }
  return G;
}

export type Hyper = Record<string, number>;

/** The noise sd's name among the hyper-parameters. */
export const NOISE = 'sigmaN';

/** Every hyper-parameter of a GP as `component.name` with its bounds, then the noise sd. */
export function hyperparameters(components: readonly Component[], noise: Bounds): Hyperparameter[] {
  return [...components.flatMap((c) => c.kernel.hyper.map((h) => ({ name: `${c.name}.${h.name}`, bounds: h.bounds }))), { name: NOISE, bounds: noise }];
}

/** `component.hyper` names, then the noise `sigmaN`. */
export function hyperNames(components: readonly Component[]): string[] {
  return [...components.flatMap((c) => c.kernel.hyper.map((h) => `${c.name}.${h.name}`)), NOISE];
}

/** A component's hyper-parameter values in its kernel's order. */
const valuesOf = (c: Component, h: Hyper) => c.kernel.hyper.map((x) => h[`${c.name}.${x.name}`]);

function covariance(components: readonly Component[], A: GPInputs, B: GPInputs, h: Hyper): Float64Array {
  const K = new Float64Array(A.n * B.n);
  components.forEach((c, k) => {
    const Kc = c.kernel.eval(A.designs[k].points, B.designs[k].points, valuesOf(c, h));
    addProjected(K, A.designs[k], Kc, B.designs[k], A.n, B.n);
  });
  return K;
}

/** Negative log marginal likelihood and its gradient in log hyper-parameters. */
function negLogMarginal(components: readonly Component[], inputs: GPInputs, y: Float64Array, names: string[], logh: number[]): { f: number; g: number[] } {
  const h = Object.fromEntries(names.map((k, i) => [k, Math.exp(logh[i])]));
  const n = inputs.n;
  const hc = components.map((c) => valuesOf(c, h));
  const latent = components.map((c, k) => c.kernel.eval(inputs.designs[k].points, inputs.designs[k].points, hc[k]));
  const K = new Float64Array(n * n);
  components.forEach((_, k) => addProjected(K, inputs.designs[k], latent[k], inputs.designs[k], n, n));
  const noise = h.sigmaN ** 2;
  for (let i = 0; i < n; i++) K[i * n + i] += noise;
  try {
    cholesky(K, n);
  } catch {
    return { f: Infinity, g: logh.map(() => 0) };
  }
  const alpha = Float64Array.from(y);
  choleskySolve(K, n, alpha);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += y[i] * alpha[i];
  const f = 0.5 * fit + 0.5 * choleskyLogDet(K, n) + 0.5 * n * Math.log(2 * Math.PI);
  // ∂(−log ML)/∂θ = −½ ⟨Cᵀ W C, ∂K_c/∂θ⟩ with W = ααᵀ − K⁻¹
  const W = choleskyInverse(K, n);
  let trace = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      W[i * n + j] = alpha[i] * alpha[j] - W[i * n + j];
      if (i === j) trace += W[i * n + i];
    }
  const g: number[] = [];
  components.forEach((c, k) => {
    const P = inputs.designs[k].points;
    for (const gk of c.kernel.gradient(P, P, hc[k], latent[k], pullBack(W, inputs.designs[k], n))) g.push(-0.5 * gk);
  });
  g.push(-noise * trace);
  return { f, g };
}

/** log p(y | hyper) and its gradient in the log of each hyper-parameter (natural-scale `hyper`, named as `hyperNames`). */
export function logMarginalLikelihood(components: readonly Component[], inputs: GPInputs, y: ArrayLike<number>, hyper: Record<string, number>): { value: number; gradient: Record<string, number> } {
  const names = hyperNames(components);
  const { f, g } = negLogMarginal(components, inputs, Float64Array.from(y), names, names.map((k) => Math.log(hyper[k])));
  return { value: -f, gradient: Object.fromEntries(names.map((k, i) => [k, -g[i]])) };
}

/**
 * Hyper-parameters by maximum marginal likelihood from `start`, each within its
 * kernel's bounds (the noise within `noise`); those named in `fixed` keep their start.
 */
export function fitHyper(
  components: readonly Component[],
  inputs: GPInputs,
  y: readonly number[],
  start: Hyper,
  o: { noise: Bounds; fixed?: ReadonlySet<string>; maxIterations?: number },
): { hyper: Hyper; logMarginal: number } {
  const all = hyperparameters(components, o.noise);
  const names = all.map((h) => h.name);
  const free = all.filter((h) => !o.fixed?.has(h.name));
  const yv = Float64Array.from(y);
  const full = (x: number[]) => {
    const logh = names.map((k) => Math.log(start[k]));
    free.forEach((h, i) => (logh[names.indexOf(h.name)] = x[i]));
    return logh;
  };
  const at = free.map((h) => names.indexOf(h.name));
  const r = lbfgs(
    (x) => {
      const { f, g } = negLogMarginal(components, inputs, yv, names, full(x));
      return { f, g: at.map((k) => g[k]) };
    },
    free.map((h) => Math.log(start[h.name])),
    { lower: free.map((h) => Math.log(h.bounds[0])), upper: free.map((h) => Math.log(h.bounds[1])), maxIterations: o.maxIterations ?? 40 },
  );
  const logh = full(r.x);
  return { hyper: Object.fromEntries(names.map((k, i) => [k, Math.exp(logh[i])])), logMarginal: -r.f };
}

/** A fitted GP: the factor of the training covariance and its weights. */
export class LatentGP {
  readonly L: Float64Array;
  readonly alpha: Float64Array;
  readonly n: number;
  /** K⁻¹, computed on the first leave-group-out request. */
  private inverse: Float64Array | null = null;

  constructor(
    readonly components: readonly Component[],
    readonly inputs: GPInputs,
    readonly y: Float64Array,
    readonly hyper: Hyper,
    /** The factor, when already known (see `extendedBy`). */
    factor?: Float64Array,
  ) {
    const n = inputs.n;
    if (factor) this.L = factor;
    else {
      const K = covariance(components, inputs, inputs, hyper);
      for (let i = 0; i < n; i++) K[i * n + i] += hyper.sigmaN ** 2;
      this.L = choleskyWithJitter(K, n).L;
    }
    this.n = n;
    this.alpha = Float64Array.from(y);
    choleskySolve(this.L, n, this.alpha);
  }

  /**
   * The same GP conditioned on more observations: `inputs` holds this GP's n
   * observations first (its point sets extended), then k new ones. The factor
   * grows by k rows — L⁻¹ of the new cross-covariance and the Cholesky factor
   * of their Schur complement — instead of being rebuilt: O(n²k) for O(n³).
   */
  extendedBy(inputs: GPInputs, y: Float64Array): LatentGP {
    const n = this.n;
    const N = inputs.n;
    const k = N - n;
    const Kx = covariance(this.components, lastObservations(inputs, n), inputs, this.hyper); // k × N
    const X = new Float64Array(n * k);
    for (let a = 0; a < k; a++) for (let i = 0; i < n; i++) X[i * k + a] = Kx[a * N + i];
    solveTriangular(this.L, n, X, k); // L⁻¹ K_{base,new}
    const S = new Float64Array(k * k);
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) {
        let t = Kx[a * N + n + b];
        for (let i = 0; i < n; i++) t -= X[i * k + a] * X[i * k + b];
        S[a * k + b] = t + (a === b ? this.hyper.sigmaN ** 2 : 0);
      }
    const { L: Lk } = choleskyWithJitter(S, k);
    const L = new Float64Array(N * N);
    for (let i = 0; i < n; i++) L.set(this.L.subarray(i * n, i * n + i + 1), i * N);
    for (let a = 0; a < k; a++) {
      const r = (n + a) * N;
      for (let i = 0; i < n; i++) L[r + i] = X[i * k + a];
      for (let b = 0; b <= a; b++) L[r + n + b] = Lk[a * k + b];
    }
    return new LatentGP(this.components, inputs, y, this.hyper, L);
  }

  /** Covariance of query observations with the training ones (rows: queries). */
  cross(Q: GPInputs): Float64Array {
    return covariance(this.components, Q, this.inputs, this.hyper);
  }

  /** Prior covariance among query observations (noise excluded). */
  prior(Q: GPInputs): Float64Array {
    return covariance(this.components, Q, Q, this.hyper);
  }

  /** Predictive mean and sd (noise included: the scatter of a new calculation). */
  predict(Q: GPInputs, o: { variance?: boolean } = {}): { mean: Float64Array; sd: Float64Array | null } {
    const m = Q.n;
    const n = this.n;
    const Ks = this.cross(Q);
    const mean = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += Ks[i * n + j] * this.alpha[j];
      mean[i] = s;
    }
    if (o.variance === false) return { mean, sd: null };
    const V = this.whitened(Ks, m);
    const sd = new Float64Array(m);
    const prior = this.priorDiagonal(Q);
    for (let i = 0; i < m; i++) {
      let e = 0;
      for (let j = 0; j < n; j++) e += V[j * m + i] ** 2;
      sd[i] = Math.sqrt(Math.max(0, prior[i] - e) + this.hyper.sigmaN ** 2);
    }
    return { mean, sd };
  }

  /** L⁻¹ K*ᵀ (n × m), the whitened cross-covariance. */
  whitened(Ks: Float64Array, m: number): Float64Array {
    const n = this.n;
    const V = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) V[j * m + i] = Ks[i * n + j];
    solveTriangular(this.L, n, V, m);
    return V;
  }

  /** Diagonal of the prior covariance of each query observation, one at a time (cheap for large query sets). */
  priorDiagonal(Q: GPInputs): Float64Array {
    const out = new Float64Array(Q.n);
    this.components.forEach((c, k) => {
      const D = Q.designs[k];
      const h = valuesOf(c, this.hyper);
      const K = c.kernel.eval(D.points, D.points, h);
      const m = D.points.n;
      for (let i = 0; i < Q.n; i++)
        for (let p = D.start[i]; p < D.start[i + 1]; p++)
          for (let q = D.start[i]; q < D.start[i + 1]; q++) out[i] += D.coef[p] * D.coef[q] * K[D.index[p] * m + D.index[q]];
    });
    return out;
  }

  /**
   * Leave-group-out predictions from the one factor (Sundararajan & Keerthi):
   * for a held-out group G, mean_G = y_G − (K⁻¹_GG)⁻¹ α_G, cov_G = (K⁻¹_GG)⁻¹.
   * Hyper-parameters stay those of the full fit.
   */
  leaveGroupsOut(groups: readonly number[][]): { mean: Float64Array; sd: Float64Array }[] {
    const n = this.n;
    const Kinv = (this.inverse ??= choleskyInverse(this.L, n));
    return groups.map((G) => {
      const mean = new Float64Array(n).fill(NaN);
      const sd = new Float64Array(n).fill(NaN);
      const g = G.length;
      const B = new Float64Array(g * g);
      for (let a = 0; a < g; a++) for (let b = 0; b < g; b++) B[a * g + b] = Kinv[G[a] * n + G[b]];
      const { L } = choleskyWithJitter(B, g);
      const sol = Float64Array.from(G.map((i) => this.alpha[i]));
      choleskySolve(L, g, sol);
      const C = choleskyInverse(L, g);
      G.forEach((i, a) => {
        mean[i] = this.y[i] - sol[a];
        sd[i] = Math.sqrt(C[a * g + a]);
      });
      return { mean, sd };
    });
  }
}

/** The observations from `from` on, sharing the point sets. */
function lastObservations(inputs: GPInputs, from: number): GPInputs {
  return {
    n: inputs.n - from,
    designs: inputs.designs.map((d) => {
      const s0 = d.start[from];
      return { points: d.points, start: Int32Array.from(d.start.subarray(from), (x) => x - s0), index: d.index.subarray(s0), coef: d.coef.subarray(s0) };
    }),
  };
}

/** Builds a point set and designs incrementally (deduplicating points by key). */
export class DesignBuilder {
  private index = new Map<string, number>();
  private rows: number[][] = [];
  private keysOf: string[] = [];
  private start: number[] = [0];
  private idx: number[] = [];
  private coef: number[] = [];
  /** The point set this builder last produced, and the one it continues from (see PointSet.parent). */
  private last: PointSet | undefined;
  private parent: PointSet | undefined;

  constructor(private readonly dim: number) {}

  /** A builder that goes on from this one: same points and rows so far, new ones appended. */
  clone(): DesignBuilder {
    const b = new DesignBuilder(this.dim);
    b.index = new Map(this.index);
    b.rows = [...this.rows];
    b.keysOf = [...this.keysOf];
    b.start = [...this.start];
    b.idx = [...this.idx];
    b.coef = [...this.coef];
    b.parent = this.last;
    return b;
  }

  /** Index of the point with identity `id` (its kernel key `key`), adding it with `features()` if new. */
  point(id: string, key: string, features: () => ArrayLike<number>): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.rows.length;
      this.index.set(id, i);
      this.rows.push(Array.from(features()));
      this.keysOf.push(key);
    }
    return i;
  }

  /** Close an observation's row with its (point, coefficient) terms; equal points add up. */
  row(terms: readonly [number, number][]): void {
    const merged = new Map<number, number>();
    for (const [p, c] of terms) merged.set(p, (merged.get(p) ?? 0) + c);
    for (const [p, c] of merged)
      if (c !== 0) {
        this.idx.push(p);
        this.coef.push(c);
      }
    this.start.push(this.idx.length);
  }

  design(): Design {
    const X = new Float64Array(this.rows.length * this.dim);
    this.rows.forEach((r, i) => X.set(r, i * this.dim));
    this.last = { n: this.rows.length, dim: this.dim, X, keys: [...this.keysOf], ...(this.parent && this.parent.n <= this.rows.length ? { parent: this.parent } : {}) };
    return { points: this.last, start: Int32Array.from(this.start), index: Int32Array.from(this.idx), coef: Float64Array.from(this.coef) };
  }
}
