import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VASP_ENGINE } from '../src/engine/vasp.ts';
import { QE_ENGINE } from '../src/engine/qe.ts';
import { compute, type InputSetResult } from '../src/workflow/compute.ts';
import { collect } from '../src/workflow/collect.ts';
import { templateRows } from '../src/workflow/calculations.ts';
import { repoPath } from './helpers.ts';

const fixture = (p: string) => repoPath(`test/fixtures/engine/${p}`);
const dir = mkdtempSync(join(tmpdir(), 'cescreen-dft-'));
const readVasp = VASP_ENGINE.readsOutputs!.read;
const readQe = QE_ENGINE.readsOutputs!.read;

test('VASP outputs (custodian test files, VASP 5.2–6.4): energy(sigma→0), steps, final cell, ionic and electronic convergence', () => {
  // Si, ISIF = 3, converged in 3 ionic steps; vasprun.xml and OUTCAR of the same run agree
  const xml = readVasp(fixture('vasp/Si-relax'));
  assert.equal(xml.energy, -10.84147246);
  assert.equal(xml.steps, 3);
  assert.ok(xml.ionicConverged && xml.electronicConverged, xml.reason);
  assert.equal(xml.program, 'VASP 6.4.2');
  assert.equal(xml.structure!.formula(), 'Si');
  assert.ok(Math.abs(xml.structure!.lattice.volume - 40.91137613) < 1e-6, `${xml.structure!.lattice.volume}`); // its <i name="volume">
  const dirOnlyOutcar = join(dir, 'outcar-only');
  mkdirSync(dirOnlyOutcar);
  cpSync(fixture('vasp/Si-relax/OUTCAR.gz'), join(dirOnlyOutcar, 'OUTCAR.gz'));
  const outcar = readVasp(dirOnlyOutcar);
  assert.equal(outcar.energy, xml.energy);
  assert.equal(outcar.steps, 3);
  assert.ok(outcar.ionicConverged && outcar.electronicConverged);

  // NSW = 2 reached with 0.87 eV/Å left; VASP 5 writes 0 for the ionic step's e_0_energy, the last electronic step has it
  const ionic = readVasp(fixture('vasp/ionic-unconverged'));
  assert.equal(ionic.ionicConverged, false);
  assert.equal(ionic.electronicConverged, true);
  assert.equal(ionic.energy, -11.15700617);
  assert.match(ionic.reason, /all NSW = 2 steps, forces up to 0\.87\d eV\/Å/);
  const electronic = readVasp(fixture('vasp/electronic-unconverged'));
  assert.equal(electronic.electronicConverged, false);
  assert.match(electronic.reason, /all NELM = 100 electronic steps/);
});

test('VASP input sets: POSCAR, INCAR (ISIF 3 for the pristine and reference cells, 2 for substituted ones), explicit k-grid, POTCAR.spec; POTCAR only from the user\'s folder', async () => {
  const cif = fixture('fcc-Cu.cif');
  const data = join(dir, 'rows.csv');
  writeFileSync(data, templateRows({ cif, supercell: '1x1x1', maxDistance: 3, elements: ['Ni'] }).csv);
  const potcars = join(dir, 'potcars');
  for (const p of ['Cu_pv', 'Ni']) {
    mkdirSync(join(potcars, p), { recursive: true });
    writeFileSync(join(potcars, p, 'POTCAR'), `  PAW_PBE ${p} (the user's own file)\n`);
  }
  const out = join(dir, 'vasp-runs');
  const r = (await compute({ cif, maxDistance: 3, data, engine: 'vasp', options: { potcars: 'Cu=Cu_pv', potcarDir: potcars, kspacing: 0.2 }, output: out })) as InputSetResult;
  assert.equal(r.waiting, 2, 'substituted cells wait for the relaxed pristine cell');
  assert.deepEqual(r.written.sort(), ['pristine', ...['Cu', 'Ni'].flatMap((e) => ['bcc', 'diamond', 'fcc', 'hcp'].map((p) => `references/${e}-${p}`))].sort());
  const incar = readFileSync(join(out, 'pristine/INCAR'), 'utf8');
  assert.match(incar, /^ISIF\s*= 3\b/m);
  assert.match(incar, /^ENCUT\s*= 520\b/m);
  assert.match(incar, /^ISPIN\s*= 1\b/m);
  assert.match(incar, /^EDIFFG\s*= -0\.01\b/m);
  // a = 3.615 Å: ⌈2π / (3.615 × 0.2)⌉ = ⌈8.69⌉ = 9
  assert.match(readFileSync(join(out, 'pristine/KPOINTS'), 'utf8'), /^Gamma\n9 9 9\n0 0 0\n$/m);
  assert.equal(readFileSync(join(out, 'pristine/POTCAR.spec'), 'utf8'), 'Cu_pv\n');
  assert.match(readFileSync(join(out, 'references/Ni-fcc/POTCAR'), 'utf8'), /PAW_PBE Ni/);
  assert.match(readFileSync(join(out, 'pristine/POSCAR'), 'utf8'), /^\s+Cu\n\s+4\nDirect/m);
  await assert.rejects(compute({ cif, maxDistance: 3, data, engine: 'vasp', options: { potcarDir: join(dir, 'nowhere') }, output: join(dir, 'vasp-bad') }), /--potcar-dir: no .*nowhere\/Cu\/POTCAR/);
  await assert.rejects(collect({ inputs: [out], engine: 'vasp', output: join(dir, 'never.csv') }), /no substituted cells written yet/);
});

test('QE outputs (pw.x 6.7 runs made here): last scf energy, relaxed cell, BFGS and scf convergence', () => {
  const pristine = readQe(fixture('qe/pristine'));
  assert.equal(pristine.energy, -16.76175827 * 13.605693122994);
  assert.ok(pristine.ionicConverged && pristine.electronicConverged, pristine.reason);
  assert.match(pristine.program!, /PWSCF v\.6\.7/);
  assert.ok(Math.abs(pristine.structure!.lattice.a - 3.95983) < 1e-4, `${pristine.structure!.lattice.a}`);
  assert.equal(pristine.structure!.length, 4);
  const hcp = readQe(fixture('qe/references/Mg-hcp'));
  assert.ok(hcp.ionicConverged && hcp.steps > 3);
  const ionic = readQe(fixture('qe/ionic-unconverged'));
  assert.equal(ionic.ionicConverged, false);
  assert.equal(ionic.electronicConverged, true);
  assert.match(ionic.reason, /BFGS did not converge/);
  const electronic = readQe(fixture('qe/electronic-unconverged'));
  assert.equal(electronic.electronicConverged, false);
  assert.match(electronic.reason, /convergence NOT achieved/);
});

test('collect --engine qe: E_DS of Mg in Al from real pw.x runs equals the hand-worked bookkeeping; an unconverged run is refused by name; a missing run is pending', async () => {
  const runs = join(dir, 'qe-runs');
  cpSync(fixture('qe'), runs, { recursive: true });
  const out = join(dir, 'qe-eds.csv');
  const r = await collect({ inputs: [runs], engine: 'qe', output: out });
  assert.equal(r.done, 2);
  assert.equal(r.references.Al.from, 'references/Al-fcc');
  assert.equal(r.references.Mg.from, 'references/Mg-hcp');
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const single = Object.fromEntries(lines[1].split(',').map((v, k) => [header[k], v]));
  assert.equal(single.kind, 'single');
  // qe/README.md: −14.69691328 + 16.76175827 + 2.14692906 − 4.19043957 Ry
  assert.ok(Math.abs(Number(single.eds_eV) - 0.02133448 * 13.605693122994) < 1e-6, single.eds_eV);
  assert.equal(single.engine, 'qe');
  const meta = JSON.parse(readFileSync(join(dir, 'qe-eds.compute.json'), 'utf8'));
  assert.match(meta.identity.version, /PWSCF v\.6\.7/);

  // references given instead of computed
  const mu = join(dir, 'mu.csv');
  writeFileSync(mu, `element,mu_eV\nAl,${-4.19043957 * 13.605693122994}\nMg,${-2.14692906 * 13.605693122994}\n`);
  const given = await collect({ inputs: [runs], engine: 'qe', references: mu, output: join(dir, 'qe-eds-mu.csv') });
  assert.equal(given.done, 2);

  cpSync(fixture('qe/ionic-unconverged/pw.out.gz'), join(runs, 'rows/001-Al@Al-Mg@Al-c1/pw.out.gz'));
  await assert.rejects(collect({ inputs: [runs], engine: 'qe', output: join(dir, 'never.csv') }), (e: Error) => e.name === 'InputError' && /rows\/001-Al@Al-Mg@Al-c1\/pw\.out\.gz: the run of .* did not converge: BFGS did not converge/.test(e.message));
  cpSync(fixture('qe/ionic-unconverged/pw.out.gz'), join(runs, 'references/Mg-fcc/pw.out.gz'));
  await assert.rejects(collect({ inputs: [runs], engine: 'qe', output: join(dir, 'never.csv') }), /references\/Mg-fcc\/pw\.out\.gz: the Mg fcc reference run did not converge/);
  cpSync(fixture('qe/references/Mg-fcc/pw.out.gz'), join(runs, 'references/Mg-fcc/pw.out.gz'));
  rmSync(join(runs, 'rows/001-Al@Al-Mg@Al-c1/pw.out.gz'));
  const partial = await collect({ inputs: [runs], engine: 'qe', output: join(dir, 'qe-partial.csv') });
  assert.deepEqual([partial.done, partial.pending], [1, 1]);
});
