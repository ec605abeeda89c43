import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classification, mae, pearson, r2, rmse } from '../src/model/learn/metrics.ts';
import { StandardScaler } from '../src/model/learn/scaler.ts';
import { createRng, permutation } from '../src/model/learn/random.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('mae / rmse / r2 on a hand-computed example', () => {
  const t = [1, 2, 3, 4];
  const p = [1.5, 2, 2, 5];
  // errors 0.5, 0, −1, 1
  close(mae(t, p), 2.5 / 4);
  close(rmse(t, p), Math.sqrt(2.25 / 4));
  // SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5
  close(r2(t, p), 1 - 2.25 / 5);
  close(r2(t, t), 1);
  close(r2(t, [2.5, 2.5, 2.5, 2.5]), 0);
  close(pearson([1, 2, 3], [2, 4, 6]), 1);
  close(pearson([1, 2, 3], [3, 2, 1]), -1);
  assert.throws(() => mae([1, 2], [1]));
});

test('classification scores the y < threshold class', () => {
  const t = [-1, -0.5, 0.2, 1, -2, 3];
  const p = [-0.3, 0.1, -0.1, 2, -1, 0.5];
  // positives (y<0): true at 0,1,4; predicted at 0,2,4 → tp 2 (0,4), fp 1 (2), fn 1 (1), tn 2
  const c = classification(t, p);
  assert.deepEqual([c.tp, c.fp, c.fn, c.tn], [2, 1, 1, 2]);
  close(c.precision, 2 / 3);
  close(c.recall, 2 / 3);
  close(c.f1, 2 / 3);
  close(c.accuracy, 4 / 6);
  // threshold 0.3 moves the boundary: y<0.3 at 0,1,2,4 and ŷ<0.3 at 0,1,2,4 → perfect
  const c2 = classification(t, p, 0.3);
  assert.deepEqual([c2.tp, c2.fp, c2.fn, c2.tn], [4, 0, 0, 2]);
  assert.equal(c2.f1, 1);
  // no predicted positives → precision 0, F1 0 (zero-division convention)
  const c3 = classification([-1, 1], [1, 1]);
  assert.equal(c3.precision, 0);
  assert.equal(c3.f1, 0);
});

test('StandardScaler: zero mean, unit sd, constant column → scale 1, JSON round trip', () => {
  const X = [
    [1, 10, 5],
    [2, 20, 5],
    [3, 60, 5],
  ];
  const s = new StandardScaler().fit(X);
  close(s.mean[1], 30);
  close(s.scale[0], Math.sqrt(2 / 3));
  assert.equal(s.scale[2], 1);
  const Z = s.transform(X);
  for (let j = 0; j < 3; j++) close(Z.reduce((a, r) => a + r[j], 0), 0, 1e-12);
  close(Z.reduce((a, r) => a + r[1] ** 2, 0) / 3, 1, 1e-12);
  assert.deepEqual(Z.map((r) => r[2]), [0, 0, 0]);
  const back = s.inverseTransform(Z);
  back.forEach((r, i) => r.forEach((v, j) => close(v, X[i][j], 1e-9)));
  const s2 = StandardScaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
  assert.deepEqual(s2.transform(X), Z);
});

test('seeded PRNG is reproducible and roughly uniform', () => {
  const a = createRng(42);
  const b = createRng(42);
  const xs = Array.from({ length: 20000 }, () => a.next());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b.next()));
  const m = xs.reduce((s, v) => s + v, 0) / xs.length;
  assert.ok(Math.abs(m - 0.5) < 0.01, `mean ${m}`);
  const p = permutation(100, createRng(1));
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(p, permutation(100, createRng(2)));
});
