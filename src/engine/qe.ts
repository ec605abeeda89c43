/**
 * Quantum ESPRESSO (pw.x) input files and outputs. One pw.in per calculation:
 * calculation = 'relax' (ions at a fixed cell) for substituted cells,
 * 'vc-relax' (cell and ions) for the pristine cell and the reference crystals,
 * with the user's pseudopotential of each element. The output (pw.out, plain or
 * gzipped) gives the energy of the last scf ('!' line; after a vc-relax, the
 * final scf at the relaxed cell), the final structure, and whether BFGS and
 * every scf converged.
 */
import { join } from 'node:path';
import { Lattice, type Mat3, type Vec3 } from '../structure/lattice.ts';
import { Structure } from '../structure/structure.ts';
import { InputError } from '../util/errors.ts';
import { number, text, type ParamValues } from '../util/params.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { DFT_PARAMS, elementData, elementMap, kpointGrid, readOutput } from './dft.ts';
import { RELAX_PARAMS, STRESS_TOL, type EngineEntry, type EngineIdentity, type InputJob, type RunResult } from './engine.ts';

export const RY_EV = 13.605693122994;
export const BOHR_ANGSTROM = 0.529177210903;

export const QE_PARAMS = {
  pseudopotentials: text('pseudopotential file of each element, Element=file (e.g. Al=Al.pbe-n-kjpaw_psl.1.0.0.UPF,Mg=…): required', ''),
  pseudoDir: text("folder of the pseudopotentials (pseudo_dir; default pw.x's own: $ESPRESSO_PSEUDO or ~/espresso/pseudo)", ''),
  ecutwfc: number('wave-function cutoff ecutwfc', 40, { unit: 'Ry', min: 5, max: 500 }),
  ecutrho: number('charge-density cutoff ecutrho (0: pw.x\'s default, 4 × ecutwfc; ultrasoft and PAW need 8–12 ×)', 0, { unit: 'Ry', min: 0, max: 5000 }),
  ...DFT_PARAMS,
  ...RELAX_PARAMS,
  stressTol: STRESS_TOL,
} as const;
export type QeSettings = ParamValues<typeof QE_PARAMS>;

const SMEARING = { mp: 'methfessel-paxton', gaussian: 'gaussian', fermi: 'fermi-dirac' } as const;

function pseudos(s: QeSettings, species: string[]): Map<string, string> {
  if (!s.pseudopotentials) throw new InputError(`--pseudopotentials: give the pseudopotential file of every element (${species.map((e) => `${e}=…`).join(',')})`);
  const m = elementMap('--pseudopotentials', s.pseudopotentials);
  const missing = species.filter((e) => !m.has(e));
  if (missing.length) throw new InputError(`--pseudopotentials names no file for ${missing.join(', ')}`);
  return m;
}

const f = (x: number) => x.toFixed(10);

export function pwInput(job: InputJob, s: QeSettings): string {
  const species = [...job.cell.composition().keys()];
  const files = pseudos(s, species);
  const [k1, k2, k3] = kpointGrid(job.cell.lattice, s.kspacing);
  const cell = job.mode === 'cell';
  const lines = [
    `! written by cescreen compute --engine qe: ${job.title}`,
    '&CONTROL',
    `  calculation = '${cell ? 'vc-relax' : 'relax'}'`,
    `  title = '${job.title.replace(/'/g, '')}'`,
    "  prefix = 'pwscf'",
    "  outdir = './tmp'",
    ...(s.pseudoDir ? [`  pseudo_dir = '${s.pseudoDir}'`] : []),
    `  nstep = ${s.maxSteps}`,
    `  etot_conv_thr = ${((s.ediff * 10) / RY_EV).toExponential(3)}`,
    `  forc_conv_thr = ${((s.fmax / RY_EV) * BOHR_ANGSTROM).toExponential(3)}`,
    "  tprnfor = .true.",
    "  tstress = .true.",
    '/',
    '&SYSTEM',
    '  ibrav = 0',
    `  nat = ${job.cell.length}`,
    `  ntyp = ${species.length}`,
    `  ecutwfc = ${s.ecutwfc}`,
    ...(s.ecutrho ? [`  ecutrho = ${s.ecutrho}`] : []),
    "  occupations = 'smearing'",
    `  smearing = '${SMEARING[s.smearing]}'`,
    `  degauss = ${(s.sigma / RY_EV).toExponential(4)}`,
    `  nspin = ${s.spin ? 2 : 1}`,
    ...(s.spin ? species.map((_, i) => `  starting_magnetization(${i + 1}) = 0.5`) : []),
    '/',
    '&ELECTRONS',
    `  conv_thr = ${(s.ediff / RY_EV).toExponential(3)}`,
    '  electron_maxstep = 100',
    '  mixing_beta = 0.4',
    '/',
    '&IONS',
    "  ion_dynamics = 'bfgs'",
    '/',
    ...(cell ? ['&CELL', "  cell_dynamics = 'bfgs'", `  press_conv_thr = ${s.stressTol}`, "  cell_dofree = 'all'", '/'] : []),
    'ATOMIC_SPECIES',
    ...species.map((e) => `  ${e} ${elementData(e).mass} ${files.get(e)}`),
    'CELL_PARAMETERS angstrom',
    ...job.cell.lattice.matrix.map((r) => `  ${r.map(f).join(' ')}`),
    'ATOMIC_POSITIONS crystal',
    ...job.cell.sites.map((x) => `  ${x.element} ${x.frac.map(f).join(' ')}`),
    'K_POINTS automatic',
    `  ${k1} ${k2} ${k3} 0 0 0`,
    '',
  ];
  return lines.join('\n');
}

function writeQe(dir: string, job: InputJob, s: QeSettings): string[] {
  writeFileAtomic(join(dir, 'pw.in'), pwInput(job, s));
  return ['pw.in'];
}

function identity(s: QeSettings): EngineIdentity {
  return { engine: 'qe', version: 'Quantum ESPRESSO pw.x (version as the outputs report it)', files: [], settings: { ...s } };
}

/** The lattice in Å from a CELL_PARAMETERS block header and rows (alat, bohr or angstrom). */
function cellRows(header: string, rows: number[][], alatBohr: number): Mat3 {
  const unit = /angstrom/i.test(header) ? 1 : /bohr/i.test(header) ? BOHR_ANGSTROM : (Number(/alat\s*=\s*([\d.]+)/.exec(header)?.[1]) || alatBohr) * BOHR_ANGSTROM;
  return rows.map((r) => r.map((x) => x * unit)) as Mat3;
}

/** A pw.x output: energy, convergence, final structure (atoms in input order). */
export function readPwOutput(text: string, file: string): RunResult {
  const energies = [...text.matchAll(/^!\s+total energy\s+=\s+(-?[\d.]+)\s+Ry/gm)].map((m) => Number(m[1]) * RY_EV);
  const finished = /JOB DONE\./.test(text);
  const relax = /(?:Geometry Optimization|BFGS)/.test(text) || /number of bfgs steps/.test(text);
  const bfgsConverged = /bfgs converged in/.test(text) || /End of BFGS Geometry Optimization/.test(text);
  const ionicConverged = finished && (!relax || (bfgsConverged && !/The maximum number of steps has been reached/.test(text)));
  const electronicConverged = !/convergence NOT achieved/.test(text) && energies.length > 0;
  const reason = [
    !finished && 'no JOB DONE: the run did not finish',
    finished && !ionicConverged && 'BFGS did not converge (nstep reached or the line search failed)',
    !electronicConverged && 'an scf cycle did not converge (convergence NOT achieved)',
  ].filter(Boolean).join('; ');

  const alat = Number(/lattice parameter \(alat\)\s*=\s*([\d.]+)\s*a\.u\./.exec(text)?.[1]);
  const axes = [...text.matchAll(/a\((\d)\) = \(\s*(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*\)/g)].slice(0, 3).map((m) => [Number(m[2]), Number(m[3]), Number(m[4])]);
  let lattice = axes.length === 3 && alat ? cellRows('alat', axes, alat) : undefined;
  const final = /Begin final coordinates([\s\S]*?)End final coordinates/.exec(text)?.[1];
  let structure: Structure | undefined;
  if (final) {
    const cp = /CELL_PARAMETERS\s*(\([^)]*\))?\s*\n((?:\s*-?[\d.]+\s+-?[\d.]+\s+-?[\d.]+\s*\n){3})/.exec(final);
    if (cp) lattice = cellRows(cp[1] ?? 'alat', cp[2].trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number)), alat);
    const ap = /ATOMIC_POSITIONS\s*\(?\s*(\w+)\s*\)?\s*\n([\s\S]*?)(?:\n\s*\n|End final|$)/.exec(final);
    if (ap && lattice) {
      const atoms = ap[2].trim().split('\n').map((l) => l.trim().split(/\s+/)).filter((w) => w.length >= 4);
      const L = new Lattice(lattice);
      const toFrac = (p: Vec3): Vec3 => (/crystal/i.test(ap[1]) ? p : L.toFractional(/angstrom/i.test(ap[1]) ? p : (p.map((x) => x * (/bohr/i.test(ap[1]) ? BOHR_ANGSTROM : alat * BOHR_ANGSTROM)) as Vec3)));
      structure = new Structure(L, atoms.map((w) => ({ element: w[0].replace(/\d+$/, ''), label: w[0], frac: toFrac([Number(w[1]), Number(w[2]), Number(w[3])]) })), 'pw.x final');
    }
  }
  const program = /Program (PWSCF \S+)/.exec(text)?.[1];
  return { file, energy: energies.length ? energies[energies.length - 1] : NaN, ionicConverged, electronicConverged, reason, steps: energies.length, structure, program: program ? `Quantum ESPRESSO ${program}` : undefined };
}

function readQe(dir: string): RunResult {
  const out = readOutput(dir, 'pw.out');
  if (!out) throw new InputError('no pw.out (plain or .gz): not run yet? (run pw.x -in pw.in > pw.out in this folder)', { file: dir });
  return readPwOutput(out.text, out.file);
}

export const QE_ENGINE: EngineEntry<typeof QE_PARAMS> = {
  name: 'qe',
  description: 'Quantum ESPRESSO: writes a pw.x input per calculation; collect reads pw.out',
  params: QE_PARAMS,
  writesInputs: { write: writeQe, identity },
  readsOutputs: { read: readQe },
};
