import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { familySpec, fitFamily } from '../src/model/families/index.ts';
import { featureDefinition } from '../src/features/sets.ts';
import { saveModel } from '../src/predict/modelFile.ts';
import { trainingInfo } from '../src/workflow/train.ts';
import { chemicalEnvironmentVectors } from '../src/workflow/cecv.ts';
import { cecvAnalysis, groupsAt, jsSimilarity } from '../src/model/learn/cecv.ts';
import { cecvSvg } from '../src/figures/cecvPlot.ts';
import { assertWellFormed, repoPath } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cescreen-cecv-'));
const { system, data } = trainingData(DEFAULT_DATA);

test('single linkage and similarities on known vectors: nested groups, JS of equal vectors is 1', () => {
  const v = [
    [1, 0, 0],
    [0.99, 0.1, 0],
    [0, 1, 0],
    [0, 0.95, 0.3],
    [-1, 0, 0],
  ];
  const c = cecvAnalysis(['A', 'B', 'C', 'D', 'E'], v, [1, 1, 1, 1, 1], 'cosine', [0.001, 0.1, 0.85, 1, 2]);
  assert.deepEqual(
    c.levels.map((l) => l.groups.length),
    [5, 3, 3, 1, 1],
  );
  assert.deepEqual(c.levels[1].groups.map((g) => [...g].sort().join('')).sort(), ['AB', 'CD', 'E']);
  assert.equal(jsSimilarity([1, 2, 3], [1, 2, 3]), 1);
  assert.ok(jsSimilarity([5, 0, 0], [0, 0, 5]) < 0.5);
  const dist = c.cosine.map((r) => r.map((s) => 1 - s));
  assert.deepEqual(groupsAt(dist, 0.1, c.order), c.levels[1].groups.map((g) => g.map((e) => 'ABCDE'.indexOf(e))));
});

test('cecv of a small trained L-G-DCNN on α: symmetric unit-diagonal similarities, nested groups, valid SVG, CLI', async () => {
  const samples = collapseByKey(data.rows).filter((_, k) => k % 5 === 0);
  const spec = familySpec('site', 'lgdcnn', { seed: 0, params: { epochs: 2, hidden: 8, embedDim: 8 }, features: featureDefinition('tokens') });
  const site = await fitFamily(spec, samples);
  const file = join(dir, 'lgdcnn.json');
  saveModel(file, { families: { site }, training: trainingInfo([system], [DEFAULT_DATA], samples, 0) });
  site.dispose();
  const elements = ['Ti', 'Zr', 'Hf', 'B', 'Al', 'Nb', 'Si'];
  const r = await chemicalEnvironmentVectors({ model: file, elements });
  assert.deepEqual([...r.elements].sort(), [...elements].sort());
  assert.ok(r.substitutions > 100 && r.tokens.every((n) => n > 0));
  for (const m of [r.cosine, r.js]) {
    m.forEach((row, i) => {
      assert.ok(Math.abs(row[i] - 1) < 1e-9);
      row.forEach((s, j) => assert.equal(s, m[j][i]));
    });
  }
  assert.ok(r.js.flat().every((s) => s >= 0 && s <= 1));
  // every group at a threshold lies inside one group at the next
  for (let k = 1; k < r.levels.length; k++) {
    const next = r.levels[k].groups;
    for (const g of r.levels[k - 1].groups) assert.ok(next.some((h) => g.every((e) => h.includes(e))), `level ${r.levels[k].threshold}`);
    assert.ok(next.length <= r.levels[k - 1].groups.length);
  }
  const svg = cecvSvg(r, 'CECV test');
  assertWellFormed(svg);
  assert.equal([...svg.matchAll(/class="element"/g)].length, elements.length);
  for (const e of elements) assert.match(svg, new RegExp(`class="element"[^>]*>${e}<`));
  // the command: JSON on stdout, figure written; a family the file lacks is an input error
  const bin = repoPath('bin/cescreen.js');
  const run = (...a: string[]) => spawnSync(process.execPath, [bin, 'cecv', '--model', file, ...a], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });
  const out = run('--elements', 'Ti,Zr,B', '--svg', join(dir, 'c.svg'), '--json');
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout).elements.sort(), ['B', 'Ti', 'Zr']);
  assertWellFormed(readFileSync(join(dir, 'c.svg'), 'utf8'));
  const bad = run('--family', 'transfer');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--family transfer/);
});
