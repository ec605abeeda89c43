import { trainingInfo } from '../src/workflow/train.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingData, substitutionSystem } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { fitFamily, familySpec } from '../src/model/families/index.ts';
import { evaluate, folderCentres } from '../src/model/evaluation/evaluate.ts';
import { expandSubstitutions } from '../src/substitution/substitution.ts';
import { loadModel, saveModel } from '../src/predict/modelFile.ts';
import { InputError } from '../src/util/errors.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BETA, repoPath } from './helpers.ts';

const { system, data } = trainingData(repoPath('structures/alpha-Nb5Si3/eds.csv'));
const samples = collapseByKey(data.rows);

test('the α data: 3528 rows, 23 set aside, 1612 distinct calculations; folders a–d centre on NbI, NbII, SiI, SiII', () => {
  assert.equal(data.rows.length + data.dropped.length, 3528);
  assert.equal(data.dropped.length, 23);
  assert.equal(samples.length, 1612);
  assert.deepEqual(Object.fromEntries(folderCentres(data.rows)), { a: 'NbI', b: 'NbII', c: 'SiI', d: 'SiII' });
});

test("every row maps to one of the 12 configurations, one to one with the file's own config numbers", () => {
  const ours = new Map<string, Set<number>>();
  for (const r of [...data.rows]) {
    if (!ours.has(r.fileConfig)) ours.set(r.fileConfig, new Set());
    ours.get(r.fileConfig)!.add(r.substitution.pair.id);
  }
  assert.equal(ours.size, 12);
  for (const ids of ours.values()) assert.equal(ids.size, 1);
  assert.equal(new Set([...ours.values()].map((ids) => [...ids][0])).size, 12);
});

test('both families predict exactly zero for the pristine cell of every pair geometry, in α and in β', async () => {
  const beta = substitutionSystem(repoPath(BETA));
  const train = samples.filter((_, k) => k % 3 === 0);
  for (const family of ['site', 'transfer'] as const) {
    const m = await fitFamily(familySpec(family), train);
    for (const e of [system.enumeration, beta.enumeration]) {
      const pristine = e.pairs.map((pair) => ({ pair, elementA: e.cell.sites[pair.atomA].element, elementB: e.cell.sites[pair.atomB].element }));
      for (const v of m.predict(e, pristine)) assert.equal(v, 0, family);
    }
  }
});

test('site family, grouped protocol on α: test MAE below 130 meV, R² above 0.98', async () => {
  const r = await evaluate(data, { protocol: 'grouped', spec: familySpec('site'), seed: 0, repeats: 0 });
  assert.equal(r.n_train + r.n_test, 1612);
  assert.ok(r.test.mae < 0.13, `MAE ${r.test.mae}`);
  assert.ok(r.test.r2 > 0.98);
});

test('transfer family, leave-site-out (SiII held out): every SiII substitution predicted from the other sites within 0.8 eV MAE', async () => {
  const held = samples.filter((s) => s.substitution.pair.siteA === 'SiII' || s.substitution.pair.siteB === 'SiII');
  const train = samples.filter((s) => !held.includes(s));
  const m = await fitFamily(familySpec('transfer'), train);
  const p = m.predict(system.enumeration, held.map((s) => s.substitution));
  const mae = p.reduce((a, v, k) => a + Math.abs(v - held[k].eds), 0) / p.length;
  assert.ok(held.length > 300);
  assert.ok(mae < 0.8, `MAE ${mae}`);
});

test('a saved model predicts identically after loading; other versions and feature definitions are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-'));
  const file = join(dir, 'model.json');
  const m = await fitFamily(familySpec('transfer'), samples.filter((_, k) => k % 4 === 0));
  const training = trainingInfo([system], ['b'], samples, 0);
  saveModel(file, { families: { transfer: m }, training });
  const loaded = await loadModel(file);
  const subs = expandSubstitutions(system.enumeration, ['Ti', 'B']);
  assert.deepEqual(loaded.families.transfer!.predict(system.enumeration, subs), m.predict(system.enumeration, subs));
  const json = JSON.parse(readFileSync(file, 'utf8'));
  await assert.rejects(loadModel(file, JSON.stringify({ ...json, version: 99 })), (e) => e instanceof InputError && /version 99/.test(e.message));
  json.families.transfer.model.spec.features.properties.pop();
  await assert.rejects(loadModel(file, JSON.stringify(json)), (e) => e instanceof InputError && /feature definition/.test(e.message));
  writeFileSync(file, '{"format": "cescreen-model", "vers');
  await assert.rejects(loadModel(file), InputError);
});
