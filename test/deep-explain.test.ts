import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelShap } from '../src/model/learn/interpret.ts';
import { explainSiteModel } from '../src/model/evaluation/explain.ts';
import { familySpec, fitFamily } from '../src/model/families/index.ts';
import { SiteFamilyModel } from '../src/model/families/regressor.ts';
import { featureBlocks, featurizerFor } from '../src/features/ce.ts';
import { createRng } from '../src/model/learn/random.ts';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { explainModel } from '../src/workflow/importance.ts';
import { ALPHA, alphaSubset, repoPath } from './helpers.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';

const { data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);
/** Every 4th α calculation: enough for a network of a few epochs, quick in tests. */
const subset = samples.filter((_, k) => k % 4 === 0);
/** The same with every single substitution, which the transfer family's s learns from. */
const withSingles = samples.filter((s, k) => k % 4 === 0 || s.kind === 'single');

test('grouped KernelSHAP: for a linear model φ_group = Σ_{j∈group} w_j (x_j − E[x_j]); groups must partition the features', () => {
  const rng = createRng(3);
  const M = 9;
  const w = Array.from({ length: M }, () => 4 * rng.next() - 2);
  const model = { predict: (X: number[][]) => X.map((x) => x.reduce((s, v, j) => s + w[j] * v, 0.3)) };
  const background = Array.from({ length: 20 }, () => Array.from({ length: M }, () => rng.normal()));
  const X = Array.from({ length: 4 }, () => Array.from({ length: M }, () => 2 * rng.normal()));
  const groups = [[0, 4, 8], [1, 2], [3], [5, 6, 7]];
  const r = kernelShap(model, X, background, { groups, seed: 1 });
  assert.equal(r.exact, true);
  assert.equal(r.coalitions, 2 ** 4 - 2);
  const bgMean = Array.from({ length: M }, (_, j) => background.reduce((s, b) => s + b[j], 0) / background.length);
  X.forEach((x, i) => groups.forEach((g, k) => assert.ok(Math.abs(r.phi[i][k] - g.reduce((s, j) => s + w[j] * (x[j] - bgMean[j]), 0)) < 1e-9, `φ[${i}][${k}]`)));
  assert.throws(() => kernelShap(model, X, background, { groups: [[0, 1], [1, 2, 3, 4, 5, 6, 7, 8]] }), /two groups/);
  assert.throws(() => kernelShap(model, X, background, { groups: [[0, 1, 2, 3, 4, 5, 6, 7]] }), /leave a feature out/);
});

test('CE feature blocks: centre, shell, geometry per site and the pair descriptors', () => {
  const names = featurizerFor(samples[0].enumeration, familySpec('site').features).names;
  const blocks = featureBlocks(familySpec('site').features);
  assert.deepEqual(blocks.map((b) => b.block), ['centre 1', 'shell 1', 'geometry 1', 'centre 2', 'shell 2', 'geometry 2', 'pair']);
  assert.deepEqual(blocks.map((b) => b.features.length), [13, 13, 4, 13, 13, 4, 3]);
  assert.equal(blocks.flatMap((b) => b.features).length, names.length);
  const end = featureBlocks(familySpec('transfer').endFeatures!, 'single');
  assert.deepEqual(end.map((b) => b.block), ['centre − host', 'shell − pristine', 'geometry']);
});

test('SHAP of an MHAR site model: each sample\'s block values sum to its prediction − base value', async () => {
  const spec = familySpec('site', 'mhar', { params: { epochs: 2, embedDim: 8 }, seed: 0 });
  const model = (await fitFamily(spec, samples.filter((_, k) => k % 8 === 0))) as SiteFamilyModel;
  const f = featurizerFor(subset[0].enumeration, spec.features);
  const X = subset.slice(0, 40).map((s) => f.features(s.substitution));
  const groups = featureBlocks(spec.features).map((b) => b.features);
  const r = kernelShap(model.featureModel, X.slice(0, 3), X.slice(20, 26), { groups, seed: 0 });
  const p = model.featureModel.predict(X.slice(0, 3));
  const base = model.featureModel.predict(X.slice(20, 26)).reduce((a, b) => a + b, 0) / 6;
  assert.ok(Math.abs(r.base - base) < 1e-9);
  r.phi.forEach((row, i) => {
    assert.equal(row.length, 7);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - (p[i] - base)) < 1e-6, `sample ${i}: Σφ ${row.reduce((a, b) => a + b, 0)} vs ${p[i] - base}`);
  });
  // a trained network reads more than one block: the values are not all on one player
  assert.ok(r.phi.some((row) => row.filter((v) => Math.abs(v) > 1e-3).length >= 2), JSON.stringify(r.phi));
  model.dispose();
});

test('importance workflow for a DNN transfer family: its single-site model explained by block, efficiency holds', async () => {
  const spec = familySpec('transfer', 'dnn', { params: { epochs: 8 }, seed: 0 });
  const r = await explainSiteModel(spec, withSingles, { seed: 0, repeats: 1, shapSamples: 8, background: 6 });
  assert.equal(r.family, 'transfer');
  assert.match(r.explained, /single-site/);
  assert.deepEqual(new Set(r.blocks.map((b) => b.block)), new Set(['centre − host', 'shell − pristine', 'geometry']));
  assert.ok(r.shapEfficiencyError < 1e-6, `${r.shapEfficiencyError}`);
  assert.equal(r.shapCoalitions, 6);
  assert.ok(r.blocks[0].meanAbs > 0.01, JSON.stringify(r.blocks)); // single-site energies span eV: the leading block moves them
  assert.ok(r.features.every((f) => f.shap === null)); // per-feature SHAP is skipped for deep models
  assert.ok(r.baselineMae > 0.05 && r.baselineMae < 3, `${r.baselineMae}`);
});

test('importance workflow with --model mhar: block SHAP of the site family, values sum to prediction − base', async () => {
  const r = await explainModel({ sources: [{ data: alphaSubset(6), structure: repoPath(ALPHA) }], model: 'mhar', params: { epochs: 1, embedDim: 8 }, seed: 0, repeats: 1, shapSamples: 4, background: 4 });
  assert.equal(r.model, 'MHAR');
  assert.equal(r.family, 'site');
  assert.equal(r.blocks.length, 7);
  assert.equal(r.shapCoalitions, 126);
  assert.ok(r.shapEfficiencyError < 1e-6, `${r.shapEfficiencyError}`);
  assert.ok(r.blocks[0].meanAbs > r.blocks[6].meanAbs);
  await assert.rejects(explainModel({ sources: [{ data: DEFAULT_DATA }], model: 'svr', seed: 0, family: 'gp' }), /--family gp: expected site or transfer/);
});
