import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { featurizerFor, DEFAULT_CE } from '../src/features/ce.ts';
import { LGDCNNRegressor } from '../src/model/learn/lgdcnn.ts';
import { MHARegressor } from '../src/model/learn/mhar.ts';
import { createRegressor, regressorFromJSON } from '../src/model/learn/regressors.ts';
import { mae } from '../src/model/learn/metrics.ts';
import { InputError } from '../src/util/errors.ts';

// 240 calculations of α-Nb5Si3 (every 7th), as token sequences
const samples = collapseByKey(trainingData(DEFAULT_DATA).data.rows).filter((_, k) => k % 7 === 0);
const f = featurizerFor(samples[0].enumeration, { ...DEFAULT_CE, layout: 'tokens' });
const X = samples.map((s) => f.features(s.substitution));
const y = samples.map((s) => s.eds);
const layout = f.tokenLayout('pair');
const small = { hidden: 8, embedDim: 8, convLayers: 2, epochs: 6, patience: 6, batchSize: 64 };

test('L-G-DCNN on α tokens: learns, same seed ⇒ same predictions, JSON round trip exact, padding changes nothing', async () => {
  const m = new LGDCNNRegressor(layout, { ...small, seed: 3 });
  await m.fit(X, y);
  const p = m.predict(X);
  const meanMae = mae(y, y.map(() => y.reduce((a, b) => a + b, 0) / y.length));
  assert.ok(mae(y, p) < meanMae, `train MAE ${mae(y, p)} vs mean ${meanMae}`);
  assert.ok(m.reports[0].epochsRun >= 1 && m.reports[0].bestEpoch >= 0);
  const same = new LGDCNNRegressor(layout, { ...small, seed: 3 });
  await same.fit(X, y);
  assert.deepEqual(same.predict(X), p);
  const loaded = await regressorFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(loaded.predict(X), p);
  // a short row predicted alone (less trailing padding kept) gives its value in the full batch
  const shortest = X.map((r, i) => [r.filter((_, j) => j % layout.width === layout.maskColumn).reduce((a, b) => a + b, 0), i]).sort((a, b) => a[0] - b[0])[0][1];
  assert.ok(Math.abs(m.predict([X[shortest]])[0] - p[shortest]) < 1e-5);
  const other = new LGDCNNRegressor(layout, { ...small, seed: 4 });
  await other.fit(X, y);
  assert.notDeepEqual(other.predict(X), p);
  for (const r of [m, same, loaded, other]) r.dispose();
});

test('L-G-DCNN token states: one per real token, LSTM ⊕ GRU wide; concatenation fusion trains too', async () => {
  const m = new LGDCNNRegressor(layout, { ...small, epochs: 2, fusion: 'concat' });
  await m.fit(X.slice(0, 60), y.slice(0, 60));
  const states = m.tokenStates(X.slice(0, 5));
  const real = X.slice(0, 5).reduce((a, r) => a + r.filter((_, j) => j % layout.width === layout.maskColumn).reduce((s, v) => s + v, 0), 0);
  assert.equal(states.length, real);
  assert.ok(states.every((s) => s.state.length === 16 && s.state.every(Number.isFinite)));
  assert.ok(states.some((s) => s.Z === 41) && states.some((s) => s.Z === 14));
  m.dispose();
});

test('lgdcnn in the registry refuses aggregated CE vectors', async () => {
  await assert.rejects(createRegressor('lgdcnn', {}, { nFeatures: 63, seed: 0 }), InputError);
  const r = await createRegressor('lgdcnn', { epochs: 1 }, { nFeatures: layout.tokens * layout.width, seed: 0, layout });
  assert.ok(r instanceof LGDCNNRegressor);
});

test('MHAR on the real tokens: padding gets no attention, JSON round trip exact', async () => {
  const m = new MHARegressor({ embedDim: 8, heads: 2, epochs: 2, seed: 1 }, layout);
  await m.fit(X.slice(0, 80), y.slice(0, 80));
  const p = m.predict(X.slice(0, 4));
  const att = m.attention(X.slice(0, 2));
  assert.equal(att[0][0].length, layout.tokens);
  const real = (i: number, t: number) => X[i][t * layout.width + layout.maskColumn] === 1;
  for (let i = 0; i < 2; i++)
    for (const head of att[i])
      for (const row of head) {
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
        assert.ok(row.every((w, t) => real(i, t) || w < 1e-6));
      }
  const loaded = await regressorFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(loaded.predict(X.slice(0, 4)), p);
  m.dispose();
});

test('token families: site and transfer with lgdcnn give exactly 0 for the pristine cell, and predict β through the same tokens', async () => {
  const { familySpec, fitFamily } = await import('../src/model/families/index.ts');
  const { featureDefinition } = await import('../src/features/sets.ts');
  const { substitutionSystem } = await import('../src/substitution/system.ts');
  const { distinctSubstitutions } = await import('../src/substitution/substitution.ts');
  const { BETA, repoPath } = await import('./helpers.ts');
  const few = samples.filter((_, k) => k % 3 === 0);
  const params = { epochs: 1, hidden: 6, embedDim: 6, convLayers: 1 };
  const alpha = samples[0].enumeration;
  const beta = substitutionSystem(repoPath(BETA)).enumeration;
  for (const family of ['site', 'transfer']) {
    const m = await fitFamily(familySpec(family, 'lgdcnn', { seed: 0, params, features: featureDefinition('tokens') }), few);
    const pristine = alpha.pairs.map((pair) => ({ pair, elementA: alpha.cell.sites[pair.atomA].element, elementB: alpha.cell.sites[pair.atomB].element }));
    assert.deepEqual(m.predict(alpha, pristine), pristine.map(() => 0), family);
    const subs = distinctSubstitutions(beta, ['Ti', 'B']);
    const p = m.predict(beta, subs);
    assert.equal(p.length, subs.length);
    assert.ok(p.every(Number.isFinite));
    m.dispose();
  }
});
