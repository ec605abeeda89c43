/**
 * The structured GP on the bundled α data: strict calculation keys, one energy
 * per physical single substitution, pristine zero, calibrated intervals, and
 * the active-learning round trip (suggest → fill → train on both data sets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingData, substitutionSystem, DEFAULT_DATA } from '../src/substitution/system.ts';
import { calculationStats, collapseByKey } from '../src/substitution/dataset.ts';
import { calculationKey, expandSubstitutions, substitutionKey } from '../src/substitution/substitution.ts';
import { familySpec, fitFamily } from '../src/model/families/index.ts';
import type { StructuredModel as GPFamilyModel } from '../src/model/families/structured.ts';
import { evaluate, predictSamples } from '../src/model/evaluation/evaluate.ts';
import { substitutedSites } from '../src/model/evaluation/protocols.ts';
import { parseCsv, toCsv } from '../src/util/csv.ts';
import { BETA, repoPath } from './helpers.ts';

const { system, data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);
const gp = fitFamily(familySpec('gp', undefined, { seed: 0 }), samples) as Promise<GPFamilyModel>;
const dir = mkdtempSync(join(tmpdir(), 'cescreen-transfer-'));
const bin = repoPath('bin/cescreen.js');
const cescreen = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });

test('strict keys: the 234 single substitutions (by configuration) are 52 calculations; 1612 calculations in all, 8 of them inconsistent by > 0.1 eV', () => {
  const singles = data.rows.filter((r) => r.kind === 'single');
  assert.equal(new Set(singles.map((r) => substitutionKey(r.substitution))).size, 234);
  assert.equal(samples.filter((s) => s.kind === 'single').length, 52);
  const stats = calculationStats(data.rows);
  assert.deepEqual([stats.rows, stats.calculations, stats.inconsistent], [3505, 1612, 8]);
  assert.ok(Math.abs(stats.largestSpread - 2.393) < 1e-3, `${stats.largestSpread}`);
});

test('gp: one energy per physical single substitution, whichever pair lists it; pristine exactly zero in α and β', async () => {
  const m = await gp;
  const subs = expandSubstitutions(system.enumeration, ['Ti', 'B', 'Y']).filter((s) => calculationKey(system.enumeration, s) !== 'pristine');
  const p = m.predict(system.enumeration, subs);
  const byKey = new Map<string, number[]>();
  subs.forEach((s, k) => {
    const key = calculationKey(system.enumeration, s);
    if (!key.includes('#')) return; // pairs
    byKey.set(key, [...(byKey.get(key) ?? []), p[k]]);
  });
  assert.equal(byKey.size, 4 * 3); // 3 elements on 4 sites
  for (const [key, values] of byKey) {
    assert.ok(values.length >= 2, `${key} listed once only`);
    for (const v of values) assert.equal(v, values[0], key);
  }
  const beta = substitutionSystem(repoPath(BETA)).enumeration;
  for (const e of [system.enumeration, beta]) {
    const pristine = e.pairs.map((pair) => ({ pair, elementA: e.cell.sites[pair.atomA].element, elementB: e.cell.sites[pair.atomB].element }));
    for (const v of m.predict(e, pristine)) assert.equal(v, 0);
  }
});

test('gp, strict grouped hold-out (seed 0): MAE below the site SVR and every baseline, 90 % intervals cover 85–95 %', async () => {
  const r = await evaluate(data, { protocol: 'grouped', spec: familySpec('gp', undefined, { seed: 0 }), seed: 0, repeats: 0 });
  assert.ok(r.test.mae < 0.1, `MAE ${r.test.mae}`);
  for (const [name, b] of Object.entries(r.baselines)) assert.ok(r.test.mae < b.mae, `${name} ${b.mae}`);
  assert.ok(r.test.coverage! >= 0.85 && r.test.coverage! <= 0.95, `coverage ${r.test.coverage}`);
  assert.ok(r.test.width! > 0.1 && r.test.width! < 0.6, `width ${r.test.width}`);
});

test('suggest → fill the manifest from held-out α rows → train on both data sets → lower error on the new site', async () => {
  // α without any calculation that substitutes SiII: SiII is a site the model has never seen
  const held = (s: (typeof samples)[number]) => substitutedSites(s).includes('SiII');
  const csv = parseCsv(readFileSync(DEFAULT_DATA, 'utf8'));
  const keep = new Set(data.rows.filter((r) => !held(r as never)).map((r) => r.line));
  const reduced = join(dir, 'alpha-without-SiII.csv');
  writeFileSync(reduced, toCsv(csv.header, csv.rows.filter((r) => keep.has(r.line)).map((r) => csv.header.map((h) => r.values[h]))));
  const structure = repoPath('structures/alpha-Nb5Si3/structure.cif');
  assert.equal(cescreen('train', '--data', reduced, '--structure', structure, '--families', 'gp', '-o', join(dir, 'before.json')).status, 0);
  const s = cescreen('suggest', structure, '--model', join(dir, 'before.json'), '--budget', '10', '--elements', 'Al,B,Co,Cr,Fe,Hf,Mo,Ni,Ti,V,Y,Zr', '-o', join(dir, 'suggested'), '--json');
  assert.equal(s.status, 0, s.stderr);
  const picks = JSON.parse(s.stdout).picks as { site_a: string; site_b: string; element_a: string; element_b: string; config: number }[];
  assert.equal(picks.length, 10);
  // the model asks about the site it has never seen
  assert.ok(picks.filter((p) => [p.site_a, p.site_b].includes('SiII')).length >= 8, JSON.stringify(picks.map((p) => `${p.element_a}@${p.site_a}+${p.element_b}@${p.site_b}`)));
  // fill eds_eV from the held-out DFT rows (as the user fills it from their calculations)
  const truth = new Map(samples.map((x) => [`${x.substitution.pair.id}|${x.substitution.elementA}|${x.substitution.elementB}`, x]));
  const manifest = parseCsv(readFileSync(join(dir, 'suggested', 'manifest.csv'), 'utf8'));
  const filled = manifest.rows.filter((r) => truth.has(`${r.values.config}|${r.values.element_a}|${r.values.element_b}`));
  assert.ok(filled.length >= 8, `${filled.length} suggestions found among the α data`);
  const shots = join(dir, 'manifest-filled.csv');
  writeFileSync(shots, toCsv(manifest.header, filled.map((r) => manifest.header.map((h) => (h === 'eds_eV' ? truth.get(`${r.values.config}|${r.values.element_a}|${r.values.element_b}`)!.eds : r.values[h])))));
  const t = cescreen('train', '--data', reduced, '--structure', structure, '--data', shots, '--structure', structure, '--families', 'gp', '-o', join(dir, 'after.json'));
  assert.equal(t.status, 0, t.stderr);
  // error on the rest of SiII, before and after
  const { loadModel } = await import('../src/predict/modelFile.ts');
  const shotKeys = new Set(filled.map((r) => `${r.values.config}|${r.values.element_a}|${r.values.element_b}`));
  const rest = samples.filter((x) => held(x) && !shotKeys.has(`${x.substitution.pair.id}|${x.substitution.elementA}|${x.substitution.elementB}`));
  const mae = async (file: string) => {
    const m = (await loadModel(file)).families.gp;
    const p = predictSamples(m, rest).mean;
    return p.reduce((a, v, i) => a + Math.abs(v - rest[i].eds), 0) / rest.length;
  };
  const [before, after] = [await mae(join(dir, 'before.json')), await mae(join(dir, 'after.json'))];
  assert.ok(after < before - 0.05, `SiII MAE ${before} → ${after}`);
});

test('gp refuses a training set too large for exact GP algebra before allocating anything', async () => {
  const { MAX_GP_CALCULATIONS } = await import('../src/model/families/structured.ts');
  const tooMany = new Array(MAX_GP_CALCULATIONS + 1);
  await assert.rejects(fitFamily(familySpec('gp', undefined, { seed: 0 }), tooMany), /at most 8000 calculations .* use --family site or transfer/);
});
