import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compute, type ComputeResult } from '../src/workflow/compute.ts';
import { templateRows } from '../src/workflow/calculations.ts';
import { repoPath } from './helpers.ts';

// Debian's python3-ase lives in /usr/bin/python3; the python3 first on PATH may lack it
const PYTHON = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import ase'], { encoding: 'utf8' }).status === 0);
const skip = PYTHON ? false : 'no Python with ASE: apt-get install python3-ase (.ci/run does)';
const CU = repoPath('test/fixtures/engine/fcc-Cu.cif');
const dir = mkdtempSync(join(tmpdir(), 'cescreen-ase-'));

function manifest(name: string, elements: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, templateRows({ cif: CU, supercell: '2x2x2', maxDistance: 3, elements }).csv);
  return file;
}

test('ASE with EMT: E_DS of Au in 32 fcc Cu equals the bookkeeping of a separate ASE run', { skip }, async () => {
  // ASE's own builders and optimiser, none of cescreen's code: pristine (cell + positions), Au on one atom at that cell, μ
  const script = `
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.optimize import BFGS
try:
    from ase.filters import FrechetCellFilter as F
except ImportError:
    from ase.constraints import ExpCellFilter as F
def relax(a, cell=True):
    a.calc = EMT()
    BFGS(F(a) if cell else a, logfile=None).run(fmax=1e-5, steps=5000)
    return a.get_potential_energy()
cu = bulk('Cu', 'fcc', a=3.615, cubic=True).repeat(2)
pristine = relax(cu)
sub = cu.copy(); sub[0].symbol = 'Au'
substituted = relax(sub, cell=False)
mu_cu = min(relax(bulk('Cu', 'fcc', a=3.6)), relax(bulk('Cu', 'hcp', a=2.55, c=4.16)) / 2)
mu_au = relax(bulk('Au', 'fcc', a=4.08))
print(pristine, substituted, mu_cu, mu_au)
`;
  const r = spawnSync(PYTHON!, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [pristine, substituted, muCu, muAu] = r.stdout.trim().split(/\s+/).map(Number);
  const byHand = substituted - pristine - muAu + muCu;

  const data = manifest('au.csv', ['Au']);
  const out = (await compute({ cif: CU, supercell: '2x2x2', maxDistance: 3, data, engine: 'ase', options: { fmax: 1e-3, stressTol: 0.1 }, output: join(dir, 'au.out.csv'), jobs: 2 })) as ComputeResult;
  assert.equal(out.failed + out.unconverged, 0);
  assert.ok(Math.abs(out.pristineEnergy - pristine) < 1e-4, `${out.pristineEnergy} vs ${pristine}`);
  assert.ok(Math.abs(out.references.Cu.mu - muCu) < 1e-5, `μ Cu ${out.references.Cu.mu} (${out.references.Cu.prototype}) vs ${muCu}`);
  assert.ok(Math.abs(out.references.Au.mu - muAu) < 1e-5);
  const lines = readFileSync(join(dir, 'au.out.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const single = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, k) => [header[k], v]))).find((x) => x.kind === 'single')!;
  assert.ok(Math.abs(Number(single.eds_eV) - byHand) < 2e-4, `compute ${single.eds_eV} vs by hand ${byHand}`);
  assert.equal(single.engine, 'ase');
  const meta = JSON.parse(readFileSync(join(dir, 'au.out.compute.json'), 'utf8'));
  assert.match(meta.identity.version, /^ASE \d/);
  assert.equal(meta.identity.settings.calculator, 'ase.calculators.emt:EMT');
});

test('ASE: an element EMT cannot place fails its rows with the reason; a Python without ASE or a missing calculator is refused by name', { skip }, async () => {
  const data = manifest('ti.csv', ['Ti']);
  const out = (await compute({ cif: CU, supercell: '2x2x2', maxDistance: 3, data, engine: 'ase', options: {}, output: join(dir, 'ti.out.csv'), jobs: 1 })) as ComputeResult;
  assert.equal(out.failed, out.rows);
  assert.match(readFileSync(join(dir, 'ti.out.csv'), 'utf8'), /failed: element Ti cannot be placed by the ASE calculator ase\.calculators\.emt:EMT/);
  const refused = (options: Record<string, unknown>, message: RegExp) =>
    assert.rejects(compute({ cif: CU, supercell: '2x2x2', maxDistance: 3, data, engine: 'ase', options, output: join(dir, 'never.csv') }), (e: Error) => e.name === 'InputError' && message.test(e.message));
  await refused({ python: '/nonexistent/python3' }, /--python \/nonexistent\/python3: cannot run it \(ENOENT\)/);
  await refused({ calculator: 'no_such_package.calc:make' }, /--calculator no_such_package\.calc:make: ModuleNotFoundError: No module named 'no_such_package'/);
});
