import { trainingInfo } from '../src/workflow/train.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingData, substitutionSystem, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { distinctSubstitutions } from '../src/substitution/substitution.ts';
import { familySpec, fitFamily } from '../src/model/families/index.ts';
import { chooseFamily, loadModel, phaseOf, saveModel } from '../src/predict/modelFile.ts';
import { predictParallel } from '../src/predict/parallel.ts';
import { readPredictionsCsv } from '../src/predict/table.ts';
import { compareModels } from '../src/workflow/compare.ts';
import { explainModel } from '../src/workflow/importance.ts';
import { ALPHA, BETA, repoPath } from './helpers.ts';

const bin = repoPath('bin/cescreen.js');
function cescreen(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const dir = mkdtempSync(join(tmpdir(), 'cescreen-workflow-'));
const { system, data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);

/** A site-only model file trained on every 5th α substitution. */
async function siteOnlyModel(): Promise<string> {
  const train = samples.filter((_, k) => k % 5 === 0);
  const site = await fitFamily(familySpec('site', 'svr', { seed: 0 }), train);
  const file = join(dir, 'site-only.json');
  const elements = [...new Set(train.flatMap((s) => [s.substitution.elementA, s.substitution.elementB]))].sort();
  saveModel(file, { families: { site }, training: trainingInfo([system], [DEFAULT_DATA], train, 0) });
  return file;
}
const modelFile = siteOnlyModel();

// The registry refactor was checked byte-identical to the pre-registry code (commit c9218f9); these
// were recorded again when grouping became strict and baselines joined, and again when the scores grew
// (r, sign, spread, stabilising set, per-group baselines; element mean): every number recorded before is unchanged.
for (const [fixture, args] of [
  ['evaluate-site-grouped-seed3.json', ['--family', 'site', '--seed', '3', '--repeats', '0']],
  ['evaluate-transfer-lso-seed1.json', ['--family', 'transfer', '--protocol', 'leave-site-out', '--seed', '1']],
] as const) {
  test(`evaluate --json ${args.join(' ')} is byte-identical to the recorded result`, () => {
    const r = cescreen('evaluate', '--json', ...args);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, readFileSync(repoPath(`test/fixtures/${fixture}`), 'utf8'));
  });
}

test('chooseFamily: the training phase gets site; another phase without a transfer model falls back to site with a warning', async () => {
  const saved = await loadModel(await modelFile);
  const alpha = chooseFamily(saved, system.structure);
  assert.equal(alpha.family, 'site');
  assert.equal(alpha.warning, undefined);
  const beta = chooseFamily(saved, substitutionSystem(repoPath(BETA)).structure);
  assert.equal(beta.family, 'site');
  assert.match(beta.warning!, /no model for a phase other than its training phase \(families that predict one: hierarchical, transfer\); using site/);
  assert.throws(() => chooseFamily(saved, system.structure, 'transfer'), /holds no transfer model \(it has site\)/);
});

test('predict on two worker threads gives the rows of one thread, in the same order', async () => {
  const job = { model: await modelFile, cif: repoPath(BETA), supercell: '1x1x1', maxDistance: 3.6, elements: ['Ti', 'B'] };
  const one = await predictParallel(job, 1);
  const two = await predictParallel(job, 2);
  // every physical calculation once: a single substitution once, and X@a,Y@b / Y@a,X@b of one site with one value once
  const beta = substitutionSystem(repoPath(BETA)).enumeration;
  const distinct = distinctSubstitutions(beta, ['Ti', 'B']);
  const twins = distinct.filter((s) => s.pair.siteA === s.pair.siteB && !s.pair.swappable && s.elementA < s.elementB && !['Nb', 'Si'].includes(s.elementA) && !['Nb', 'Si'].includes(s.elementB)).length;
  assert.equal(one.rows.length, distinct.length - twins);
  assert.equal(new Set(one.rows.filter((r) => r.kind === 'single').map((r) => `${r.element_a === 'Nb' || r.element_a === 'Si' ? r.element_b : r.element_a}@${r.element_a === 'Nb' || r.element_a === 'Si' ? r.site_b : r.site_a}`)).size, one.rows.filter((r) => r.kind === 'single').length);
  assert.deepEqual(two.rows, one.rows);
  assert.match(two.warning!, /no model for a phase other than its training phase/);
});

test('predict CLI: writes every substitution of β, warns on stderr about the fallback family', async () => {
  const out = join(dir, 'beta.csv');
  const r = cescreen('predict', '--model', await modelFile, repoPath(BETA), '--elements', 'ti,zr', '-o', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning: the model file holds no model for a phase other than its training phase/);
  const rows = readPredictionsCsv(out).rows;
  assert.ok(rows.length <= distinctSubstitutions(substitutionSystem(repoPath(BETA)).enumeration, ['Ti', 'Zr']).length);
  assert.ok(rows.every((x) => ['Nb', 'Si', 'Ti', 'Zr'].includes(x.element_a) && Number.isFinite(x.eds_pred)));
  assert.match(r.out, /\d+ calculations of Nb5Si3 \(1x1x1\), site family/);
});

test('compare: literature rows from the data folder, our per-site models beside them on the same sites', async () => {
  const c = await compareModels({ sources: [{ data: DEFAULT_DATA }], models: ['svr'], featureSets: ['cc'], family: 'site', protocol: 'grouped', seed: 0, repeats: 0 });
  assert.deepEqual(c.sites, ['NbI', 'NbII', 'SiI', 'SiII']);
  assert.equal(c.literature!.rows[0].per_site.SiII, 71.39);
  const [ours] = c.rows;
  assert.equal(ours.features, 'CC (composition)');
  // composition-only SVR, grouped split: every centre site's own model within 60–300 meV
  for (const s of c.sites) assert.ok(ours.per_site[s]! > 30 && ours.per_site[s]! < 300, `${s} ${ours.per_site[s]}`);
  assert.ok(ours.all! > 80 && ours.all! < 160, `${ours.all}`);
});

test('importance: shuffling a centre property of the site family costs tens of meV; summed ranking led by centre properties', async () => {
  const r = await explainModel({ sources: [{ data: DEFAULT_DATA }], model: 'svr', seed: 0 });
  assert.ok(r.baselineMae > 0.08 && r.baselineMae < 0.15, `${r.baselineMae}`);
  for (let k = 1; k < r.features.length; k++) assert.ok(r.features[k - 1].importance >= r.features[k].importance);
  assert.ok(r.properties[0].importance > 0.03, JSON.stringify(r.properties[0]));
  assert.match(r.properties.slice(0, 3).map((p) => p.feature).join(' '), /_C\b/);
});
