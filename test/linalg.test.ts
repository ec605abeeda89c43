import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, choleskyInverse, choleskyLogDet, choleskySolve, expNegative, rowProducts, solveLinear, solveTriangular, squaredDistances } from '../src/util/linalg.ts';
import { seededRandom } from './helpers.ts';

/** The second-difference matrix tridiag(−1, 2, −1) of size n: det = n + 1, (A⁻¹)_ij = i(n + 1 − j)/(n + 1) for i ≤ j (1-based). */
function secondDifference(n: number): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    A[i * n + i] = 2;
    if (i > 0) A[i * n + i - 1] = A[(i - 1) * n + i] = -1;
  }
  return A;
}

function matmul(A: Float64Array, B: Float64Array, n: number, m: number): Float64Array {
  const C = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let p = 0; p < n; p++) for (let j = 0; j < m; j++) C[i * m + j] += A[i * n + p] * B[p * m + j];
  return C;
}

test('Cholesky of tridiag(−1, 2, −1): log det = log(n + 1) and the closed-form inverse, across block edges', () => {
  for (const n of [1, 2, 63, 64, 65, 130, 257]) {
    const L = secondDifference(n);
    cholesky(L, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0);
    // L is bidiagonal: L_ii = √((i+2)/(i+1)), L_{i+1,i} = −√((i+1)/(i+2)) (0-based)
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(L[i * n + i] - Math.sqrt((i + 2) / (i + 1))) < 1e-14, `n ${n} L_${i}${i}`);
      if (i + 1 < n) assert.ok(Math.abs(L[(i + 1) * n + i] + Math.sqrt((i + 1) / (i + 2))) < 1e-14);
    }
    assert.ok(Math.abs(choleskyLogDet(L, n) - Math.log(n + 1)) < 1e-12 * Math.max(1, Math.log(n + 1)));
    const inv = choleskyInverse(L, n);
    let err = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const [a, b] = [Math.min(i, j) + 1, Math.max(i, j) + 1];
        err = Math.max(err, Math.abs(inv[i * n + j] - (a * (n + 1 - b)) / (n + 1)));
      }
    assert.ok(err < 1e-11 * n, `n ${n}: inverse error ${err}`);
  }
});

test('Cholesky recovers a random factor; solves with vector and matrix right-hand sides', () => {
  const rnd = seededRandom(11);
  const n = 150;
  const L0 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) L0[i * n + j] = rnd() - 0.5;
    L0[i * n + i] = 1 + rnd();
  }
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let p = 0; p <= Math.min(i, j); p++) A[i * n + j] += L0[i * n + p] * L0[j * n + p];
  const L = Float64Array.from(A);
  cholesky(L, n);
  let err = 0;
  for (let i = 0; i < n * n; i++) err = Math.max(err, Math.abs(L[i] - L0[i]));
  assert.ok(err < 1e-10, `factor error ${err}`);
  // A X = B for 3 right-hand sides, and the triangular halves
  const m = 3;
  const X0 = Float64Array.from({ length: n * m }, () => rnd() - 0.5);
  const B = matmul(A, X0, n, m);
  const X = Float64Array.from(B);
  choleskySolve(L, n, X, m);
  let e = 0;
  for (let i = 0; i < n * m; i++) e = Math.max(e, Math.abs(X[i] - X0[i]));
  assert.ok(e < 1e-9, `solve error ${e}`);
  const y = Float64Array.from(X0.subarray(0, n));
  const Ly = matmul(L0, y, n, 1);
  solveTriangular(L, n, Ly, 1, false);
  Ly.forEach((v, i) => assert.ok(Math.abs(v - y[i]) < 1e-10));
  const Lt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Lt[i * n + j] = L0[j * n + i];
  const Lty = matmul(Lt, y, n, 1);
  solveTriangular(L, n, Lty, 1, true);
  Lty.forEach((v, i) => assert.ok(Math.abs(v - y[i]) < 1e-10));
});

test('a Gaussian-process kernel (RBF + noise) of 600 points: A·A⁻¹ = I, solve residual at round-off', () => {
  const rnd = seededRandom(5);
  const n = 600;
  const k = 7;
  const X = Float64Array.from({ length: n * k }, () => rnd());
  const D = new Float64Array(n * n);
  squaredDistances(X, n, k, D);
  const A = D.map((d) => Math.exp(-2 * d));
  for (let i = 0; i < n; i++) A[i * n + i] += 1e-2;
  const L = Float64Array.from(A);
  cholesky(L, n);
  const inv = choleskyInverse(L, n);
  // (A·A⁻¹)_ij for a sample of rows
  let e = 0;
  for (let i = 0; i < n; i += 37)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += A[i * n + p] * inv[p * n + j];
      e = Math.max(e, Math.abs(s - (i === j ? 1 : 0)));
    }
  assert.ok(e < 1e-9, `A·A⁻¹ − I: ${e}`);
  // inverse symmetric to round-off
  for (let i = 0; i < n; i += 53) for (let j = 0; j < n; j += 29) assert.ok(Math.abs(inv[i * n + j] - inv[j * n + i]) < 1e-9);
});

test('Cholesky refuses an indefinite matrix, naming the pivot', () => {
  const A = Float64Array.from([4, 2, 0, 2, 1, 0, 0, 0, 3]); // second pivot 1 − 2²/4 = 0
  assert.throws(() => cholesky(A, 3), /not positive definite \(pivot 1\)/);
});

test('row products and squared distances equal the definitions; distances are exactly symmetric', () => {
  const rnd = seededRandom(3);
  for (const [m, nB, k] of [[1, 1, 1], [5, 7, 3], [33, 18, 63], [2, 4, 2]]) {
    const A = Float64Array.from({ length: m * k }, () => rnd() - 0.5);
    const B = Float64Array.from({ length: nB * k }, () => rnd() - 0.5);
    const out = new Float64Array(m * (nB + 2));
    rowProducts(A, m, B, nB, k, out, nB + 2);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < nB; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[i * k + p] * B[j * k + p];
        assert.ok(Math.abs(out[i * (nB + 2) + j] - s) < 1e-14, `${m}×${nB}×${k} (${i},${j})`);
      }
    const D = new Float64Array(m * m);
    squaredDistances(A, m, k, D);
    for (let i = 0; i < m; i++) {
      assert.equal(D[i * m + i], 0);
      for (let j = 0; j < m; j++) {
        assert.equal(D[i * m + j], D[j * m + i]);
        let s = 0;
        for (let p = 0; p < k; p++) s += (A[i * k + p] - A[j * k + p]) ** 2;
        assert.ok(Math.abs(D[i * m + j] - s) < 1e-13);
      }
    }
  }
});

test('solveLinear still solves a pivoting system and flags a singular one', () => {
  const x = solveLinear([[0, 2, 1], [1, 1, 1], [2, 1, 0]], [7, 6, 4])!;
  [1, 2, 3].forEach((v, i) => assert.ok(Math.abs(x[i] - v) < 1e-12));
  assert.equal(solveLinear([[1, 2], [2, 4]], [1, 2]), null);
});

test('the wasm exp of x ≤ 0 is within 2 ulp of Math.exp, exact at 0, and 0 below −708', () => {
  const n = 200_001;
  const x = Float64Array.from({ length: n }, (_, i) => -Math.pow(720, i / (n - 1)) + 1); // 0 … −719, log-spaced
  const e = expNegative(x);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    if (x[i] < -708) {
      assert.equal(e[i], 0);
      continue;
    }
    const ref = Math.exp(x[i]);
    worst = Math.max(worst, Math.abs(e[i] - ref) / (ref * Number.EPSILON));
  }
  assert.ok(worst <= 2, `worst ${worst} ulp`); // measured 1.0
  assert.deepEqual(Array.from(expNegative(Float64Array.of(0, -Math.LN2, -1))), [1, 0.5, Math.exp(-1)]);
});
