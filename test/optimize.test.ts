/**
 * The optimiser of the GP hyper-parameters (src/model/learn/optimize.ts) on
 * functions with known minima, and `fitHyper` recovering the hyper-parameters
 * of data drawn from a GP with known ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lbfgs } from '../src/model/learn/optimize.ts';
import { blockRbfKernel, DesignBuilder, fitHyper, LatentGP, logMarginalLikelihood } from '../src/model/learn/gp.ts';
import { createRng } from '../src/model/learn/random.ts';
import { solveLinear } from '../src/util/linalg.ts';

type Objective = (x: number[]) => { f: number; g: number[] };

/** ½(x − c)ᵀA(x − c): minimiser c, minimum 0. */
function quadratic(A: number[][], c: number[]): Objective {
  return (x) => {
    const d = x.map((v, i) => v - c[i]);
    const Ad = A.map((row) => row.reduce((s, a, j) => s + a * d[j], 0));
    return { f: 0.5 * d.reduce((s, v, i) => s + v * Ad[i], 0), g: Ad };
  };
}

/** Rosenbrock's valley: minimum 0 at (1, 1). */
const rosenbrock: Objective = ([x, y]) => ({ f: 100 * (y - x * x) ** 2 + (1 - x) ** 2, g: [-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)] });

/** The objective, recording every point it is asked about. */
function recorded(f: Objective): { f: Objective; points: number[][] } {
  const points: number[][] = [];
  return { f: (x) => (points.push([...x]), f(x)), points };
}

const distance = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

// symmetric positive definite, eigenvalues 0.038 … 4.67 (condition ~120)
const A = [
  [4, 1, 0, 0.5, 0],
  [1, 3, 0.2, 0, 0],
  [0, 0.2, 2, 0.3, 0],
  [0.5, 0, 0.3, 1, 0.1],
  [0, 0, 0, 0.1, 0.05],
];
const C = [1, -2, 0.5, 3, -4];

test('a convex quadratic in 5 dimensions (condition ~120): the known minimiser to 1e-6', () => {
  const r = lbfgs(quadratic(A, C), [0, 0, 0, 0, 0], { tolerance: 1e-12 });
  assert.ok(distance(r.x, C) < 1e-6, `|x − x*| = ${distance(r.x, C)}`);
  assert.ok(r.f < 1e-12, `f = ${r.f}`);
  // quasi-Newton on a quadratic: a few more iterations than dimensions (measured 18), not a slow crawl
  assert.ok(r.iterations < 30, `${r.iterations} iterations`);
});

test('Rosenbrock from the standard start (−1.2, 1): the minimum (1, 1)', () => {
  const loose = lbfgs(rosenbrock, [-1.2, 1]);
  assert.ok(distance(loose.x, [1, 1]) < 1e-4, `default tolerance: ${loose.x}`);
  const tight = lbfgs(rosenbrock, [-1.2, 1], { tolerance: 1e-12 });
  assert.ok(distance(tight.x, [1, 1]) < 1e-7, `tight tolerance: ${tight.x}`);
  assert.ok(tight.f < 1e-14, `f = ${tight.f}`);
});

test('a box is respected: every point evaluated lies in it, a start outside is brought in, a minimum on the bound is found', () => {
  const lower = [-2, -2];
  const upper = [0.5, 2];
  for (const start of [[-1.2, 1], [3, 3], [-5, 0]]) {
    const { f, points } = recorded(rosenbrock);
    const r = lbfgs(f, start, { lower, upper });
    assert.ok(points.every((x) => x.every((v, i) => v >= lower[i] && v <= upper[i])), `start ${start}: a point outside the box was evaluated`);
    assert.equal(r.x[0], 0.5, `start ${start}: the minimum lies on x = 0.5`);
  }
  // one dimension: (x − 3)² on [−1, 1] has its minimum on the upper bound
  const r = lbfgs(([x]) => ({ f: (x - 3) ** 2, g: [2 * (x - 3)] }), [0], { lower: [-1], upper: [1] });
  assert.deepEqual(r.x, [1]);
  assert.equal(r.f, 4);
});

// Bounds that hold a coordinate: the quasi-Newton step must go on in the others (a clipped step alone can point uphill).
test('with coupled coordinates, a minimum on a bound satisfies the KKT conditions', () => {
  // (x − 3)² + (y − 1)² + xy on x ≤ 1: x = 1 is active (∂f/∂x = −3.5 there), ∂f/∂y = 0 gives y = ½, f = 4.75
  const r = lbfgs(([x, y]) => ({ f: (x - 3) ** 2 + (y - 1) ** 2 + x * y, g: [2 * (x - 3) + y, 2 * (y - 1) + x] }), [0, 0], { lower: [-5, -5], upper: [1, 5], tolerance: 1e-12 });
  assert.ok(distance(r.x, [1, 0.5]) < 1e-6 && Math.abs(r.f - 4.75) < 1e-10, `(${r.x}) f ${r.f}`);
  // Rosenbrock on x ≤ ½: along the valley y = x², f = (1 − x)² falls towards the bound: (½, ¼), f = ¼
  const b = lbfgs(rosenbrock, [-1.2, 1], { lower: [-2, -2], upper: [0.5, 2], tolerance: 1e-12 });
  assert.ok(distance(b.x, [0.5, 0.25]) < 1e-6 && Math.abs(b.f - 0.25) < 1e-10, `(${b.x}) f ${b.f}`);
});

test('a coordinate fixed by lower = upper (as the gp family fixes hyper-parameters) leaves the others at their conditional minimum', () => {
  const fixed = 0.7;
  const r = lbfgs(quadratic(A, C), [0, fixed, 0, 0, 0], { lower: [-10, fixed, -10, -10, -10], upper: [10, fixed, 10, 10, 10], tolerance: 1e-12 });
  // the free coordinates F solve A_FF (x_F − c_F) = −A_F1 (x_1 − c_1)
  const F = [0, 2, 3, 4];
  const d = solveLinear(F.map((i) => F.map((j) => A[i][j])), F.map((i) => -A[i][1] * (fixed - C[1])))!;
  const want = [C[0] + d[0], fixed, C[2] + d[1], C[3] + d[2], C[4] + d[3]];
  assert.equal(r.x[1], fixed);
  assert.ok(distance(r.x, want) < 1e-6, `(${r.x.map((v) => v.toFixed(4))}) for (${want.map((v) => v.toFixed(4))}), f ${r.f} for ${quadratic(A, C)(want).f}`);
});

test('fitHyper recovers the hyper-parameters of data drawn from a GP with known ones (150 points, fixed seed)', () => {
  // σ² exp(−Δx₁²/2ℓ₁² − Δx₂²/2ℓ₂²) on [0, 5]², plus noise
  const truth = { 'f.sigma': 1, 'f.ell1': 0.7, 'f.ell2': 2, sigmaN: 0.1 };
  const components = [{ name: 'f', kernel: blockRbfKernel([[0], [1]], { sigma: [1e-2, 100], ell: [1e-2, 100] }) }];
  const rng = createRng(1);
  const n = 150;
  const b = new DesignBuilder(2);
  for (let i = 0; i < n; i++) {
    const x = [5 * rng.next(), 5 * rng.next()];
    b.row([[b.point(String(i), '', () => x), 1]]);
  }
  const inputs = { n, designs: [b.design()] };
  // y = L z with L the factor of K + σn²I at the true hyper-parameters
  const L = new LatentGP(components, inputs, new Float64Array(n), truth).L;
  const z = Array.from({ length: n }, () => rng.normal());
  const y = Array.from({ length: n }, (_, i) => z.reduce((s, zp, p) => s + (p <= i ? L[i * n + p] * zp : 0), 0));

  const start = { 'f.sigma': 0.3, 'f.ell1': 3, 'f.ell2': 0.5, sigmaN: 0.5 };
  const r = fitHyper(components, inputs, y, start, { noise: [1e-3, 10] });
  // the maximum likelihood is at least that of the truth, and a stationary point
  const atTruth = logMarginalLikelihood(components, inputs, y, truth).value;
  assert.ok(r.logMarginal >= atTruth, `log ML ${r.logMarginal} below the truth's ${atTruth}`);
  const { value, gradient } = logMarginalLikelihood(components, inputs, y, r.hyper);
  assert.ok(Math.abs(value - r.logMarginal) < 1e-9);
  for (const [k, g] of Object.entries(gradient)) assert.ok(Math.abs(g) < 0.1, `∂ log ML/∂ log ${k} = ${g} at the fit`);
  // sampling spread of the estimates over seeds 1–5 and n = 100–200: ℓ₁, σn within 20 %, ℓ₂ 50 %, σ 40 %
  const ratio = (k: keyof typeof truth) => r.hyper[k] / truth[k];
  assert.ok(Math.abs(Math.log(ratio('f.ell1'))) < Math.log(1.25), `ℓ₁ ${r.hyper['f.ell1']}`);
  assert.ok(Math.abs(Math.log(ratio('sigmaN'))) < Math.log(1.25), `σn ${r.hyper.sigmaN}`);
  assert.ok(Math.abs(Math.log(ratio('f.ell2'))) < Math.log(1.6), `ℓ₂ ${r.hyper['f.ell2']}`);
  assert.ok(Math.abs(Math.log(ratio('f.sigma'))) < Math.log(2), `σ ${r.hyper['f.sigma']}`);
});
