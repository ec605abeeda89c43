/**
 * ε-support-vector regression on a precomputed kernel: the dual problem of libsvm's
 * `solve_epsilon_svr`, solved by SMO with libsvm's second-order working-set selection
 * (Fan, Chen & Lin, JMLR 6, 2005), its shrinking heuristic and stopping rule
 * (maximal violating pair gap < tolerance), so the solution is libsvm's to within the
 * tolerance (same support vectors, dual objective equal to ~1e-7 relative on the α data:
 * test/smo.test.ts checks it against libsvm-js).
 *
 * What differs from libsvm, for speed, not for the answer:
 * - The kernel is a global n×n matrix (a KernelMatrix) computed once and shared by every fold
 *   and (C, ε) of a grid; a fit gathers its training rows' l×l block into the WebAssembly
 *   module's memory (l² reads, ~1 % of a fit). libsvm computes and caches float32 kernel
 *   columns per fit.
 * - libsvm carries 2l variables (α_m, α*_m) with a gradient each. Their gradients are
 *   G⁺_m = ε − y_m + f_m and G⁻_m = ε + y_m − f_m with f = K(α − α*), so one residual
 *   r_m = y_m − f_m per training row suffices: the maximal-violation values of the two
 *   variables are r_m − ε and r_m + ε, and an SMO step on the pair (i, j) moves
 *   β = α − α* by +s at row i and −s at row j (f += s (K_i − K_j)). Three kernel reads per
 *   row and step (j-selection, update) where libsvm makes about ten over its 2l variables.
 * - The i-selection for the next step is fused into the residual update; both loops run in
 *   src/util/wasm.c (f64x2 lanes), the rest of the step here.
 * - Rows whose two variables are both shrinkable are shrunk (libsvm shrinks variables).
 * Measured on the α feature matrix (1435 rows × 63, C = 100, ε = 0.01, γ = 0.3/d):
 * see scripts/BENCHMARKS.md.
 */

import { ArenaLayout, wasmEngine, type WasmEngine } from '../../util/wasm.ts';

/** A symmetric n×n kernel matrix, row-major (KernelMatrix in kernel.ts is one). */
export interface Kernel {
  readonly n: number;
  readonly data: Float64Array;
}

export interface SmoParams {
  /** Penalty C > 0. */
  C: number;
  /** Half-width of the ε-insensitive tube (target units), ≥ 0. */
  epsilon: number;
  /** Stopping tolerance on the maximal KKT violation (libsvm `-e`, default 1e-3). */
  tolerance?: number;
  /** libsvm's shrinking heuristic (default true). */
  shrinking?: boolean;
  /** Iteration cap (default max(10⁷, 100·2l), libsvm's). */
  maxIterations?: number;
}

/** The dual solution of one fit, on the training rows `train` (global indices into the kernel). */
export interface SvrDual {
  readonly train: Int32Array;
  /** α_m (upper side of the tube) and α*_m, per training row, in `train` order. */
  readonly alpha: Float64Array;
  readonly alphaStar: Float64Array;
  readonly C: number;
  readonly epsilon: number;
}

export interface SmoResult extends SvrDual {
  /** β = α − α* per training row: the expansion coefficient of that row. */
  readonly beta: Float64Array;
  /** f(x) = Σ_m β_m K(x_m, x) + b; b = −rho in libsvm's notation. */
  readonly b: number;
  /** libsvm's dual objective ½ βᵀKβ + ε Σ(α + α*) − yᵀβ (minimised). */
  readonly objective: number;
  readonly iterations: number;
  /** False when the iteration cap stopped the solver before the tolerance was met. */
  readonly converged: boolean;
}

/** libsvm's TAU: the curvature used when a pair's is not positive. */
const TAU = 1e-12;

/**
 * Solve the ε-SVR dual on the rows `train` of the kernel K, targets y indexed by global row
 * (y[train[m]] is row m's target; entries of other rows are not read).
 * `warm`: a previous solution on the same training rows (any C, ε) to start from: for
 * C ≥ its C its α stay feasible; for a smaller C they are scaled by C/C_old.
 */
export function solveSvrDual(K: Kernel, y: ArrayLike<number>, train: ArrayLike<number>, p: SmoParams, warm?: SvrDual): SmoResult {
  const l = train.length;
  const C = p.C;
  const eps = p.epsilon;
  const tol = p.tolerance ?? 1e-3;
  if (!(C > 0) || !Number.isFinite(C)) throw new RangeError(`SVR: C must be positive and finite, got ${C}`);
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`SVR: epsilon must be ≥ 0, got ${eps}`);
  if (!(tol > 0)) throw new RangeError(`SVR: tolerance must be positive, got ${tol}`);
  if (l === 0) throw new RangeError('SVR: no training rows');
  const shrinking = p.shrinking ?? true;
  const maxIter = p.maxIterations ?? Math.max(10_000_000, 200 * l);

  const st = newState(K, y, train, C, eps);
  if (warm) seedFrom(warm, train, C, st.aUp, st.aDn);
  residualsFromScratch(st, 0);
  for (let k = 0; k < l; k++) setOffsets(st, k);
  const { col, diag, aUp, aDn, r, lowOff } = st;
  const w = st.wasm;

  let iter = 0;
  let counter = Math.min(2 * l, 1000) + 1;
  let converged = false;
  let active = l;
  // Gmax: max over I_up of the violation value, at position iPos (libsvm's i)
  let Gmax = -Infinity;
  let iPos = -1;
  let fresh = true; // Gmax/iPos must be recomputed from scratch
  while (iter < maxIter) {
    if (--counter === 0) {
      counter = Math.min(2 * l, 1000);
      if (shrinking) {
        st.active = active;
        shrink(st, tol);
        active = st.active;
        fresh = true;
      }
    }
    let jPos = -1;
    for (let pass = 0; pass < 2; pass++) {
      if (fresh) {
        iPos = w.smo_select_i(active);
        Gmax = w.out_value();
        fresh = false;
      }
      // j: second-order choice (Fan et al. 2005, WSS 2) among the I_low rows with a smaller violation value
      let M = Infinity;
      if (iPos >= 0) {
        jPos = w.smo_select_j(active, col[iPos] * l, diag[iPos], Gmax, TAU);
        M = w.out_value();
      }
      if (Gmax - M < tol) jPos = -1;
      if (jPos >= 0 || pass === 1) break;
      // optimal on the active rows: check all rows before stopping
      st.active = active;
      reconstruct(st);
      active = l;
      fresh = true;
      counter = 1; // shrink again at the next iteration
    }
    if (jPos < 0) {
      converged = true;
      break;
    }
    iter++;
    const i = iPos;
    const j = jPos;
    const ci = col[i] * l;
    const cj = col[j] * l;
    let quad = diag[i] + diag[j] - 2 * st.K[ci + col[j]];
    if (!(quad > 0)) quad = TAU;
    let s = (Gmax - (r[j] + lowOff[j])) / quad;
    // i moves β up (α up, or α* down if it is > 0); j moves β down (α down if > 0, or α* up)
    const iDown = aDn[i] > 0;
    const jDown = aUp[j] > 0;
    const bi = iDown ? aDn[i] : C - aUp[i];
    const bj = jDown ? aUp[j] : C - aDn[j];
    let hitI = false;
    let hitJ = false;
    if (s >= bi || s >= bj) {
      // clipped by the nearer bound; both variables land on a bound when the two coincide
      if (bi <= bj) {
        s = bi;
        hitI = true;
        hitJ = bi === bj;
      } else {
        s = bj;
        hitJ = true;
      }
    }
    if (iDown) aDn[i] = hitI ? 0 : Math.max(0, aDn[i] - s);
    else aUp[i] = hitI ? C : Math.min(C, aUp[i] + s);
    if (jDown) aUp[j] = hitJ ? 0 : Math.max(0, aUp[j] - s);
    else aDn[j] = hitJ ? C : Math.min(C, aDn[j] + s);
    setOffsets(st, i);
    setOffsets(st, j);
    if (ci === cj) {
      fresh = true; // the two variables of one row: β and the residuals do not change
      continue;
    }
    // residual update r −= s (K_i − K_j), fused with the next i-selection
    iPos = w.smo_update(active, ci, cj, s);
    Gmax = w.out_value();
  }
  st.active = active;
  if (!converged) reconstruct(st);
  return solution(st, train, iter, converged);
}

interface SolverState {
  readonly l: number;
  readonly C: number;
  readonly eps: number;
  readonly wasm: WasmEngine;
  /** The fit's kernel, l×l by training position, in the wasm module's memory. */
  readonly K: Float64Array;
  /** Per position (permuted by shrinking, as libsvm's swap_index): */
  readonly col: Int32Array; // training position = row of K
  readonly yv: Float64Array;
  readonly aUp: Float64Array; // α
  readonly aDn: Float64Array; // α*
  readonly r: Float64Array; // y − Kβ (no offset)
  readonly diag: Float64Array;
  /** Violation values: I_up value r + upOff, I_low value r + lowOff (∓∞ when the row has no such variable). */
  readonly upOff: Float64Array;
  readonly lowOff: Float64Array;
  active: number;
  unshrunk: boolean;
}

/**
 * The solver's arrays in the wasm module's memory, with the fit's kernel gathered into one
 * l×l block: the hot loops then read contiguous rows (libsvm likewise copies kernel rows
 * into its cache); the gather costs l² reads, ~1 % of a fit on the α data.
 */
function newState(Kg: Kernel, y: ArrayLike<number>, train: ArrayLike<number>, C: number, eps: number): SolverState {
  const n = Kg.n;
  const l = train.length;
  const layout = new ArenaLayout();
  layout.i32(l);
  for (let a = 0; a < 4; a++) layout.f64(l);
  layout.f64(l * l);
  const { offsets, views } = layout.allocate();
  const [col, r, upOff, lowOff, diag, K] = views as [Int32Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const wasm = wasmEngine();
  wasm.smo_arrays(offsets[0], offsets[1], offsets[2], offsets[3], offsets[4], offsets[5]);
  const st: SolverState = {
    l, C, eps, wasm, K, col, r, upOff, lowOff, diag,
    yv: new Float64Array(l), aUp: new Float64Array(l), aDn: new Float64Array(l),
    active: l, unshrunk: false,
  };
  const KD = Kg.data;
  for (let a = 0; a < l; a++) {
    const g = train[a];
    if (!(g >= 0 && g < n) || !Number.isInteger(g)) throw new RangeError(`SVR: training row ${g} outside the kernel (n = ${n})`);
    st.yv[a] = y[g];
    if (!Number.isFinite(st.yv[a])) throw new RangeError(`SVR: target of row ${g} is not finite`);
  }
  for (let a = 0; a < l; a++) {
    const base = train[a] * n;
    const o = a * l;
    for (let b = 0; b < l; b++) K[o + b] = KD[base + train[b]];
    col[a] = a;
    diag[a] = K[o + a];
  }
  return st;
}

function setOffsets(st: SolverState, k: number): void {
  const { aUp, aDn, C, eps } = st;
  st.upOff[k] = aDn[k] > 0 ? eps : aUp[k] < C ? -eps : -Infinity;
  st.lowOff[k] = aUp[k] > 0 ? -eps : aDn[k] < C ? eps : Infinity;
}

/** r = y − Kβ for the positions from `from` on, over every row with β ≠ 0. */
function residualsFromScratch(st: SolverState, from: number): void {
  const { l, K, col, aUp, aDn, r, yv } = st;
  const nz: number[] = [];
  for (let q = 0; q < l; q++) if (aUp[q] !== aDn[q]) nz.push(q);
  for (let k = from; k < l; k++) {
    const base = col[k] * l;
    let s = 0;
    for (const q of nz) s += (aUp[q] - aDn[q]) * K[base + col[q]];
    r[k] = yv[k] - s;
  }
}

/** Residuals of the shrunk rows, then every row active again (libsvm's reconstruct_gradient). */
function reconstruct(st: SolverState): void {
  if (st.active < st.l) residualsFromScratch(st, st.active);
  st.active = st.l;
}

function swap(st: SolverState, a: number, b: number): void {
  for (const arr of [st.col, st.yv, st.aUp, st.aDn, st.r, st.diag, st.upOff, st.lowOff]) {
    const t = arr[a];
    arr[a] = arr[b];
    arr[b] = t;
  }
}

/**
 * libsvm's do_shrinking, per row: a row leaves the active set when neither of its variables
 * can be in a violating pair (its I_up value below every I_low value and its I_low value
 * above every I_up value). The first time the gap falls below 10·tolerance, all rows return.
 */
function shrink(st: SolverState, tol: number): void {
  const { r, upOff, lowOff } = st;
  let m = -Infinity;
  let M = Infinity;
  for (let k = 0; k < st.active; k++) {
    const u = r[k] + upOff[k];
    const w = r[k] + lowOff[k];
    if (u > m) m = u;
    if (w < M) M = w;
  }
  if (!st.unshrunk && m - M <= tol * 10) {
    st.unshrunk = true;
    reconstruct(st);
  }
  const dead = (k: number): boolean => r[k] + upOff[k] < M && r[k] + lowOff[k] > m;
  for (let k = 0; k < st.active; k++) {
    if (!dead(k)) continue;
    st.active--;
    while (st.active > k) {
      if (!dead(st.active)) {
        swap(st, k, st.active);
        break;
      }
      st.active--;
    }
  }
}

/** Offset (libsvm's calculate_rho), objective and the coefficients back in `train` order. */
function solution(st: SolverState, train: ArrayLike<number>, iterations: number, converged: boolean): SmoResult {
  const { l, C, eps, aUp, aDn, r, yv, col } = st;
  // b = −rho: mean of the free variables' y·G, else the middle of the feasible interval
  let nFree = 0;
  let sumFree = 0;
  let ub = Infinity;
  let lb = -Infinity;
  for (let k = 0; k < l; k++) {
    // variable α (y = +1): yG = G⁺ = ε − r; variable α* (y = −1): yG = −G⁻ = −ε − r
    const gUp = eps - r[k];
    const gDn = -eps - r[k];
    if (aUp[k] > 0 && aUp[k] < C) {
      nFree++;
      sumFree += gUp;
    } else if (aUp[k] === 0) ub = Math.min(ub, gUp);
    else lb = Math.max(lb, gUp);
    if (aDn[k] > 0 && aDn[k] < C) {
      nFree++;
      sumFree += gDn;
    } else if (aDn[k] === 0) lb = Math.max(lb, gDn);
    else ub = Math.min(ub, gDn);
  }
  const rho = nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  const alpha = new Float64Array(l);
  const alphaStar = new Float64Array(l);
  const beta = new Float64Array(l);
  let objective = 0;
  for (let k = 0; k < l; k++) {
    const o = col[k];
    const bk = aUp[k] - aDn[k];
    alpha[o] = aUp[k];
    alphaStar[o] = aDn[k];
    beta[o] = bk;
    // ½ βᵀKβ − yᵀβ + ε Σ(α + α*), with Kβ = y − r
    objective += 0.5 * bk * (yv[k] - r[k]) - yv[k] * bk + eps * (aUp[k] + aDn[k]);
  }
  return { train: Int32Array.from(train), alpha, alphaStar, beta, C, epsilon: eps, b: -rho, objective, iterations, converged };
}

/** Start from a previous solution on the same rows; α scaled by C/C_old when C shrinks, so Σβ = 0 and the box still hold. */
function seedFrom(warm: SvrDual, train: ArrayLike<number>, C: number, aUp: Float64Array, aDn: Float64Array): void {
  if (warm.train.length !== train.length || warm.train.some((g, k) => g !== train[k])) {
    throw new RangeError('SVR warm start: the previous solution was fitted on other training rows');
  }
  const f = C < warm.C ? C / warm.C : 1;
  for (let k = 0; k < train.length; k++) {
    aUp[k] = Math.min(C, warm.alpha[k] * f);
    aDn[k] = Math.min(C, warm.alphaStar[k] * f);
  }
}

/** A fitted ε-SVR on rows of a shared kernel: predicts any row of that kernel by its index. */
export class PrecomputedSVR {
  readonly kernel: Kernel;
  readonly dual: SmoResult;
  /** Global kernel rows of the support vectors (β ≠ 0) and their coefficients β. */
  readonly supportRows: Int32Array;
  readonly coef: Float64Array;
  readonly b: number;

  constructor(kernel: Kernel, dual: SmoResult) {
    this.kernel = kernel;
    this.dual = dual;
    const support = [...dual.beta.keys()].filter((k) => dual.beta[k] !== 0);
    this.supportRows = Int32Array.from(support, (k) => dual.train[k]);
    this.coef = Float64Array.from(support, (k) => dual.beta[k]);
    this.b = dual.b;
  }

  /** f of the given kernel rows: Σ_sv β K[row, sv] + b. */
  predictRows(rows: ArrayLike<number>): Float64Array {
    const { n, data } = this.kernel;
    const sv = this.supportRows;
    const coef = this.coef;
    const out = new Float64Array(rows.length);
    for (let t = 0; t < rows.length; t++) {
      const row = rows[t];
      if (!(row >= 0 && row < n)) throw new RangeError(`SVR: row ${row} outside the kernel (n = ${n})`);
      const base = row * n;
      let s = 0;
      for (let k = 0; k < sv.length; k++) s += coef[k] * data[base + sv[k]];
      out[t] = s + this.b;
    }
    return out;
  }
}

/** Fit ε-SVR on the rows `train` of a precomputed kernel (targets indexed by global row). */
export function fitSVRPrecomputed(K: Kernel, y: ArrayLike<number>, train: ArrayLike<number>, params: SmoParams, warmStart?: SvrDual): PrecomputedSVR {
  return new PrecomputedSVR(K, solveSvrDual(K, y, train, params, warmStart));
}

/**
 * A feasible start on the rows `train` from a solution on a superset of them (alpha seeding,
 * DeCoste & Wagstaff 2000): the α of the dropped rows are removed and Σ(α − α*) = 0 is
 * restored by scaling down the side in excess, so the box constraints still hold. Null when
 * the superset's solution does not cover `train`.
 */
export function restrictDual(from: SvrDual, train: ArrayLike<number>): SvrDual | null {
  const at = new Map<number, number>();
  from.train.forEach((g, k) => at.set(g, k));
  const l = train.length;
  const alpha = new Float64Array(l);
  const alphaStar = new Float64Array(l);
  let up = 0;
  let down = 0;
  for (let k = 0; k < l; k++) {
    const q = at.get(train[k]);
    if (q === undefined) return null;
    alpha[k] = from.alpha[q];
    alphaStar[k] = from.alphaStar[q];
    up += alpha[k];
    down += alphaStar[k];
  }
  const excess = up - down;
  if (excess > 0 && up > 0) {
    const f = 1 - excess / up;
    for (let k = 0; k < l; k++) alpha[k] *= f;
  } else if (excess < 0 && down > 0) {
    const f = 1 + excess / down;
    for (let k = 0; k < l; k++) alphaStar[k] *= f;
  }
  return { train: Int32Array.from(train), alpha, alphaStar, C: from.C, epsilon: from.epsilon };
}
