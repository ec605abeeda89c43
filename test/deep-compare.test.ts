import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareModels } from '../src/workflow/compare.ts';
import { DEFAULT_DATA } from '../src/substitution/system.ts';
import { ALPHA, alphaSubset, repoPath } from './helpers.ts';

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
