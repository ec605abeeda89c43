import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SVR } from '../src/model/learn/svr.ts';
import { RandomForest } from '../src/model/learn/forest.ts';
import { regressorFromJSON } from '../src/model/learn/regressors.ts';
import { gridSearchSVR } from '../src/model/evaluation/search.ts';
import { mae } from '../src/model/learn/metrics.ts';
import { smoothFunctionSplit } from '../src/model/learn/synthetic.ts';

// y = sin(x0) + 0.5·x1² + N(0, 0.05²), 5 features (3 pure noise), 300 train / 100 test
const { Xtr, ytr, Xte, yte, meanMae } = smoothFunctionSplit(); // meanMae ≈ 0.77

test('SVR learns the smooth function and round-trips through JSON exactly', async () => {
  const m = new SVR({ C: 10, epsilon: 0.05 });
  await m.fit(Xtr, ytr);
  const p = m.predict(Xte);
  const err = mae(yte, p);
  assert.ok(meanMae > 0.6, `mean-predictor MAE ${meanMae}`);
  assert.ok(err < 0.15, `SVR test MAE ${err}`); // measured 0.110
  assert.ok(err < 0.25 * meanMae);
  assert.ok(m.nSupportVectors > 10 && m.nSupportVectors < 300);
  const loaded = await regressorFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(loaded.predict(Xte), p);
  const again = new SVR({ C: 10, epsilon: 0.05, seed: 5 });
  await again.fit(Xtr, ytr);
  assert.deepEqual(again.predict(Xte), p);
});

test('gridSearchSVR with groups: halving picks a good corner of the grid', async () => {
  const groups = Xtr.map((_, i) => `g${Math.floor(i / 3)}`); // 100 groups of 3 rows
  const grid = { C: [0.1, 10], gamma: [0.002, 0.2], epsilon: [0.05], folds: 3, seed: 2 };
  const full = await gridSearchSVR(Xtr, ytr, groups, { ...grid, strategy: 'full' });
  assert.equal(full.table.length, 4);
  assert.equal(full.fits, 12);
  assert.deepEqual(full.best, { C: 10, gamma: 0.2, epsilon: 0.05 });
  assert.ok(full.bestMae < 0.2, `best CV MAE ${full.bestMae}`);
  // worst corner (tiny C, near-linear kernel) must be far worse
  assert.ok(full.table[full.table.length - 1].meanMae > 2 * full.bestMae);
  const halving = await gridSearchSVR(Xtr, ytr, groups, { ...grid, C: [0.1, 1, 10], gamma: [0.002, 0.02, 0.2], strategy: 'halving' });
  // 9 candidates on half-size training folds, only the best 3 on full folds
  assert.equal(halving.table.filter((r) => r.resource === 0.5).length, 9);
  assert.equal(halving.table.filter((r) => r.resource === 1).length, 3);
  assert.deepEqual(halving.best, { C: 10, gamma: 0.2, epsilon: 0.05 });
});

test('RandomForest learns the function, is seed-reproducible and JSON-exact', async () => {
  const m = new RandomForest({ nEstimators: 60, seed: 3 });
  await m.fit(Xtr, ytr);
  const p = m.predict(Xte);
  const err = mae(yte, p);
  assert.ok(err < 0.2, `RF test MAE ${err}`); // measured ≈ 0.13
  const same = new RandomForest({ nEstimators: 60, seed: 3 });
  await same.fit(Xtr, ytr);
  assert.deepEqual(same.predict(Xte), p);
  const other = new RandomForest({ nEstimators: 60, seed: 4 });
  await other.fit(Xtr, ytr);
  assert.notDeepEqual(other.predict(Xte), p);
  const loaded = await regressorFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(loaded.predict(Xte), p);
  // a single unbagged full-depth tree with all features interpolates the training data
  const tree = new RandomForest({ nEstimators: 1, bootstrap: false, seed: 0 });
  await tree.fit(Xtr, ytr);
  assert.ok(mae(ytr, tree.predict(Xtr)) < 1e-12);
});
