import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructure } from '../src/structure/io.ts';
import { ALPHA, BETA, repoPath } from './helpers.ts';

const bin = repoPath('bin/cescreen.js');
function cescreen(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const dir = mkdtempSync(join(tmpdir(), 'cescreen-cli-'));

test('structure --json: α-Nb5Si3 is I4/mcm with NbI 4c, NbII 16l, SiI 8h, SiII 4a', () => {
  const r = cescreen('structure', repoPath(ALPHA), '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.spacegroup.number, 140);
  assert.deepEqual(j.sites.map((s: { site: string; wyckoff: string; multiplicity: number }) => `${s.site} ${s.multiplicity}${s.wyckoff}`), ['NbI 4c', 'NbII 16l', 'SiI 8h', 'SiII 4a']);
});

test('aet --site and nnh --json on β; pairs lists 13 configurations of the β cell within 3.6 Å', () => {
  const aet = JSON.parse(cescreen('aet', repoPath(BETA), '--site', 'SiII', '--json').out);
  assert.equal(aet.length, 1);
  assert.equal(aet[0].cn, 10);
  assert.equal(aet[0].shell.length, 10);
  const nnh = JSON.parse(cescreen('nnh', repoPath(BETA), '--cutoff', '5', '--json').out);
  assert.equal(nnh.length, 4);
  const pairs = JSON.parse(cescreen('pairs', repoPath(BETA), '--json').out);
  assert.equal(pairs.length, 13);
  assert.ok(pairs.every((p: { distance: number }) => p.distance <= 3.6));
});

test('supercell and substitute write files a reader accepts, with the substituted composition', () => {
  const poscar = join(dir, 'POSCAR');
  assert.equal(cescreen('supercell', repoPath(ALPHA), '--size', '2x2x1', '-o', poscar).code, 0);
  assert.equal(readStructure(poscar).length, 128);
  const cif = join(dir, 'sub.cif');
  const r = cescreen('substitute', repoPath(ALPHA), '--pair', '2', '--elements', 'Ti,B', '-o', cif, '--json');
  assert.equal(r.code, 0, r.err);
  const s = readStructure(cif);
  const comp = Object.fromEntries(s.composition());
  assert.deepEqual(comp, { Nb: 19, Si: 11, Ti: 1, B: 1 });
});

test('bad input: exit 2, one clear line naming the problem, no stack trace, no output file', () => {
  const missing = cescreen('structure', join(dir, 'nope.cif'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope\.cif/);
  assert.doesNotMatch(missing.err, /\n\s+at /);
  const bad = join(dir, 'bad.cif');
  writeFileSync(bad, 'data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c abc\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNb1 0 0 0\n');
  const r = cescreen('supercell', bad, '--size', '2x2x2', '-o', join(dir, 'never.cif'));
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.cif:4/);
  assert.ok(!existsSync(join(dir, 'never.cif')));
  assert.equal(cescreen('pairs', repoPath(ALPHA), '--max-distance', 'abc').code, 2);
  assert.equal(cescreen('evaluate', '--protocol', 'magic').code, 2);
});
