import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { expandSubstitutions, substitutionKind } from '../src/substitution/substitution.ts';
import { familySpec, fitFamily } from '../src/model/families/index.ts';
import { saveModel } from '../src/predict/modelFile.ts';
import { trainingInfo } from '../src/workflow/train.ts';
import { attentionMaps, attentionSection } from '../src/workflow/attention.ts';
import { groupAttention } from '../src/figures/attentionPlot.ts';
import { InputError } from '../src/util/errors.ts';
import { repoPath } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cescreen-attention-'));
const { system, data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows).filter((_, k) => k % 4 === 0);

/** A model file with an MHAR site family (2 epochs on a quarter of α) and an SVR-only one. */
const files = (async () => {
  const mhar = join(dir, 'mhar.json');
  const svr = join(dir, 'svr.json');
  const info = trainingInfo([system], [DEFAULT_DATA], samples, 0);
  saveModel(mhar, { families: { site: await fitFamily(familySpec('site', 'mhar', { params: { epochs: 2, embedDim: 8 }, seed: 0 }), samples) }, training: info });
  saveModel(svr, { families: { site: await fitFamily(familySpec('site', 'svr', { seed: 0 }), samples) }, training: info });
  return { mhar, svr };
})();

test('attention of one substitution: per-head rows are distributions, the mean is their average, the nearest pair is taken', async () => {
  const { mhar } = await files;
  const r = await attentionMaps({ model: mhar, substitution: 'Ti@NbI,Zr@SiII' });
  const s = r.substitution!;
  assert.equal(r.family, 'site');
  assert.equal(r.heads, 2);
  assert.equal(r.labels.length, 63);
  assert.equal(s.heads.length, 2);
  for (const h of s.heads) for (const row of h) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.ok(Math.abs(s.mean[5][7] - (s.heads[0][5][7] + s.heads[1][5][7]) / 2) < 1e-12);
  const nearest = Math.min(...system.enumeration.pairs.filter((p) => [p.siteA, p.siteB].sort().join() === 'NbI,SiII').map((p) => p.distance));
  assert.equal(s.distance, nearest);
  assert.ok(Number.isFinite(s.eds_pred));
  // either order of the two ends names the same substitution and the same map
  const swapped = await attentionMaps({ model: mhar, substitution: 'Zr@SiII,Ti@NbI' });
  assert.deepEqual(swapped.substitution!.mean, s.mean);
  assert.equal(swapped.substitution!.eds_pred, s.eds_pred);
  // another substitution reads differently: the map depends on the input
  const other = await attentionMaps({ model: mhar, substitution: 'B@SiI,Al@NbII' });
  assert.ok(Math.max(...other.substitution!.mean.flatMap((row, q) => row.map((v, k) => Math.abs(v - s.mean[q][k])))) > 1e-4);
  // three panels (2 heads + mean) of 63 × 63 cells, labelled by token
  assert.equal(r.svg!.match(/<g class="panel"/g)!.length, 3);
  assert.equal(r.svg!.match(/<rect x="[^"]*" y="[^"]*" width="\d+" height="\d+" fill="#[0-9a-f]{6}"><title>/g)!.length, 3 * 63 * 63);
  assert.match(r.svg!, /PN_C1 → VOL2/);
  assert.match(attentionSection(r).html, /Strongest weights/);
});

test('per-site-pair means cover every double substitution once; block maps are attention ÷ uniform', async () => {
  const { mhar } = await files;
  const r = await attentionMaps({ model: mhar, pairMeans: true });
  const elements: string[] = JSON.parse(readFileSync(mhar, 'utf8')).training.elements;
  const doubles = expandSubstitutions(system.enumeration, elements).filter((s) => substitutionKind(system.enumeration, s) === 'pair');
  assert.equal(r.pairMeans!.reduce((a, p) => a + p.substitutions, 0), doubles.length);
  assert.ok(r.pairMeans!.some((p) => p.site_a === 'NbI' && p.site_b === 'SiII'));
  const F = r.labels.length;
  for (const p of r.pairMeans!) {
    // weighted by block width the ratios give back rows summing to 1
    p.blocks.forEach((row) => assert.ok(Math.abs(row.reduce((a, v, k) => a + (v * r.blocks[k].tokens.length) / F, 0) - 1) < 1e-5));
  }
  // a uniform map is 1 everywhere whatever the block widths
  const uniform = Array.from({ length: F }, () => new Array<number>(F).fill(1 / F));
  for (const row of groupAttention(uniform, r.blocks.map((b) => ({ name: b.name, tokens: b.tokens })))) for (const v of row) assert.ok(Math.abs(v - 1) < 1e-9);
});

test('attention: bad input names what was expected', async () => {
  const { mhar, svr } = await files;
  await assert.rejects(attentionMaps({ model: svr, substitution: 'Ti@NbI,Zr@SiII' }), (e: Error) => e instanceof InputError && /no attention model \(MHAR\): site \(SVR\)/.test(e.message));
  await assert.rejects(attentionMaps({ model: mhar, substitution: 'Ti@NbX,Zr@SiII' }), /site 'NbX' is not a site of the training cell \(NbI, NbII, SiI, SiII\)/);
  await assert.rejects(attentionMaps({ model: mhar, substitution: 'Ti@NbI' }), /expected two sites/);
  await assert.rejects(attentionMaps({ model: mhar, substitution: 'Ti@NbI,Zr@SiII', pair: 1 }), /--pair 1: not a pair of NbI and SiII/);
  await assert.rejects(attentionMaps({ model: mhar, substitution: 'Ti@NbI,Zr@SiII', labels: ['a', 'b'] }), /2 labels for 63 tokens/);
  await assert.rejects(attentionMaps({ model: mhar }), /--substitution/);
});

test('attention CLI: --json maps and the SVG file', async () => {
  const { mhar } = await files;
  const run = (...args: string[]) => spawnSync(process.execPath, [repoPath('bin/cescreen.js'), ...args], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });
  const svg = join(dir, 'a.svg');
  const ok = run('attention', '--model', mhar, '--substitution', 'Ti@NbI,Zr@SiII', '--svg', svg, '--json');
  assert.equal(ok.status, 0, ok.stderr);
  const j = JSON.parse(ok.stdout);
  assert.equal(j.substitution.heads.length, 2);
  assert.equal(j.svg, undefined);
  assert.equal(j.blockSvg, undefined);
  assert.match(readFileSync(svg, 'utf8'), /^<svg[^>]*class="attention"/);
});
