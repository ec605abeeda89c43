import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { familySpec } from '../src/model/families/index.ts';
import { featurizerFor } from '../src/features/ce.ts';
import { StandardScaler } from '../src/model/learn/scaler.ts';
import { denseRows, KernelMatrix, scaleColumns } from '../src/model/learn/kernel.ts';
import { fitSVRPrecomputed, restrictDual, solveSvrDual } from '../src/model/learn/smo.ts';
import { SVR } from '../src/model/learn/svr.ts';
import { svrCrossValidate, svrCrossValidateParallel } from '../src/model/learn/svrCV.ts';
import { trainRbfSVR } from '../src/model/learn/libsvm.ts';
import { kFold, trainTestSplit, take } from '../src/model/learn/splits.ts';
import { mae } from '../src/model/learn/metrics.ts';
import { smoothFunctionSplit } from '../src/model/learn/synthetic.ts';

/** The site family's CE matrix of the 1794 α substitutions (as scripts/peer/peer.ts exports it). */
function alphaMatrix(): { X: number[][]; y: number[] } {
  const { system, data } = trainingData(DEFAULT_DATA);
  const samples = collapseByKey(data.rows);
  const f = featurizerFor(system.enumeration, familySpec('site').features);
  return { X: samples.map((s) => f.features(s.substitution)), y: samples.map((s) => s.eds) };
}

const site = familySpec('site').params as { C: number; epsilon: number; gammaScale: number };

test('two points: the SVR passes through the tube edges, β = (y1 − y2 + 2ε)/(2(1 − k)), b = mean(y)', () => {
  const k = Math.exp(-0.5); // K of two rows at squared distance 1, γ = 0.5
  const K = { n: 2, data: Float64Array.from([1, k, k, 1]) };
  const y = [0.2, 1.5];
  const eps = 0.1;
  const sol = solveSvrDual(K, y, [0, 1], { C: 100, epsilon: eps, tolerance: 1e-9 });
  const beta = (y[0] - y[1] + 2 * eps) / (2 * (1 - k));
  assert.ok(Math.abs(sol.beta[0] - beta) < 1e-9, `β ${sol.beta[0]} vs ${beta}`);
  assert.ok(Math.abs(sol.beta[1] + beta) < 1e-9);
  assert.ok(Math.abs(sol.b - (y[0] + y[1]) / 2) < 1e-9);
  // a tight C clips β at −C and the tube edges are no longer reached
  const clipped = solveSvrDual(K, y, [0, 1], { C: 0.5, epsilon: eps, tolerance: 1e-9 });
  assert.equal(clipped.beta[0], -0.5);
  assert.equal(clipped.alphaStar[0], 0.5);
});

test('same solution as libsvm-js on the α CE matrix: dual objective to 1e-6, same support vectors up to rows on the tube edge', async () => {
  const { X, y } = alphaMatrix();
  const split = trainTestSplit(X.length, 0.5, 3); // 897 training rows keep the test quick
  const scaler = new StandardScaler().fit(take(X, split.train));
  const Xs = scaleColumns(denseRows(X), scaler.mean, scaler.scale);
  const gamma = site.gammaScale / X[0].length;
  const p = { C: site.C, epsilon: site.epsilon };
  const K = KernelMatrix.rbf(Xs, gamma);
  const ours = fitSVRPrecomputed(K, y, split.train, p);
  assert.ok(ours.dual.converged);
  const lib = await trainRbfSVR(scaler.transform(take(X, split.train)), take(y, split.train), { ...p, gamma });
  // libsvm's coefficients by training position: its support vectors are rows of the training matrix
  const libBeta = new Float64Array(split.train.length);
  const svIndex = new Map<string, number>(split.train.map((g, k) => [Array.from(Xs.data.subarray(g * Xs.cols, (g + 1) * Xs.cols)).join(','), k]));
  for (let s = 0; s < lib.coef.length; s++) libBeta[svIndex.get(Array.from(lib.sv.subarray(s * lib.d, (s + 1) * lib.d)).join(','))!] += lib.coef[s];
  const objective = (beta: Float64Array) => {
    let o = 0;
    for (let a = 0; a < beta.length; a++) {
      if (beta[a] === 0) continue;
      let kb = 0;
      for (let b = 0; b < beta.length; b++) kb += beta[b] * K.data[split.train[a] * K.n + split.train[b]];
      o += 0.5 * beta[a] * kb - y[split.train[a]] * beta[a] + p.epsilon * Math.abs(beta[a]);
    }
    return o;
  };
  const oursObj = objective(ours.dual.beta);
  const libObj = objective(libBeta);
  assert.ok(Math.abs(oursObj - ours.dual.objective) < 1e-6 * Math.abs(oursObj), 'reported objective');
  assert.ok(Math.abs(oursObj - libObj) < 1e-6 * Math.abs(libObj), `objective ${oursObj} vs libsvm ${libObj}`);
  // support vectors: any row that differs sits on the tube edge within the tolerance
  const fitted = ours.predictRows(split.train);
  let differ = 0;
  split.train.forEach((g, k) => {
    if ((ours.dual.beta[k] !== 0) === (libBeta[k] !== 0)) return;
    differ++;
    assert.ok(Math.abs(Math.abs(y[g] - fitted[k]) - p.epsilon) < 1e-3, `row ${g} is a support vector of one solver only, off the tube edge`);
  });
  const nSV = ours.supportRows.length;
  // every differing row was checked above to sit on the tube edge; a handful of them is tolerance, not a different solution
  assert.ok(nSV > 500 && Math.abs(nSV - lib.coef.length) <= 5, `nSV ${nSV} vs ${lib.coef.length}`);
  assert.ok(differ <= 4, `${differ} support vectors differ`); // measured 1 (799 vs 800 of 897 rows)
  assert.ok(Math.abs(ours.b - lib.b) < 5e-3, `b ${ours.b} vs ${lib.b}`); // measured 1.5e-3 eV
  // test predictions agree to well within the MAE of either
  const pOurs = ours.predictRows(split.test);
  const Xte = scaler.transform(take(X, split.test));
  const { rbfPredict } = await import('../src/model/learn/svr.ts');
  const pLib = rbfPredict(lib, Xte);
  const yte = take(y, split.test);
  const maeOurs = mae(yte, Array.from(pOurs));
  assert.ok(Math.abs(maeOurs - mae(yte, pLib)) < 1e-3 * maeOurs + 1e-4, `test MAE ${maeOurs} vs ${mae(yte, pLib)}`);
  assert.ok(maeOurs > 0.05 && maeOurs < 0.2, `test MAE ${maeOurs} eV`); // measured 0.132
});

test('SVR predicts what the precomputed-kernel model predicts; warm starts along C reach the cold solutions', () => {
  const { Xtr, ytr, Xte } = smoothFunctionSplit();
  const all = [...Xtr, ...Xte];
  const yAll = [...ytr, ...Xte.map(() => NaN)];
  const train = Xtr.map((_, i) => i);
  const test = Xte.map((_, i) => Xtr.length + i);
  const scaler = new StandardScaler().fit(Xtr);
  const K = KernelMatrix.rbf(scaleColumns(denseRows(all), scaler.mean, scaler.scale), 0.2);
  const svr = new SVR({ C: 10, epsilon: 0.05, gamma: 0.2 });
  return svr.fit(Xtr, ytr).then(() => {
    const direct = fitSVRPrecomputed(K, yAll, train, { C: 10, epsilon: 0.05 });
    // same kernel entries, same solver path: identical to round-off
    const a = svr.predict(Xte);
    const b = direct.predictRows(test);
    a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) < 1e-12, `row ${k}: ${v} vs ${b[k]}`));
    // C path 0.1 → 1 → 10 → 100 with warm starts: each within tolerance of its cold solution, fewer iterations in all
    let warm = undefined as ReturnType<typeof solveSvrDual> | undefined;
    let itWarm = 0;
    let itCold = 0;
    for (const C of [0.1, 1, 10, 100]) {
      const cold = solveSvrDual(K, yAll, train, { C, epsilon: 0.05 });
      warm = solveSvrDual(K, yAll, train, { C, epsilon: 0.05 }, warm);
      itWarm += warm.iterations;
      itCold += cold.iterations;
      assert.ok(Math.abs(warm.objective - cold.objective) < 1e-5 * Math.abs(cold.objective), `C ${C}: ${warm.objective} vs ${cold.objective}`);
    }
    assert.ok(itWarm < itCold, `warm ${itWarm} vs cold ${itCold} iterations`);
    // a smaller C than the start's: the start is scaled into the box
    const down = solveSvrDual(K, yAll, train, { C: 1, epsilon: 0.05 }, warm);
    const cold1 = solveSvrDual(K, yAll, train, { C: 1, epsilon: 0.05 });
    assert.ok(down.alpha.every((v) => v <= 1) && down.alphaStar.every((v) => v <= 1));
    assert.ok(Math.abs(down.objective - cold1.objective) < 1e-5 * Math.abs(cold1.objective));
  });
});

test('restrictDual: a feasible start on a subset (Σβ = 0, inside the box)', () => {
  const { Xtr, ytr } = smoothFunctionSplit();
  const K = KernelMatrix.rbf(denseRows(Xtr), 0.2);
  const all = Xtr.map((_, i) => i);
  const full = solveSvrDual(K, ytr, all, { C: 10, epsilon: 0.05 });
  const sub = all.filter((i) => i % 5 !== 0);
  const seed = restrictDual(full, sub)!;
  const sum = seed.alpha.reduce((s, a, k) => s + a - seed.alphaStar[k], 0);
  assert.ok(Math.abs(sum) < 1e-9, `Σβ ${sum}`);
  assert.ok(seed.alpha.every((a) => a >= 0 && a <= 10) && seed.alphaStar.every((a) => a >= 0 && a <= 10));
  assert.equal(restrictDual(full, [...sub, Xtr.length + 3]), null);
  const seeded = solveSvrDual(K, ytr, sub, { C: 10, epsilon: 0.05 }, seed);
  const cold = solveSvrDual(K, ytr, sub, { C: 10, epsilon: 0.05 });
  assert.ok(Math.abs(seeded.objective - cold.objective) < 1e-5 * Math.abs(cold.objective));
});

test('svrCrossValidate: per-fold scaling reproduces SVR.fit on every fold; a grid point per (C, γ, ε)', async () => {
  const { Xtr, ytr } = smoothFunctionSplit();
  const splits = kFold(Xtr.length, 3, 1);
  const grid = { C: [1, 10], epsilon: [0.05], gamma: [0.2] };
  const cv = svrCrossValidate({ X: Xtr, y: ytr, splits, grid, standardize: 'fold', warmStart: false });
  assert.equal(cv.points.length, 2);
  assert.deepEqual(cv.points.map((p) => [p.C, p.gamma, p.epsilon]), [[1, 0.2, 0.05], [10, 0.2, 0.05]]);
  for (const [pi, C] of [1, 10].entries()) {
    for (const [si, s] of splits.entries()) {
      const m = new SVR({ C, epsilon: 0.05, gamma: 0.2 });
      await m.fit(take(Xtr, s.train), take(ytr, s.train));
      const want = m.predict(take(Xtr, s.test));
      const got = cv.points[pi].predictions[si];
      want.forEach((v, k) => assert.ok(Math.abs(v - got[k]) < 1e-12, `C ${C} split ${si} row ${k}`));
    }
  }
  // C = 10 fits the function (noise 0.05): CV MAE well below the spread of y
  const cvMae = splits.map((s, si) => mae(take(ytr, s.test), Array.from(cv.points[1].predictions[si])));
  assert.ok(cvMae.every((v) => v < 0.2), `fold MAE ${cvMae}`);
  // warm starts along the path and global scaling: within the solver tolerance of the same answer
  const fast = svrCrossValidate({ X: Xtr, y: ytr, splits, grid, standardize: 'global', warmStart: true });
  const fastMae = splits.map((s, si) => mae(take(ytr, s.test), Array.from(fast.points[1].predictions[si])));
  fastMae.forEach((v, k) => assert.ok(Math.abs(v - cvMae[k]) < 0.01, `fold ${k}: ${v} vs ${cvMae[k]}`));
  // per-split targets: split 1 learns y + 1, so its predictions shift by 1 (to the solver tolerance)
  const shifted = svrCrossValidate({ X: Xtr, y: ytr, splits, grid, standardize: 'fold', warmStart: false, splitTargets: splits.map((_, k) => ytr.map((v) => v + (k === 1 ? 1 : 0))) });
  shifted.points[1].predictions[1].forEach((v, t) => assert.ok(Math.abs(v - 1 - cv.points[1].predictions[1][t]) < 2e-3));
  assert.deepEqual(Array.from(shifted.points[1].predictions[0]), Array.from(cv.points[1].predictions[0]));
});

test('svrCrossValidateParallel: two worker threads give the single thread\'s predictions exactly', async () => {
  const { Xtr, ytr } = smoothFunctionSplit();
  const splits = kFold(Xtr.length, 4, 2);
  const o = { X: Xtr, y: ytr, splits, grid: { C: [1, 10], epsilon: [0.05, 0.1], gamma: [0.2] }, standardize: 'global' as const, alphaSeeding: true };
  const one = svrCrossValidate(o);
  const two = await svrCrossValidateParallel(o, 2);
  assert.equal(two.points.length, 4);
  two.points.forEach((p, pi) => {
    assert.deepEqual([p.C, p.gamma, p.epsilon], [one.points[pi].C, one.points[pi].gamma, one.points[pi].epsilon]);
    p.predictions.forEach((pred, si) => assert.deepEqual(Array.from(pred), Array.from(one.points[pi].predictions[si])));
    assert.deepEqual(p.iterations, one.points[pi].iterations);
  });
});

test('svrCrossValidate on a list of points: the grid\'s predictions for those points, in the list\'s order', () => {
  const { Xtr, ytr } = smoothFunctionSplit();
  const splits = kFold(Xtr.length, 3, 4);
  const grid = svrCrossValidate({ X: Xtr, y: ytr, splits, grid: { C: [1, 10], epsilon: [0.05], gamma: [0.1, 0.3] } });
  const points = [{ C: 10, epsilon: 0.05, gamma: 0.3 }, { C: 1, epsilon: 0.05, gamma: 0.1 }];
  const list = svrCrossValidate({ X: Xtr, y: ytr, splits, points });
  assert.deepEqual(list.points.map((p) => [p.C, p.gamma]), [[10, 0.3], [1, 0.1]]);
  for (const p of list.points) {
    const q = grid.points.find((g) => g.C === p.C && g.gamma === p.gamma)!;
    p.predictions.forEach((pred, si) => assert.deepEqual(Array.from(pred), Array.from(q.predictions[si])));
  }
  assert.throws(() => svrCrossValidate({ X: Xtr, y: ytr, splits, points: [points[0], points[0]] }), /given twice/);
  assert.throws(() => svrCrossValidate({ X: Xtr, y: ytr, splits, points, grid: { C: [1], epsilon: [0.1], gamma: [1] } }), /either a grid or a list/);
});
