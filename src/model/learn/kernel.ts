/**
 * One RBF kernel matrix, many fits. For a data set of n ≤ ~5000 rows the kernel
 * K_ij = exp(−γ‖x_i − x_j‖²) of all rows is computed once per γ (n² doubles: 1794
 * rows = 26 MB) and every fold, repetition and (C, ε) trains on index lists into it
 * (src/model/learn/smo.ts), with no copies.
 *
 * The squared distances are kept apart from the kernel so a γ grid costs one exp pass
 * per γ, not one distance pass: ‖x_i − x_j‖² = ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j from one
 * Gram matrix (linalg.squaredDistances).
 */
import { rowProducts, squaredDistances } from '../../util/linalg.ts';
import type { Kernel } from './smo.ts';

/** Row-major dense rows: rows × cols. */
export interface DenseRows {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Copy number[][] into one Float64Array, checking the shape. */
export function denseRows(X: readonly (readonly number[])[]): DenseRows {
  if (X.length === 0) throw new RangeError('empty feature matrix');
  const cols = X[0].length;
  const data = new Float64Array(X.length * cols);
  for (let i = 0; i < X.length; i++) {
    if (X[i].length !== cols) throw new RangeError(`row ${i} has ${X[i].length} features, expected ${cols}`);
    data.set(X[i], i * cols);
  }
  return { rows: X.length, cols, data };
}

/** Rows transformed column-wise as z = (x − mean)/scale. */
export function scaleColumns(X: DenseRows, mean: readonly number[], scale: readonly number[]): DenseRows {
  const { rows, cols, data } = X;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0, o = i * cols; j < cols; j++) out[o + j] = (data[o + j] - mean[j]) / scale[j];
  return { rows, cols, data: out };
}

/**
 * Squared Euclidean norm of every row, summed in the order of the wasm row products (even and
 * odd columns apart, then the last odd column), so ‖x‖² here equals the Gram diagonal bit for bit.
 */
export function rowNorms(X: DenseRows): Float64Array {
  const { rows, cols, data } = X;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let s0 = 0;
    let s1 = 0;
    let j = 0;
    for (; j + 1 < cols; j += 2) {
      s0 += data[o + j] * data[o + j];
      s1 += data[o + j + 1] * data[o + j + 1];
    }
    let s = s0 + s1;
    if (j < cols) s += data[o + j] * data[o + j];
    out[i] = s;
  }
  return out;
}

/** ‖x_i − x_j‖² of all pairs of rows, n×n row-major (zero diagonal, clamped at 0 against round-off). */
export class SquaredDistances {
  readonly n: number;
  readonly data: Float64Array;

  private constructor(n: number, data: Float64Array) {
    this.n = n;
    this.data = data;
  }

  static of(X: DenseRows): SquaredDistances {
    const D = new Float64Array(X.rows * X.rows);
    squaredDistances(X.data, X.rows, X.cols, D);
    return new SquaredDistances(X.rows, D);
  }
}

/** An RBF kernel matrix of n rows: K_ij = exp(−γ‖x_i − x_j‖²), symmetric, unit diagonal. */
export class KernelMatrix implements Kernel {
  readonly n: number;
  readonly gamma: number;
  readonly data: Float64Array;

  private constructor(n: number, gamma: number, data: Float64Array) {
    this.n = n;
    this.gamma = gamma;
    this.data = data;
  }

  /** The kernel of the rows of X (already scaled as the model wants them). */
  static rbf(X: DenseRows, gamma: number): KernelMatrix {
    return KernelMatrix.fromSquaredDistances(SquaredDistances.of(X), gamma);
  }

  /** exp(−γ D²); `reuse` (a kernel of the same size no longer needed) saves the allocation. */
  static fromSquaredDistances(D2: SquaredDistances, gamma: number, reuse?: KernelMatrix): KernelMatrix {
    if (!(gamma > 0) || !Number.isFinite(gamma)) throw new RangeError(`RBF gamma must be positive, got ${gamma}`);
    const n = D2.n;
    const data = reuse && reuse.n === n ? reuse.data : new Float64Array(n * n);
    const D = D2.data;
    const g = -gamma;
    // symmetric: exp of the upper triangle, mirrored
    for (let i = 0; i < n; i++) {
      const o = i * n;
      data[o + i] = 1;
      for (let j = i + 1; j < n; j++) data[o + j] = Math.exp(g * D[o + j]);
    }
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[j * n + i] = data[i * n + j];
    return new KernelMatrix(n, gamma, data);
  }

  /** Row i as a view (no copy). */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.n, (i + 1) * this.n);
  }
}

/**
 * exp(−γ‖a_i − b_j‖²) for the rows of A against the rows of B, m×n row-major
 * (the batched kernel rows of a prediction). `bNorms` may be passed when B is reused.
 */
export function rbfCross(A: DenseRows, B: DenseRows, gamma: number, bNorms: Float64Array = rowNorms(B)): Float64Array {
  if (A.cols !== B.cols) throw new RangeError(`rbfCross: ${A.cols} against ${B.cols} columns`);
  const m = A.rows;
  const n = B.rows;
  const out = new Float64Array(m * n);
  rowProducts(A.data, m, B.data, n, A.cols, out);
  const aNorms = rowNorms(A);
  const g = -gamma;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    const ai = aNorms[i];
    for (let j = 0; j < n; j++) {
      const d = ai + bNorms[j] - 2 * out[o + j];
      out[o + j] = Math.exp(g * (d > 0 ? d : 0));
    }
  }
  return out;
}
