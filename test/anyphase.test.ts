/**
 * A user's own host and data: bcc Nb with a small substitution table of our own
 * (energies from a documented toy formula, not DFT), written through the CLI
 * the way a user would — pairs --template → fill → evaluate / train / reproduce
 * on another phase (bcc Mo, given by its space-group symbol only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, toCsv } from '../src/util/csv.ts';
import { property } from '../src/features/elements.ts';
import { repoPath } from './helpers.ts';

const bin = repoPath('bin/cescreen.js');
const cescreen = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });
const dir = mkdtempSync(join(tmpdir(), 'cescreen-anyphase-'));
const NB = repoPath('structures/reference/bcc-Nb.cif');
const MO = repoPath('structures/reference/bcc-Mo.cif');

/**
 * Toy substitution energies in bcc Nb (eV per 16-atom cell): a size-mismatch and
 * an electronegativity term per substituted site, and a nearest-neighbour coupling
 * of the two mismatches that fades with distance.
 */
function toyEnergy(x: string, y: string, d: number): number {
  const r = (e: string) => property(e, 'MR')!;
  const en = (e: string) => property(e, 'EN')!;
  const site = (e: string) => (e === 'Nb' ? 0 : 30 * ((r(e) - r('Nb')) / r('Nb')) ** 2 + 0.4 * (en(e) - en('Nb')) ** 2 + 0.05);
  const delta = (e: string) => (r(e) - r('Nb')) / r('Nb');
  return site(x) + site(y) - 60 * delta(x) * delta(y) * Math.exp(-(d - 2.858) / 0.4);
}

test('pairs --template → fill → evaluate with CIF-cell coordinates on a 2×2×2 bcc Nb cell; then reproduce onto bcc Mo', () => {
  const template = join(dir, 'template.csv');
  const t = cescreen('pairs', NB, '--supercell', '2x2x2', '--elements', 'ti,zr,hf,v,ta,mo,w,cr', '--template', template, '--json');
  assert.equal(t.status, 0, t.stderr);
  const rows = parseCsv(readFileSync(template, 'utf8'));
  assert.equal(JSON.parse(t.stdout).rows, rows.rows.length);
  // positions are fractions of the 2-atom CIF cell: the nearest-neighbour vector is (½, ½, ±½)
  assert.ok(rows.rows.some((r) => r.values.dx === '0.5' && r.values.dy === '0.5' && Math.abs(Number(r.values.dz)) === 0.5));
  assert.ok(rows.rows.every((r) => r.values.eds_eV === ''));
  const data = join(dir, 'eds.csv');
  writeFileSync(data, toCsv(rows.header, rows.rows.map((r) => rows.header.map((h) => (h === 'eds_eV' ? toyEnergy(r.values.element_a, r.values.element_b, Number(r.values.distance)).toFixed(4) : r.values[h])))));

  const e = cescreen('evaluate', '--data', data, '--structure', NB, '--supercell', '2x2x2', '--json', '--repeats', '0');
  assert.equal(e.status, 0, e.stderr);
  const r = JSON.parse(e.stdout);
  assert.equal(r.family, 'hierarchical');
  assert.equal(r.n_samples, rows.rows.length);
  // a smooth toy law is learnt well from 80 % of it, far better than the training mean
  assert.ok(r.test.mae < 0.5 * r.baselines.mean.mae, `MAE ${r.test.mae} vs mean ${r.baselines.mean.mae}`);
  // the supercell fractions are refused with a message that says which frame was assumed
  const wrong = join(dir, 'supercell-fractions.csv');
  writeFileSync(wrong, toCsv(rows.header, rows.rows.map((x) => rows.header.map((h) => (['dx', 'dy', 'dz'].includes(h) ? String(Number(x.values[h]) / 2) : h === 'eds_eV' ? toyEnergy(x.values.element_a, x.values.element_b, Number(x.values.distance)).toFixed(4) : x.values[h])))));
  const bad = cescreen('evaluate', '--data', wrong, '--structure', NB, '--supercell', '2x2x2');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /fractions of the CIF cell; if they are fractions of the --supercell cell, add --positions supercell/);
  assert.equal(cescreen('evaluate', '--data', wrong, '--structure', NB, '--supercell', '2x2x2', '--positions', 'supercell', '--repeats', '0').status, 0);

  const out = join(dir, 'report');
  const rep = cescreen('reproduce', '--data', data, '--structure', NB, '--supercell', '2x2x2', '--target', MO, '--quick', '-o', out, '--json');
  assert.equal(rep.status, 0, rep.stderr);
  const summary = JSON.parse(rep.stdout);
  assert.equal(summary.training, 'bcc-Nb');
  assert.equal(summary.target, 'bcc-Mo');
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  // the tables hold this phase's sites, and nothing of Nb5Si3
  assert.match(html, /Predicted single-substitution energy[^]*<td>Mo<\/td>/);
  assert.doesNotMatch(html, /NbII|SiII/);
  for (const f of ['bcc-Mo-predictions.csv', 'viewer-bcc-Mo.html', 'bcc-Nb-heatmaps.html', 'model.json']) assert.ok(existsSync(join(out, f)), f);
});
