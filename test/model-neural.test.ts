import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DNNRegressor } from '../src/model/learn/dnn.ts';
import { MHARegressor } from '../src/model/learn/mhar.ts';
import { regressorFromJSON } from '../src/model/learn/regressors.ts';
import { mae } from '../src/model/learn/metrics.ts';
import { smoothFunctionSplit } from '../src/model/learn/synthetic.ts';

const { Xtr, ytr, Xte, yte, meanMae } = smoothFunctionSplit(); // meanMae ≈ 0.77

test('DNN learns the smooth function; same seed ⇒ same model; JSON round trip is exact', async () => {
  const opts = { seed: 1, hidden: [64, 32], epochs: 150, learningRate: 3e-3 };
  const m = new DNNRegressor(opts);
  await m.fit(Xtr, ytr);
  const p = m.predict(Xte);
  const err = mae(yte, p);
  assert.ok(err < 0.3, `DNN test MAE ${err}`); // measured 0.22
  assert.ok(err < 0.4 * meanMae);
  assert.ok(m.report!.bestEpoch >= 0 && m.report!.epochsRun <= 150);
  const same = new DNNRegressor(opts);
  await same.fit(Xtr, ytr);
  assert.deepEqual(same.predict(Xte), p);
  const loaded = await regressorFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(loaded.predict(Xte), p);
  const other = new DNNRegressor({ ...opts, seed: 2 });
  await other.fit(Xtr, ytr);
  assert.notDeepEqual(other.predict(Xte), p);
});

test('MHAR learns the function; attention has shape [n][h][F][F] with rows summing to 1', async () => {
  const opts = { seed: 1, epochs: 80, learningRate: 3e-3, heads: 2, embedDim: 16 };
  const m = new MHARegressor(opts);
  await m.fit(Xtr, ytr);
  const p = m.predict(Xte);
  const err = mae(yte, p);
  assert.ok(err < 0.3, `MHAR test MAE ${err}`); // measured 0.14
  const att = m.attention(Xte.slice(0, 7));
  assert.equal(att.length, 7);
  assert.equal(att[0].length, 2);
  assert.equal(att[0][0].length, 5);
  assert.equal(att[0][0][0].length, 5);
  for (const sample of att)
    for (const head of sample)
      for (const row of head) {
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
        assert.ok(row.every((v) => v >= 0));
      }
  const map = m.attentionMap(Xte.slice(0, 20));
  assert.equal(map.length, 5);
  for (const row of map) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  const same = new MHARegressor(opts);
  await same.fit(Xtr, ytr);
  assert.deepEqual(same.predict(Xte), p);
  const loaded = await regressorFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(loaded.predict(Xte), p);
});
