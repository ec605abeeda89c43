/**
 * Multi-phase substitution data from a real engine: the Zhou–Johnson–Wadley
 * 2004 EAM (src/engine/zhou2004.ts) under LAMMPS, several phases of one alloy
 * system, every symmetry-distinct pair within a cutoff with one set of
 * substituents, in the standard data-set format:
 *
 *   data/<phase>/structure.cif   the phase (site labels as in the data set)
 *   data/<phase>/eds.csv         the computed data set (cescreen compute's output, converged rows)
 *   data/<phase>/eds.compute.json  its metadata (engine, potential digest, μ, pristine, stability)
 *   data/README.md               provenance of everything
 *
 * Each phase's pristine cell must be a minimum of the potential: pushed off
 * its relaxed positions it must come back (energy and space group); phases that
 * do not are dropped, with the reason written in the README.
 *
 *   scripts/make-engine-data [--out data] [--work dir] [--jobs 2] [--phases a,b] [--limit n]
 *   scripts/make-engine-data --potential-only <file>     just the setfl file
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { zhou2004Setfl } from '../src/engine/zhou2004.ts';
import { sha256File } from '../src/util/digest.ts';
import { compute, metadataPath } from '../src/workflow/compute.ts';
import { templateRows } from '../src/workflow/calculations.ts';
import { terminalProgress, SILENT } from '../src/util/progress.ts';

/** The substituents of every phase (shared, so what is learnt about an element can carry over). */
const SUBSTITUENTS = ['Al', 'Co', 'Cu', 'Fe', 'Mo', 'Ni', 'Pd', 'Pt', 'Ti', 'Zr'];

interface Phase {
  name: string;
  what: string;
  hm: string;
  cell: [number, number, number, number, number, number];
  sites: [string, string, number, number, number][];
  supercell: string;
  maxDistance: number;
}

// Lattice constants are starting values only: the pristine supercell is relaxed under the potential.
const PHASES: Phase[] = [
  { name: 'fcc-Ni', what: 'fcc Ni (A1)', hm: 'F m -3 m', cell: [3.52, 3.52, 3.52, 90, 90, 90], sites: [['Ni', 'Ni', 0, 0, 0]], supercell: '4x4x4', maxDistance: 6.2 },
  { name: 'L12-Ni3Al', what: 'Ni3Al (L1₂, γ′)', hm: 'P m -3 m', cell: [3.57, 3.57, 3.57, 90, 90, 90], sites: [['Al', 'Al', 0, 0, 0], ['Ni', 'Ni', 0, 0.5, 0.5]], supercell: '3x3x3', maxDistance: 5.2 },
  { name: 'B2-NiAl', what: 'NiAl (B2, β)', hm: 'P m -3 m', cell: [2.88, 2.88, 2.88, 90, 90, 90], sites: [['Ni', 'Ni', 0, 0, 0], ['Al', 'Al', 0.5, 0.5, 0.5]], supercell: '4x4x4', maxDistance: 5.2 },
  { name: 'L10-TiAl', what: 'TiAl (L1₀, γ)', hm: 'P 4/m m m', cell: [2.83, 2.83, 4.07, 90, 90, 90], sites: [['Ti', 'Ti', 0, 0, 0], ['Al', 'Al', 0.5, 0.5, 0.5]], supercell: '4x4x3', maxDistance: 5.2 },
  { name: 'D019-Ti3Al', what: 'Ti3Al (D0₁₉, α₂)', hm: 'P 63/m m c', cell: [5.77, 5.77, 4.62, 90, 90, 120], sites: [['Ti', 'Ti', 0.8333333, 0.6666667, 0.25], ['Al', 'Al', 0.3333333, 0.6666667, 0.25]], supercell: '2x2x2', maxDistance: 4.5 },
  { name: 'B2-CuZr', what: 'CuZr (B2)', hm: 'P m -3 m', cell: [3.26, 3.26, 3.26, 90, 90, 90], sites: [['Cu', 'Cu', 0, 0, 0], ['Zr', 'Zr', 0.5, 0.5, 0.5]], supercell: '3x3x3', maxDistance: 5.2 },
  { name: 'hcp-Ti', what: 'hcp Ti (A3, α)', hm: 'P 63/m m c', cell: [2.95, 2.95, 4.68, 90, 90, 120], sites: [['Ti', 'Ti', 0.3333333, 0.6666667, 0.25]], supercell: '4x4x3', maxDistance: 5.2 },
  { name: 'bcc-Fe', what: 'bcc Fe (A2, α)', hm: 'I m -3 m', cell: [2.87, 2.87, 2.87, 90, 90, 90], sites: [['Fe', 'Fe', 0, 0, 0]], supercell: '4x4x4', maxDistance: 6.2 },
  { name: 'C15-MgCu2', what: 'MgCu2 (C15 Laves)', hm: 'F d -3 m :2', cell: [7.04, 7.04, 7.04, 90, 90, 90], sites: [['Mg', 'Mg', 0.125, 0.125, 0.125], ['Cu', 'Cu', 0.5, 0.5, 0.5]], supercell: '2x2x2', maxDistance: 4.5 },
];

const POTENTIAL_ELEMENTS = [...new Set([...SUBSTITUENTS, ...PHASES.flatMap((p) => p.sites.map((s) => s[1]))])].sort();

function cifText(p: Phase): string {
  const [a, b, c, al, be, ga] = p.cell;
  return [
    `# ${p.what}: a starting cell for scripts/make-engine-data (relaxed under the potential before use)`,
    `data_${p.name}`,
    `_symmetry_space_group_name_H-M '${p.hm}'`,
    `_cell_length_a ${a}`,
    `_cell_length_b ${b}`,
    `_cell_length_c ${c}`,
    `_cell_angle_alpha ${al}`,
    `_cell_angle_beta ${be}`,
    `_cell_angle_gamma ${ga}`,
    'loop_',
    '_atom_site_label',
    '_atom_site_type_symbol',
    '_atom_site_fract_x',
    '_atom_site_fract_y',
    '_atom_site_fract_z',
    ...p.sites.map((s) => s.join(' ')),
    '',
  ].join('\n');
}

const { values: o } = parseArgs({
  options: {
    out: { type: 'string', default: 'data' },
    work: { type: 'string', default: join(tmpdir(), 'cescreen-engine-data') },
    jobs: { type: 'string', default: '2' },
    phases: { type: 'string' },
    limit: { type: 'string' },
    'potential-only': { type: 'string' },
  },
});

const potentialText = zhou2004Setfl(POTENTIAL_ELEMENTS);
if (o['potential-only']) {
  writeFileSync(o['potential-only'], potentialText);
  console.log(`wrote ${o['potential-only']}: ${POTENTIAL_ELEMENTS.join(' ')}, sha256 ${sha256File(o['potential-only'])}`);
  process.exit(0);
}

mkdirSync(o.work, { recursive: true });
const potential = resolve(o.work, `ZJW2004-${POTENTIAL_ELEMENTS.join('')}.eam.alloy`);
writeFileSync(potential, potentialText);
const digest = sha256File(potential);
const cache = join(o.work, 'engine-cache.json');
const chosen = o.phases ? PHASES.filter((p) => o.phases!.split(',').includes(p.name)) : PHASES;
const progress = process.stderr.isTTY ? terminalProgress() : SILENT;

interface Done {
  phase: Phase;
  rows: number;
  failed: string[];
  meta: Record<string, any>;
  seconds: number;
  kept: boolean;
  why?: string;
  summary?: { min: number; median: number; max: number; move: number };
}
const done: Done[] = [];
const started = Date.now();
for (const phase of chosen) {
  const dir = join(o.out, phase.name);
  mkdirSync(dir, { recursive: true });
  const cif = join(dir, 'structure.cif');
  writeFileSync(cif, cifText(phase));
  const t = templateRows({ cif, supercell: phase.supercell, maxDistance: phase.maxDistance, elements: SUBSTITUENTS });
  const rows = join(o.work, `${phase.name}-rows.csv`);
  const lines = t.csv.trimEnd().split('\n');
  writeFileSync(rows, (o.limit ? lines.slice(0, 1 + Number(o.limit)) : lines).join('\n') + '\n');
  const output = join(dir, 'eds.csv');
  const t0 = Date.now();
  progress.log(`${phase.name}: ${lines.length - 1} calculations in ${phase.supercell} within ${phase.maxDistance} Å`);
  const r = await compute({ cif, supercell: phase.supercell, maxDistance: phase.maxDistance, data: rows, engine: 'lammps', options: { potential }, output, jobs: Number(o.jobs), cache, progress });
  if (!('computed' in r)) throw new Error('lammps writes data sets');
  const meta = JSON.parse(readFileSync(metadataPath(output), 'utf8'));
  const st = meta.pristine.stability;
  const entry: Done = { phase, rows: r.rows, failed: [], meta, seconds: (Date.now() - t0) / 1000, kept: st.stable };
  if (!st.stable) {
    entry.why = `pristine cell not a minimum of the potential: pushed ${st.rattle} Å off, it relaxed ${st.energyChange.toFixed(1)} meV/atom lower, ${st.spacegroupBefore} → ${st.spacegroupAfter}`;
    rmSync(dir, { recursive: true, force: true });
  } else {
    // a data set holds energies only: rows without one are listed in the README instead
    const csv = readFileSync(output, 'utf8').trimEnd().split('\n');
    const header = csv[0].split(',');
    const eds = header.indexOf('eds_eV');
    const reason = header.indexOf('reason');
    const bad = csv.slice(1).filter((l) => l.split(',')[eds] === '');
    entry.failed = bad.map((l) => l.split(',').slice(reason).join(','));
    if (bad.length) writeFileSync(output, [csv[0], ...csv.slice(1).filter((l) => l.split(',')[eds] !== '')].join('\n') + '\n');
    const good = csv.slice(1).filter((l) => l.split(',')[eds] !== '').map((l) => l.split(','));
    const e = good.map((w) => Number(w[eds])).sort((x, y) => x - y);
    const move = header.indexOf('max_displacement');
    entry.summary = { min: e[0], median: e[e.length >> 1], max: e[e.length - 1], move: Math.max(...good.map((w) => Number(w[move]))) };
  }
  done.push(entry);
  progress.log(`${phase.name}: ${entry.kept ? `${r.rows - entry.failed.length} rows` : `dropped (${entry.why})`} in ${entry.seconds.toFixed(0)} s`);
}
progress.stop();

const lmpVersion = done[0]?.meta.identity.version ?? '';
const settings = done[0]?.meta.identity.settings ?? {};
const refs: Record<string, any> = {};
for (const d of done) Object.assign(refs, d.meta.references);
const fmt = (x: number, n = 4) => x.toFixed(n);
const machine = `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores`;
const readme = `# Engine data: substitution energies of ${done.filter((d) => d.kept).length} phases under one EAM potential

Written by \`scripts/make-engine-data\` (${new Date().toISOString().slice(0, 10)}, ${machine}, ${o.jobs} relaxations at once;
${((Date.now() - started) / 60000).toFixed(1)} min in all). Every number comes from \`cescreen compute --engine lammps\`:
the energies are real physics of the potential below, not DFT.

## Potential and engine

- **Zhou–Johnson–Wadley 2004 analytic EAM** (X. W. Zhou, R. A. Johnson, H. N. G. Wadley, Phys. Rev. B 69,
  144113 (2004)), alloy pairs by its mixing rule, elements ${POTENTIAL_ELEMENTS.join(' ')}: written by
  \`src/engine/zhou2004.ts\` (\`scripts/make-engine-data --potential-only f.eam.alloy\` writes the same file),
  LAMMPS \`eam/alloy\`, cutoff ${fmt(done[0]?.meta.cutoff ?? 0, 3)} Å, sha256 \`${digest}\`. Its tables agree with LAMMPS'
  \`tools/eam_database\` to 1e-6 of each table's scale (that tool works in single precision; test/engine-zhou2004.test.ts).
  The mixing rule is not fitted to any alloy: the energies are those of a physically sound but untuned model
  (the tool's own warning), which is what a transfer benchmark needs, not what a phase diagram needs.
- **Engine**: ${lmpVersion} (Debian's \`lammps\`), settings ${JSON.stringify(settings)}.
- **Bookkeeping**: ${done[0]?.meta.bookkeeping ?? ''}.

## Phases

Substituents of every phase: ${SUBSTITUENTS.join(', ')} (the host elements of each site as well). All
symmetry-distinct site pairs within the max distance, single substitutions included (\`cescreen pairs
--template\`); positions are fractions of the CIF cell. Stability: the relaxed pristine supercell pushed
0.05 Å off along a fixed quasi-random direction and relaxed again at its cell must come back to its energy
(within 1 meV/atom) and space group. Time: wall time of the phase's compute run (the first one includes
every element's μ; in the high-symmetry supercells most of it is the pair enumeration, not LAMMPS).

| phase | structure | supercell (atoms) | max distance (Å) | shortest image (Å) | rows | E(pristine) (eV) | relaxed a (Å) | stability: ΔE (meV/atom), space group | E_DS min / median / max (eV) | largest move (Å) | time (s) |
|---|---|---|---|---|---|---|---|---|---|---|---|
${done
  .map((d) => {
    const m = d.meta;
    const st = m.pristine.stability;
    const a = Math.hypot(...m.pristine.lattice[0]) / Number(d.phase.supercell.split('x')[0]);
    const s = d.summary;
    return `| ${d.kept ? `\`${d.phase.name}\`` : `~~${d.phase.name}~~ (dropped)`} | ${d.phase.what}, ${m.structure.spacegroup} | ${d.phase.supercell} (${m.structure.atoms}) | ${d.phase.maxDistance} | ${fmt(m.shortestImage, 2)} | ${d.kept ? d.rows - d.failed.length : 0}${d.failed.length ? ` (${d.failed.length} failed)` : ''} | ${fmt(m.pristine.energy_eV, 3)} | ${fmt(a, 4)} | ${fmt(st.energyChange, 3)}, ${st.spacegroupBefore} → ${st.spacegroupAfter} | ${s ? `${fmt(s.min, 2)} / ${fmt(s.median, 2)} / ${fmt(s.max, 2)}` : ''} | ${s ? fmt(s.move, 2) : ''} | ${fmt(d.seconds, 0)} |`;
  })
  .join('\n')}

The mixing rule is untuned (the tool's own warning): Zr binds far too strongly to Fe, Ni and Al, so
the most negative energies of most phases are Zr rows, and a few rows relax far (a Zr/Ni antisite pair
in B2 NiAl moves an atom by 2.7 Å); \`max_displacement\` in eds.csv marks them.

The CLI needs each phase's supercell and max distance, e.g.
\`cescreen evaluate --data data/L12-Ni3Al/eds.csv --supercell 3x3x3 --max-distance 5.2\`; one
\`--max-distance 6.2\` reads every phase, so several train together (\`--data … --supercell …\` per phase).
${done.some((d) => !d.kept) ? `\nDropped:\n${done.filter((d) => !d.kept).map((d) => `- ${d.phase.name}: ${d.why}`).join('\n')}\n` : ''}${done.some((d) => d.failed.length) ? `\nRows without an energy (left out of eds.csv):\n${done.flatMap((d) => d.failed.map((f) => `- ${d.phase.name}: ${f}`)).join('\n')}\n` : ''}
## Reference chemical potentials μ (eV/atom)

The lowest of fcc, bcc, hcp (ideal c/a start) and diamond, each relaxed in cell and positions.

| element | μ | from | relaxed to | fcc | bcc | hcp | diamond |
|---|---|---|---|---|---|---|---|
${Object.values(refs)
  .sort((a: any, b: any) => a.element.localeCompare(b.element))
  .map((r: any) => `| ${r.element} | ${fmt(r.mu)} | ${r.prototype} | ${r.spacegroup} | ${r.tried.map((t: any) => (t.energy === null ? '–' : fmt(t.energy))).join(' | ')} |`)
  .join('\n')}
`;
if (!o.phases && !o.limit) writeFileSync(join(o.out, 'README.md'), readme);
else process.stdout.write(readme);
if (!existsSync(potential)) throw new Error('potential vanished');
