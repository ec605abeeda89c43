import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelShap, permutationImportance, shapSummary } from '../src/model/learn/interpret.ts';
import { RandomForest } from '../src/model/learn/forest.ts';
import { createRng } from '../src/model/learn/random.ts';
import { smoothFunctionData } from '../src/model/learn/synthetic.ts';

test('permutation importance ranks the two informative features above the noise features', async () => {
  const { X, y } = smoothFunctionData(400, 6, 0.05, 2);
  const m = new RandomForest({ nEstimators: 40, seed: 1 });
  await m.fit(X.slice(0, 300), y.slice(0, 300));
  const imp = permutationImportance(m, X.slice(300), y.slice(300), { repeats: 4, seed: 3 });
  assert.deepEqual(new Set(imp.ranking.slice(0, 2)), new Set([0, 1]));
  const noiseMax = Math.max(...imp.mean.slice(2));
  assert.ok(imp.mean[0] > 5 * noiseMax && imp.mean[1] > 5 * noiseMax, `imp ${imp.mean.map((v) => v.toFixed(3))}`);
  assert.ok(imp.mean[0] > 0.2, `x0 importance ${imp.mean[0]}`);
  assert.equal(imp.sd.length, 6);
});

function linearCase(M: number, seed: number) {
  const rng = createRng(seed);
  const w = Array.from({ length: M }, () => 4 * rng.next() - 2);
  const model = { predict: (X: number[][]) => X.map((x) => x.reduce((s, v, j) => s + w[j] * v, 0.7)) };
  const background = Array.from({ length: 25 }, () => Array.from({ length: M }, () => rng.normal()));
  const X = Array.from({ length: 6 }, () => Array.from({ length: M }, () => 2 * rng.normal()));
  const bgMean = Array.from({ length: M }, (_, j) => background.reduce((s, b) => s + b[j], 0) / background.length);
  return { w, model, background, X, bgMean };
}

test('KernelSHAP recovers w_j (x_j − E[x_j]) for a linear model, exact enumeration (M = 6)', () => {
  const { w, model, background, X, bgMean } = linearCase(6, 5);
  const r = kernelShap(model, X, background, { nSamples: 100, seed: 1 });
  assert.equal(r.exact, true);
  assert.equal(r.coalitions, 62);
  X.forEach((x, i) => {
    x.forEach((v, j) => assert.ok(Math.abs(r.phi[i][j] - w[j] * (v - bgMean[j])) < 1e-8));
    const sum = r.phi[i].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - (r.fx[i] - r.base)) < 1e-10);
  });
});

test('KernelSHAP with sampled coalitions (M = 12, 200 of 4094) and its summary signs', () => {
  const { w, model, background, X, bgMean } = linearCase(12, 9);
  const r = kernelShap(model, X, background, { nSamples: 200, seed: 4 });
  assert.equal(r.exact, false);
  X.forEach((x, i) => {
    x.forEach((v, j) => assert.ok(Math.abs(r.phi[i][j] - w[j] * (v - bgMean[j])) < 1e-6, `φ[${i}][${j}]`));
    assert.ok(Math.abs(r.phi[i].reduce((a, b) => a + b, 0) - (r.fx[i] - r.base)) < 1e-10);
  });
  const summary = shapSummary(r.phi, X);
  for (const s of summary) assert.equal(s.sign, Math.sign(w[s.feature]));
  assert.ok(summary[0].meanAbs >= summary[11].meanAbs);
});

test('KernelSHAP on a non-additive function: efficiency holds and interaction is split symmetrically', () => {
  // f = x0·x1 with background mean 0 at x = (1, 1): Shapley gives φ0 = φ1 = 0.5 for a {0,0} background
  const model = { predict: (X: number[][]) => X.map((x) => x[0] * x[1]) };
  const r = kernelShap(model, [[1, 1, 3]], [[0, 0, 0]], { nSamples: 10 });
  assert.ok(Math.abs(r.phi[0][0] - 0.5) < 1e-9 && Math.abs(r.phi[0][1] - 0.5) < 1e-9, `${r.phi[0]}`);
  assert.ok(Math.abs(r.phi[0][2]) < 1e-9);
});
