import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compute, type ComputeResult } from '../src/workflow/compute.ts';
import { templateRows } from '../src/workflow/calculations.ts';
import { collect } from '../src/workflow/collect.ts';
import { openLammps, LAMMPS_PARAMS, LAMMPS_DATA_DIR } from '../src/engine/lammps.ts';
import { defaults } from '../src/util/params.ts';
import { readStructure } from '../src/structure/io.ts';
import { supercell } from '../src/structure/supercell.ts';
import { repoPath } from './helpers.ts';

const HAVE_LMP = spawnSync('lmp', ['-h'], { encoding: 'utf8' }).status === 0;
const skip = HAVE_LMP ? false : 'LAMMPS (lmp) is not installed: apt-get install lammps lammps-data (.ci/run does)';
const CU = repoPath('test/fixtures/engine/fcc-Cu.cif');
// Zhou–Johnson–Wadley Cu–Ta, as Debian's lammps-data ships it
const CUTA = join(LAMMPS_DATA_DIR, 'CuTa.eam.alloy');
const dir = mkdtempSync(join(tmpdir(), 'cescreen-lammps-'));
const bin = repoPath('bin/cescreen.js');
const cescreen = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });

/** The rows of a cell to fill, as `pairs --template` writes them. */
function manifest(name: string, o: { cif: string; supercell: string; maxDistance: number; elements: string[] }, keep?: (line: string) => boolean): string {
  const t = templateRows(o).csv.trimEnd().split('\n');
  const file = join(dir, name);
  writeFileSync(file, [t[0], ...t.slice(1).filter((l) => !keep || keep(l))].join('\n') + '\n');
  return file;
}

/** One lmp run of a hand-written input (LAMMPS' own lattice commands, none of cescreen's code), its printed lines. */
function lmp(input: string): Record<string, number[]> {
  const r = spawnSync('lmp', ['-log', 'none', '-nocite', '-echo', 'none'], { input, encoding: 'utf8', env: { ...process.env, OMPI_MCA_ess_singleton_isolated: '1', OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return Object.fromEntries([...r.stdout.matchAll(/^(\w+) (.*)$/gm)].filter((m) => /^[A-Z_a-z]+$/.test(m[1]) && /^[-\d. ]+$/.test(m[2])).map((m) => [m[1], m[2].trim().split(/\s+/).map(Number)]));
}

const SETUP = (lattice: string, a: number, n: number, type: number) => `units metal
atom_style atomic
boundary p p p
lattice ${lattice} ${a}
region b block 0 ${n} 0 ${n} 0 ${n}
create_box 2 b
create_atoms ${type} box
pair_style eam/alloy
pair_coeff * * ${CUTA} Cu Ta
min_modify norm max
fix r all box/relax iso 0.0 vmax 0.01
minimize 0 1e-8 10000 100000
unfix r
minimize 0 1e-8 10000 100000
`;

test('hand-checked E_DS: one Ta in 32 fcc Cu equals the bookkeeping of separate lmp runs (README: 0.0745 eV)', { skip }, async () => {
  // E(Cu32) relaxed in cell and positions, then Ta on one atom at that cell; μ from fcc Cu and bcc Ta
  const cell = lmp(`${SETUP('fcc', 3.615, 2, 1)}print "PRISTINE $(pe:%.10f)"\nset atom 1 type 2\nminimize 0 1e-8 10000 100000\nprint "SUBSTITUTED $(pe:%.10f)"\n`);
  const cu = lmp(`${SETUP('fcc', 3.615, 1, 1)}print "MU $(pe/atoms:%.10f)"\n`).MU[0];
  const ta = lmp(`${SETUP('bcc', 3.3, 1, 2)}print "MU $(pe/atoms:%.10f)"\n`).MU[0];
  const byHand = cell.SUBSTITUTED[0] - cell.PRISTINE[0] - ta + cu;
  assert.ok(Math.abs(byHand - 0.0745145) < 2e-6, `the README's numbers: ${byHand}`);

  const data = manifest('ta-in-cu.csv', { cif: CU, supercell: '2x2x2', maxDistance: 3, elements: ['Ta'] }, (l) => l.includes(',single,'));
  const r = (await compute({ cif: CU, supercell: '2x2x2', maxDistance: 3, data, engine: 'lammps', options: { potential: 'CuTa.eam.alloy', fmax: 1e-4, stressTol: 0.01 }, output: join(dir, 'ta-in-cu.out.csv'), jobs: 1 })) as ComputeResult;
  assert.equal(r.computed, 1);
  assert.ok(Math.abs(r.pristineEnergy - cell.PRISTINE[0]) < 1e-5, `${r.pristineEnergy} vs ${cell.PRISTINE[0]}`);
  assert.ok(Math.abs(r.references.Cu.mu - cu) < 1e-6 && r.references.Cu.prototype === 'fcc');
  assert.ok(Math.abs(r.references.Ta.mu - ta) < 1e-6 && r.references.Ta.prototype === 'bcc');
  const out = readFileSync(join(dir, 'ta-in-cu.out.csv'), 'utf8').trim().split('\n');
  const row = Object.fromEntries(out[0].split(',').map((h, k) => [h, out[1].split(',')[k]]));
  assert.ok(Math.abs(Number(row.eds_eV) - byHand) < 1e-5, `compute ${row.eds_eV} vs by hand ${byHand}`);
  assert.equal(row.converged, '1');
  assert.equal(row.engine, 'lammps');
  const meta = JSON.parse(readFileSync(join(dir, 'ta-in-cu.out.compute.json'), 'utf8'));
  assert.equal(meta.identity.files[0].sha256.length, 64);
  assert.match(meta.identity.version, /^LAMMPS /);
  assert.equal(meta.pristine.stability.stable, true);
});

test('a row the potential cannot place is recorded with its reason and the run goes on; a second run skips the done rows', { skip }, async () => {
  // Ni is not in the Cu–Ta potential: its rows fail by themselves
  const data = manifest('mixed.csv', { cif: CU, supercell: '2x2x2', maxDistance: 3, elements: ['Ta', 'Ni'] });
  const output = join(dir, 'mixed.out.csv');
  const run = () => compute({ cif: CU, supercell: '2x2x2', maxDistance: 3, data, engine: 'lammps', options: { potential: CUTA }, output, jobs: 2, cache: join(dir, 'mixed-cache.json') }) as Promise<ComputeResult>;
  const first = await run();
  assert.equal(first.rows, 5); // Ta, Ni singles; Ta-Ta, Ni-Ni, Ni-Ta pairs
  assert.equal(first.failed, 3);
  const csv = readFileSync(output, 'utf8');
  assert.match(csv, /failed: element Ni is not in the potential CuTa\.eam\.alloy \(it has Cu, Ta\)/);
  assert.equal(csv.split('\n').filter((l) => /,Ta,.*,1,[\d.]+,\d+,lammps,?$/.test(l) && !l.includes('Ni')).length, 2);
  const second = await run();
  assert.equal(second.computed, 0);
  assert.equal(second.skipped, 5);
});

test('--shard i/N splits the rows; collect merges the shards into what one run gives', { skip }, async () => {
  const data = manifest('sharded.csv', { cif: CU, supercell: '2x2x2', maxDistance: 3.6, elements: ['Ta'] });
  const run = (output: string, shard?: string) =>
    compute({ cif: CU, supercell: '2x2x2', maxDistance: 3.6, data, engine: 'lammps', options: { potential: 'CuTa.eam.alloy' }, output, shard, jobs: 1, cache: join(dir, 'shard-cache.json') }) as Promise<ComputeResult>;
  const whole = await run(join(dir, 'whole.csv'));
  const parts = [await run(join(dir, 'part0.csv'), '0/2'), await run(join(dir, 'part1.csv'), '1/2')];
  assert.equal(parts[0].rows + parts[1].rows, whole.rows);
  const merged = await collect({ inputs: [join(dir, 'part0.csv'), join(dir, 'part1.csv')], output: join(dir, 'merged.csv') });
  assert.equal(merged.done, whole.rows);
  const energies = (f: string) => readFileSync(f, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 11).join(',')).sort();
  assert.deepEqual(energies(join(dir, 'merged.csv')), energies(join(dir, 'whole.csv')));
  await assert.rejects(collect({ inputs: [join(dir, 'part0.csv'), join(dir, 'ta-in-cu.out.csv')], output: join(dir, 'bad.csv') }), /computed with other engine settings/);
});

test('the calculator survives its lmp being killed: the next relaxation starts a new one', { skip }, async () => {
  const s = await openLammps({ ...defaults(LAMMPS_PARAMS), potential: 'CuTa.eam.alloy' }, ['Cu', 'Ta']);
  const calc = s.calculator();
  const cu = supercell(readStructure(CU), '2x2x2');
  try {
    const e1 = await calc.energy(cu);
    const pid = (calc as unknown as { proc: { pid?: number } }).proc.pid!;
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    // the request in flight when a process dies fails; the next one starts a new process
    const e2 = await calc.energy(cu).catch(() => calc.energy(cu));
    assert.ok(Math.abs(e1 - e2) < 1e-9);
    assert.ok(Math.abs(e1 / 32 + 3.54) < 0.01, `${e1 / 32} eV/atom`);
  } finally {
    calc.close();
  }
});

test('clear errors: missing lmp (exit 2, one line), a pair style the build lacks (MEAM), a host element not in the potential, a bad potential file', { skip }, async () => {
  const data = manifest('one.csv', { cif: CU, supercell: '1x1x1', maxDistance: 3, elements: ['Ta'] });
  const missing = cescreen('compute', CU, '--data', data, '--max-distance', '3', '-o', join(dir, 'never.csv'), '--potential', 'CuTa.eam.alloy', '--lmp', '/nonexistent/lmp');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^cescreen: LAMMPS binary '\/nonexistent\/lmp' not found: install Debian's lammps .* or pass --lmp/m);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
  const run = (options: Record<string, unknown>) => compute({ cif: CU, maxDistance: 3, data, engine: 'lammps', options, output: join(dir, 'never.csv') });
  const refused = (options: Record<string, unknown>, message: RegExp) => assert.rejects(run(options), (e: Error) => e.name === 'InputError' && message.test(e.message));
  await refused({ potential: 'Cu.meam' }, /pair style meam is not in this LAMMPS build .*MEAM/);
  await refused({ potential: 'NiAlH_jea.eam.alloy' }, /fcc-Cu\.cif: the structure's own element Cu is not in the potential NiAlH_jea\.eam\.alloy \(it has Ni, Al, H\)/);
  const truncated = join(dir, 'truncated.eam.alloy');
  writeFileSync(truncated, readFileSync(CUTA, 'utf8').split('\n').slice(0, 200).join('\n'));
  await refused({ potential: truncated }, /truncated\.eam\.alloy:\d+: not a valid potential file: the header promises 2 element\(s\) on grids of 2000 and 2000 points/);
  await refused({ potential: 'no-such-file.eam.alloy' }, /potential file 'no-such-file\.eam\.alloy' not found/);
  await refused({ potential: 'CuTa.eam.alloy', encut: 400 }, /--encut is not an option of engine lammps/);
  assert.ok(!existsSync(join(dir, 'never.csv')));
  // --slurm refuses what every array task would refuse before anything is queued (with or without sbatch on PATH)
  const noData = cescreen('compute', CU, '--data', join(dir, 'no-such-rows.csv'), '--potential', 'CuTa.eam.alloy', '-o', join(dir, 'never.csv'), '--slurm');
  assert.equal(noData.status, 2);
  assert.match(noData.stderr, /no-such-rows\.csv: cannot read the data set/);
  const badOption = cescreen('compute', CU, '--data', data, '--max-distance', '3', '--potential', 'CuTa.eam.alloy', '--encut', '400', '-o', join(dir, 'never.csv'), '--slurm');
  assert.equal(badOption.status, 2);
  assert.match(badOption.stderr, /--encut is not an option of engine lammps/);
});

test('SIGTERM stops compute with 143 and kills every lmp it started; the same command then resumes', { skip }, async () => {
  const data = manifest('many.csv', { cif: CU, supercell: '2x2x2', maxDistance: 3.6, elements: ['Ta'] });
  const output = join(dir, 'many.out.csv');
  const args = ['compute', CU, '--supercell', '2x2x2', '--max-distance', '3.6', '--data', data, '--potential', 'CuTa.eam.alloy', '--fmax', '1e-5', '-o', output, '--jobs', '2'];
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, CESCREEN_QUIET: '1' } });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  // children of the cescreen process named lmp, from /proc (no ps needed)
  const lmpChildren = () =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8').trim();
          const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(stat)!;
          return (comm === 'lmp' || comm === 'stdbuf') && Number(rest.split(' ')[1]) === child.pid ? [Number(d)] : [];
        } catch {
          return [];
        }
      });
  let lmps: number[] = [];
  let exited = false;
  child.on('exit', () => (exited = true));
  // a loaded machine can take many seconds to start node, tsx and the first lmp
  for (let k = 0; k < 1200 && lmps.length === 0 && !exited; k++) {
    await new Promise((r) => setTimeout(r, 50));
    lmps = lmpChildren();
  }
  assert.ok(lmps.length >= 1, `compute started its lmp workers (exited before: ${exited}; ${err})`);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 143, err);
  await new Promise((r) => setTimeout(r, 200));
  const alive = lmps.filter((pid) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')));
  assert.deepEqual(alive, [], 'no lmp outlives cescreen');
  assert.match(err, /interrupted by SIGTERM/);
  const done = existsSync(output) ? readFileSync(output, 'utf8').trim().split('\n').slice(1).filter((l) => /,lammps,?/.test(l)).length : 0;
  const r = (await compute({ cif: CU, supercell: '2x2x2', maxDistance: 3.6, data, engine: 'lammps', options: { potential: 'CuTa.eam.alloy', fmax: 1e-5 }, output, jobs: 2 })) as ComputeResult;
  assert.equal(r.skipped, done);
  assert.equal(r.computed + r.skipped, r.rows);
  assert.equal(r.failed + r.unconverged, 0);
});
