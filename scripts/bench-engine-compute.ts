/**
 * Time per relaxation and throughput of `cescreen compute --engine lammps` on
 * this machine: --jobs 1 against --jobs 2, and one lmp process kept for every
 * relaxation (what compute does) against a new lmp per relaxation. A measurement,
 * not a test: numbers go in the README with date and machine.
 *
 *   node --import tsx scripts/bench-engine-compute.ts [--rows 120]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { zhou2004Setfl } from '../src/engine/zhou2004.ts';
import { openLammps, LAMMPS_PARAMS } from '../src/engine/lammps.ts';
import { defaults } from '../src/util/params.ts';
import { compute, type ComputeResult } from '../src/workflow/compute.ts';
import { substitutedCell, templateRows } from '../src/workflow/calculations.ts';
import { substitutionSystem } from '../src/substitution/system.ts';
import { distinctSubstitutions } from '../src/substitution/substitution.ts';

const { values: o } = parseArgs({ options: { rows: { type: 'string', default: '120' } } });
const N = Number(o.rows);
const ELEMENTS = ['Al', 'Co', 'Cu', 'Fe', 'Ni', 'Ti'];
const work = mkdtempSync(join(tmpdir(), 'cescreen-bench-engine-'));
const potential = join(work, 'ZJW.eam.alloy');
writeFileSync(potential, zhou2004Setfl(ELEMENTS));
const cif = new URL('../data/L12-Ni3Al/structure.cif', import.meta.url).pathname;
const cell = { cif, supercell: '3x3x3', maxDistance: 5.2 };
const lines = templateRows({ ...cell, elements: ELEMENTS }).csv.trimEnd().split('\n');
const rows = join(work, 'rows.csv');
writeFileSync(rows, [lines[0], ...lines.slice(1, N + 1)].join('\n') + '\n');
const cache = join(work, 'cache.json');
const run = async (jobs: number, data = rows) => {
  const output = join(work, `out-${jobs}.csv`);
  rmSync(output, { force: true });
  const t = performance.now();
  const r = (await compute({ ...cell, data, engine: 'lammps', options: { potential }, output, jobs, cache })) as ComputeResult;
  return { seconds: (performance.now() - t) / 1000, r };
};

// references and the pristine cell once, into the cache: the runs below time the substituted cells
const warm = join(work, 'warm.csv');
writeFileSync(warm, lines.slice(0, 2).join('\n') + '\n');
await run(1, warm);

const results: string[] = [];
for (const jobs of [1, 2]) {
  const { seconds, r } = await run(jobs);
  results.push(`--jobs ${jobs}: ${r.computed} relaxations (108-atom Ni3Al cells) in ${seconds.toFixed(1)} s wall: ${((seconds / r.computed) * 1000).toFixed(0)} ms each, ${(r.computed / seconds).toFixed(1)} relaxations/s (run total, incl. ~1 s set-up)`);
}

// one process for all against a new process per relaxation (the same cells, one worker)
const system = substitutionSystem(cif, { supercell: cell.supercell, maxDistance: cell.maxDistance });
const subs = distinctSubstitutions(system.enumeration, ELEMENTS).slice(0, 30);
const session = await openLammps({ ...defaults(LAMMPS_PARAMS), potential }, ELEMENTS);
const timeRelaxations = async (fresh: boolean) => {
  let calc = session.calculator();
  const t = performance.now();
  for (const s of subs) {
    if (fresh) {
      calc.close();
      calc = session.calculator();
    }
    await calc.relax(substitutedCell(system, s), 'positions');
  }
  calc.close();
  return (performance.now() - t) / subs.length;
};
const kept = await timeRelaxations(false);
const fresh = await timeRelaxations(true);
results.push(`one lmp for ${subs.length} relaxations: ${kept.toFixed(0)} ms each; a new lmp per relaxation: ${fresh.toFixed(0)} ms each (${(fresh / kept).toFixed(1)}×: start-up and reading the ${ELEMENTS.length}-element potential)`);

console.log(`${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model}, ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const l of results) console.log(l);
rmSync(work, { recursive: true, force: true });
