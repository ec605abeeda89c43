import { ArenaLayout, wasmEngine } from './wasm.ts';

/**
 * Solve A x = b by Gaussian elimination with partial pivoting (A is not
 * modified). Returns null when a pivot falls below `relTol` times the largest
 * |A_ij|: the system is singular to working precision.
 */
export function solveLinear(A: readonly (readonly number[])[], b: readonly number[], relTol = 1e-14): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  const scale = Math.max(...A.map((r) => Math.max(...r.map(Math.abs))));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (!(Math.abs(M[p][c]) > relTol * scale)) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      if (f === 0) continue;
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/*
 * Dense row-major kernels for the kernel methods and the Gaussian process, run in the
 * WebAssembly module (src/util/wasm.c, SIMD f64x2): the row products of 1435×63 rows run at
 * 6.7 GFlop/s (multiply-add, CPU time, Node 20) inside the module, 3.3 counting the copies in
 * and out of its memory, against 1.3 for the best TypeScript tiling (2×4 register tile; 0.6 for
 * the plain triple loop): scripts/bench-engine.ts, section 5. Inputs are copied into the
 * module's memory and results copied back: O(n²) against O(n²k) or O(n³) of work.
 */

/** out[i·ld + j] = Σ_p A[i·k + p]·B[j·k + p] for i < m, j < nB: the products of the rows of A and B (A·Bᵀ). */
export function rowProducts(A: Float64Array, m: number, B: Float64Array, nB: number, k: number, out: Float64Array, ld = nB): void {
  const layout = new ArenaLayout();
  layout.f64(m * k);
  layout.f64(nB * k);
  layout.f64(m * nB);
  const { offsets, views } = layout.allocate();
  views[0].set(A.subarray(0, m * k));
  views[1].set(B.subarray(0, nB * k));
  wasmEngine().rows_dot(m, nB, k, offsets[0], k, offsets[1], k, offsets[2], nB, 0);
  const C = views[2] as Float64Array;
  if (ld === nB) out.set(C);
  else for (let i = 0; i < m; i++) out.set(C.subarray(i * nB, (i + 1) * nB), i * ld);
}

/** ‖x_i − x_j‖² of the n rows of X (n×k) into out (n×n): symmetric, zero diagonal, ≥ 0. */
export function squaredDistances(X: Float64Array, n: number, k: number, out: Float64Array): void {
  const layout = new ArenaLayout();
  layout.f64(n * k);
  layout.f64(n * n);
  const { offsets, views } = layout.allocate();
  views[0].set(X.subarray(0, n * k));
  wasmEngine().squared_distances(n, k, offsets[0], offsets[1]);
  out.set(views[1]);
}

/** Block size of the Cholesky factorisation: the trailing update's row products dominate from n ≈ 200. */
const CHOLESKY_BLOCK = 64;

/**
 * Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite n×n matrix (row-major), in
 * place: A's lower triangle becomes L, its upper triangle zero (only the lower triangle of A is
 * read). Blocked right-looking. Throws a RangeError naming the first non-positive pivot.
 */
export function cholesky(A: Float64Array, n: number): void {
  if (A.length < n * n) throw new RangeError(`cholesky: ${A.length} entries for n = ${n}`);
  const layout = new ArenaLayout();
  layout.f64(n * n);
  const { offsets, views } = layout.allocate();
  views[0].set(A.subarray(0, n * n));
  const bad = wasmEngine().cholesky(n, offsets[0], CHOLESKY_BLOCK);
  if (bad >= 0) throw new RangeError(`cholesky: the matrix is not positive definite (pivot ${bad})`);
  A.set(views[0]);
}

/** Below this many right-hand sides the solves run column-wise (axpy); from it on, blocked on row products. */
const BLOCKED_RHS = 8;

/**
 * Triangular solves with the Cholesky factor L on B (n×nrhs row-major, overwritten by X):
 * `steps` 'L' → L·X = B, 'Lt' → Lᵀ·X = B, 'both' → L·Lᵀ·X = B. Many right-hand sides are
 * transposed and solved in blocks whose updates are row products (solve_rows_* in wasm.c).
 */
function triangularSolves(L: Float64Array, n: number, B: Float64Array, nrhs: number, steps: 'L' | 'Lt' | 'both'): void {
  if (L.length < n * n) throw new RangeError(`triangular solve: ${L.length} entries for n = ${n}`);
  if (B.length < n * nrhs) throw new RangeError(`triangular solve: ${B.length} entries for ${n}×${nrhs}`);
  if (nrhs < BLOCKED_RHS) {
    // in place, one right-hand side at a time: 2n² multiply-adds, less than copying L into wasm memory
    const x = new Float64Array(n);
    for (let r = 0; r < nrhs; r++) {
      for (let i = 0; i < n; i++) x[i] = B[i * nrhs + r];
      if (steps !== 'Lt') forwardSubstitution(L, n, x);
      if (steps !== 'L') backSubstitutionT(L, n, x);
      for (let i = 0; i < n; i++) B[i * nrhs + r] = x[i];
    }
    return;
  }
  const w = wasmEngine();
  const layout = new ArenaLayout();
  layout.f64(n * n); // L
  layout.f64(n * n); // Lᵀ
  layout.f64(nrhs * n); // Bᵀ
  const { offsets, views } = layout.allocate();
  const [Lv, , Xt] = views as Float64Array[];
  Lv.set(L.subarray(0, n * n));
  for (let i = 0; i < n; i++) for (let r = 0; r < nrhs; r++) Xt[r * n + i] = B[i * nrhs + r];
  if (steps !== 'Lt') w.solve_rows_lower(n, offsets[0], offsets[2], nrhs, CHOLESKY_BLOCK);
  if (steps !== 'L') {
    w.transpose(n, offsets[0], offsets[1]);
    w.solve_rows_upper(n, offsets[1], offsets[2], nrhs, CHOLESKY_BLOCK);
  }
  for (let i = 0; i < n; i++) for (let r = 0; r < nrhs; r++) B[i * nrhs + r] = Xt[r * n + i];
}

/** L·x = b in place (L lower, row-major): row i of L is read contiguously. */
function forwardSubstitution(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * n;
    let s = x[i];
    for (let p = 0; p < i; p++) s -= L[o + p] * x[p];
    x[i] = s / L[o + i];
  }
}

/** Lᵀ·x = b in place: x_i is final once the rows below have been subtracted, then row i of L updates x_{<i}. */
function backSubstitutionT(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const o = i * n;
    const xi = (x[i] /= L[o + i]);
    for (let p = 0; p < i; p++) x[p] -= L[o + p] * xi;
  }
}

/** Solve with the factor: `trans` false → L·X = B, true → Lᵀ·X = B; B is n×nrhs row-major, overwritten by X. */
export function solveTriangular(L: Float64Array, n: number, B: Float64Array, nrhs = 1, trans = false): void {
  triangularSolves(L, n, B, nrhs, trans ? 'Lt' : 'L');
}

/** (L·Lᵀ)·X = B with the Cholesky factor L; B (n×nrhs) is overwritten by X. */
export function choleskySolve(L: Float64Array, n: number, B: Float64Array, nrhs = 1): void {
  triangularSolves(L, n, B, nrhs, 'both');
}

/** log det(L·Lᵀ) = 2 Σ log L_ii. */
export function choleskyLogDet(L: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}

/** (L·Lᵀ)⁻¹ from the factor: the n systems L·Lᵀ·x = e_r, blocked (n³ multiply-adds in row products). */
export function choleskyInverse(L: Float64Array, n: number): Float64Array {
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) X[i * n + i] = 1;
  triangularSolves(L, n, X, n, 'both');
  return X;
}

/** Factor A + jitter·I, raising the jitter tenfold from `start` (relative to the mean diagonal) until it works; A is kept. */
export function choleskyWithJitter(A: Float64Array, n: number, start = 1e-10): { L: Float64Array; jitter: number } {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += A[i * n + i];
  meanDiag /= Math.max(1, n);
  for (let jitter = 0, step = start; step < 1; jitter = step * meanDiag, step *= 10) {
    const L = Float64Array.from(A);
    if (jitter) for (let i = 0; i < n; i++) L[i * n + i] += jitter;
    try {
      cholesky(L, n);
      return { L, jitter };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  throw new RangeError('matrix is not positive definite even with jitter');
}

/** exp(x) of every x ≤ 0 (wasm, f64x2; within 2 ulp of Math.exp, ~5× faster); exp(x < −708) = 0. */
export function expNegative(x: Float64Array): Float64Array {
  const layout = new ArenaLayout();
  layout.f64(x.length);
  layout.f64(x.length);
  const { offsets, views } = layout.allocate();
  views[0].set(x);
  wasmEngine().exp_negative(x.length, offsets[0], offsets[1]);
  return (views[1] as Float64Array).slice();
}
