/**
 * Dense symmetric positive-definite algebra on row-major Float64Arrays: the
 * Cholesky factor, triangular solves, the inverse and the log-determinant —
 * what a Gaussian process needs. Loops run along rows (contiguous memory).
 */

/**
 * In-place Cholesky A = L Lᵀ of an n×n matrix (only the lower triangle is read;
 * the upper is zeroed). Returns false when A is not positive definite.
 */
export function cholesky(A: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= A[rj + k] * A[rj + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    A[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = A[ri + j];
      // dot of row i and row j up to column j (both contiguous)
      let k = 0;
      for (; k + 3 < j; k += 4) s -= A[ri + k] * A[rj + k] + A[ri + k + 1] * A[rj + k + 1] + A[ri + k + 2] * A[rj + k + 2] + A[ri + k + 3] * A[rj + k + 3];
      for (; k < j; k++) s -= A[ri + k] * A[rj + k];
      A[ri + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) A[rj + k] = 0;
  }
  return true;
}

/** Factor A + jitter·I, raising the jitter tenfold from `start` (relative to the mean diagonal) until it works. */
export function choleskyWithJitter(A: Float64Array, n: number, start = 1e-10): { L: Float64Array; jitter: number } {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += A[i * n + i];
  meanDiag /= Math.max(1, n);
  for (let jitter = 0, step = start; step < 1; jitter = step * meanDiag, step *= 10) {
    const L = Float64Array.from(A);
    if (jitter) for (let i = 0; i < n; i++) L[i * n + i] += jitter;
    if (cholesky(L, n)) return { L, jitter };
  }
  throw new RangeError('matrix is not positive definite even with jitter');
}

/** Solve L x = b (L lower-triangular), in place on b. */
export function solveLower(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
  return b;
}

/** Solve Lᵀ x = b, in place on b. */
export function solveUpper(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    b[i] /= L[i * n + i];
    const bi = b[i];
    for (let k = 0; k < i; k++) b[k] -= L[i * n + k] * bi;
  }
  return b;
}

/** A⁻¹ b from the factor. */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveUpper(L, n, solveLower(L, n, Float64Array.from(b)));
}

/**
 * L⁻¹ B for many right-hand sides: B is n×m row-major (column j = one right-hand
 * side); overwritten with the result. Row-oriented so the inner loop is contiguous.
 */
export function solveLowerMany(L: Float64Array, n: number, B: Float64Array, m: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const bi = i * m;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k];
      if (l === 0) continue;
      const bk = k * m;
      for (let j = 0; j < m; j++) B[bi + j] -= l * B[bk + j];
    }
    const d = L[ri + i];
    for (let j = 0; j < m; j++) B[bi + j] /= d;
  }
  return B;
}

/** log det A = 2 Σ log L_ii. */
export function logDetFromCholesky(L: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}

/** L⁻¹ of a lower-triangular L (itself lower): row i needs columns ≤ i only. */
export function lowerInverse(L: Float64Array, n: number): Float64Array {
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    M[ri + i] = 1;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k];
      if (l === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) M[ri + j] -= l * M[rk + j];
    }
    const d = L[ri + i];
    for (let j = 0; j <= i; j++) M[ri + j] /= d;
  }
  return M;
}

/** A⁻¹ from its factor (full symmetric matrix, row-major): A⁻¹ = L⁻ᵀ L⁻¹, summed row by row of L⁻¹ so every loop runs along memory. */
export function inverseFromCholesky(L: Float64Array, n: number): Float64Array {
  const M = lowerInverse(L, n);
  const out = new Float64Array(n * n);
  // (Mᵀ M)_ij = Σ_k M_ki M_kj; M is lower, so k ≥ max(i, j)
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const mki = M[rk + i];
      if (mki === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) out[ri + j] += mki * M[rk + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j];
  return out;
}

/** Inverse of a small symmetric positive-definite matrix (k-fold blocks); null when singular. */
export function inverseSPD(A: Float64Array, n: number): Float64Array | null {
  const L = Float64Array.from(A);
  if (!cholesky(L, n)) return null;
  return inverseFromCholesky(L, n);
}
