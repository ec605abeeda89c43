import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGRESSORS } from '../src/model/learn/regressors.ts';
import { resolveParams } from '../src/util/params.ts';
import { familySpec } from '../src/model/families/index.ts';
import { searchFamilyBy } from '../src/model/evaluation/search.ts';
import { trainingData, substitutionSystem, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { distinctSubstitutions } from '../src/substitution/substitution.ts';
import { loadModel, saveModel } from '../src/predict/modelFile.ts';
import { predictAll } from '../src/predict/predict.ts';
import { trainModel } from '../src/workflow/train.ts';
import { compareModels } from '../src/workflow/compare.ts';
import { trainReport } from '../src/workflow/modelReport.ts';
import { ALPHA, BETA, alphaSubset, repoPath } from './helpers.ts';

const { data } = trainingData(DEFAULT_DATA);
const subset = collapseByKey(data.rows).filter((_, k) => k % 6 === 0);

test('every regressor declares a search grid of its own valid parameters, next to them', () => {
  for (const r of REGRESSORS) {
    const keys = Object.keys(r.grid);
    assert.ok(keys.length >= 1, r.name);
    for (const k of keys) {
      assert.ok(k in r.params, `${r.name}.${k} is not a declared parameter`);
      const values = r.grid[k]!;
      assert.ok(values.length >= 2, `${r.name}.${k}`);
      for (const v of values) assert.doesNotThrow(() => resolveParams(r.params, { [k]: v }), `${r.name}.${k}=${v}`);
    }
  }
});

test('search for a DNN site family: one grouped-CV table, R² and F1 choices are its best rows, precision and recall consistent', async () => {
  const spec = familySpec('site', 'dnn', { params: { epochs: 3 }, seed: 0 });
  const [byR2, byF1] = await searchFamilyBy(spec, subset, ['r2', 'f1'], { seed: 0, folds: 2 });
  assert.equal(byR2.table.length, 4); // the declared dnn grid: 2 learning rates × 2 weight decays
  assert.deepEqual(byR2.table, byF1.table); // scored once
  assert.equal(byR2.scores!.r2, Math.max(...byR2.table.map((r) => r.r2)));
  assert.equal(byF1.scores!.f1, Math.max(...byF1.table.map((r) => r.f1)));
  for (const r of byR2.table) {
    assert.ok(r.mae > 0.05 && r.mae < 5, `${r.mae}`);
    if (r.precision + r.recall > 0) assert.ok(Math.abs(r.f1 - (2 * r.precision * r.recall) / (r.precision + r.recall)) < 1e-12);
  }
  assert.equal(byR2.scores!.fits, 8);
  assert.equal(byR2.spec.params.epochs, 3); // the fixed params survive; the grid's are set
  assert.ok([1e-3, 3e-3].includes(byR2.spec.params.learningRate));
  // a family without a regressor is returned untouched
  const [gp] = await searchFamilyBy(familySpec('gp'), subset, ['f1'], { seed: 0 });
  assert.equal(gp.scores, null);
});

test('train --select r2,f1 for an MHAR: site-r2 and site-f1 saved with inner-CV precision/recall and the β pairs each flags', async () => {
  const r = await trainModel({ sources: [{ data: alphaSubset(6), structure: repoPath(ALPHA) }], model: 'mhar', params: { epochs: 1, embedDim: 8 }, seed: 0, families: [], select: ['r2', 'f1'], grid: { learningRate: [2e-3, 5e-3] }, folds: 2 });
  assert.deepEqual(Object.keys(r.families), ['site-r2', 'site-f1']); // no family listed: the site family is selected
  assert.deepEqual(r.selection.map((s) => s.model), ['site-r2', 'site-f1']);
  const beta = substitutionSystem(repoPath(BETA));
  // every physical calculation once (orientation twins of one value merged), as `predict` lists them
  for (const s of r.selection) {
    assert.equal(s.regressor, 'MHAR');
    assert.equal(s.inner_cv.folds, 2);
    assert.ok(s.inner_cv.precision >= 0 && s.inner_cv.precision <= 1 && s.inner_cv.recall >= 0 && s.inner_cv.recall <= 1);
    assert.equal(s.flagged.formula, 'Nb5Si3');
    const rows = predictAll(r.families[s.model], beta.enumeration, r.training.elements, r.training.elements);
    assert.ok(rows.length < distinctSubstitutions(beta.enumeration, r.training.elements).length);
    assert.equal(s.flagged.calculations, rows.length);
    // the flags are the saved model's β predictions below 0, most negative first
    assert.equal(s.flagged.count, rows.filter((x) => x.eds_pred < 0).length);
    assert.equal(s.flagged.pairs.length, s.flagged.count);
    for (let k = 1; k < s.flagged.pairs.length; k++) assert.ok(s.flagged.pairs[k - 1].eds_pred <= s.flagged.pairs[k].eds_pred);
  }
  // the selected models are saved under their names and read back
  const file = join(mkdtempSync(join(tmpdir(), 'cescreen-select-')), 'm.json');
  saveModel(file, r);
  assert.deepEqual(Object.keys((await loadModel(file)).families), ['site-r2', 'site-f1']);
  // the report page: both selected models side by side, and the attention maps (the file holds MHAR models)
  const html = await trainReport(file, r);
  assert.match(html, /R²- vs F1-selected models/);
  assert.match(html, /<td>site-f1<\/td><td>MHAR<\/td>/);
  assert.match(html, /What the attention model reads together/);
  assert.equal(html.match(/<svg[^>]*class="attention"/g)!.length, 3); // by block, per-token mean, site-pair means
});

test('compare lists DNN and MHAR beside the SVR on the same splits; --param reaches only the models that declare it', async () => {
  const c = await compareModels({ sources: [{ data: alphaSubset(5), structure: repoPath(ALPHA) }], models: ['svr', 'dnn', 'mhar'], featureSets: ['cc'], family: 'site', protocol: 'grouped', seed: 0, repeats: 0, params: { epochs: 3, embedDim: 8 } });
  assert.deepEqual(c.rows.map((r) => r.model), ['SVR', 'DNN', 'MHAR']);
  const [svr, dnn, mhar] = c.rows;
  // same splits: equal sizes and equal baseline scores on every row
  for (const r of [dnn, mhar]) {
    assert.equal(r.n_test, svr.n_test);
    assert.equal(r.n_train, svr.n_train);
    assert.deepEqual(r.baselines, svr.baselines);
  }
  assert.ok(svr.n_test! > 50);
  assert.equal(svr.params, undefined);
  assert.deepEqual(dnn.params, { epochs: 3 });
  assert.deepEqual(mhar.params, { epochs: 3, embedDim: 8 });
  for (const r of c.rows) {
    assert.deepEqual(Object.keys(r.per_site).sort(), ['NbI', 'NbII', 'SiI', 'SiII']);
    assert.ok(r.all! > 30 && r.all! < 5000, `${r.model} ${r.all}`);
  }
  // three epochs do not make a network: the SVR is better, and the scores differ
  assert.ok(svr.all! < dnn.all! && svr.all! < mhar.all!, `${svr.all} ${dnn.all} ${mhar.all}`);
  await assert.rejects(compareModels({ sources: [{ data: DEFAULT_DATA }], models: ['svr'], featureSets: ['cc'], family: 'gp', protocol: 'grouped', seed: 0, repeats: 0 }), /--family gp: has no regressor to compare/);
});
