/**
 * VASP input sets and outputs. Inputs: POSCAR, INCAR, KPOINTS (an explicit
 * Γ-centred grid from a k-point spacing) and POTCAR.spec naming the POTCARs,
 * which are licensed and never shipped (with --potcar-dir the user's own are
 * concatenated into POTCAR). Outputs: vasprun.xml (else OUTCAR and CONTCAR),
 * plain or gzipped, with their ionic and electronic convergence.
 *
 * Defaults for substitution energies: PREC = Accurate, ENCUT 520 eV, Γ-centred
 * k-points at 0.2 Å⁻¹, first-order Methfessel–Paxton smearing of 0.1 eV, no spin
 * unless asked, EDIFF 1e-6 eV, EDIFFG = −fmax (forces), conjugate-gradient ions
 * (IBRION = 2); ISIF = 2 (ions at a fixed cell) for substituted cells, ISIF = 3
 * for the pristine cell and the reference crystals. The energy read back is
 * energy(sigma→0) of the last ionic step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lattice, type Mat3, type Vec3 } from '../structure/lattice.ts';
import { Structure } from '../structure/structure.ts';
import { parsePoscar, toPoscar } from '../structure/poscar.ts';
import { InputError } from '../util/errors.ts';
import { number, text, type ParamValues } from '../util/params.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { DFT_PARAMS, elementMap, kpointGrid, readOutput } from './dft.ts';
import { RELAX_PARAMS, type EngineEntry, type EngineIdentity, type InputJob, type RunResult } from './engine.ts';

export const VASP_PARAMS = {
  encut: number('plane-wave cutoff ENCUT (use ≥ 1.3 × the largest ENMAX of the POTCARs for cell relaxations)', 520, { unit: 'eV', min: 50, max: 3000 }),
  ...DFT_PARAMS,
  ...RELAX_PARAMS,
  potcars: text('POTCAR of each element, Element=name (e.g. Nb=Nb_pv,Si=Si; default: the element symbol)', ''),
  potcarDir: text('folder of your POTCARs as <dir>/<name>/POTCAR: writes POTCAR as well as POTCAR.spec', ''),
} as const;
export type VaspSettings = ParamValues<typeof VASP_PARAMS>;

const ISMEAR = { mp: 1, gaussian: 0, fermi: -1 } as const;

/** The order of the atoms in POSCAR: grouped by element, elements in order of first appearance (toPoscar's). */
export function poscarOrder(cell: Structure): number[] {
  const elements = [...cell.composition().keys()];
  return elements.flatMap((e) => cell.sites.flatMap((s, i) => (s.element === e ? [i] : [])));
}

function incar(job: InputJob, s: VaspSettings): string {
  const lines: [string, string | number, string][] = [
    ['SYSTEM', job.title.replace(/[=\n]/g, ' ').slice(0, 60), ''],
    ['PREC', 'Accurate', ''],
    ['ENCUT', s.encut, 'eV'],
    ['EDIFF', s.ediff.toExponential(1), 'eV per cell'],
    ['NELM', 100, 'electronic steps at most'],
    ['ISMEAR', ISMEAR[s.smearing], DFT_PARAMS.smearing.choices[s.smearing]],
    ['SIGMA', s.sigma, 'eV'],
    ['ISPIN', s.spin ? 2 : 1, s.spin ? 'spin-polarised' : 'no spin'],
    ...(s.spin ? [['MAGMOM', `${job.cell.length}*2.0`, 'every atom started at 2 μB'] as [string, string, string]] : []),
    ['IBRION', 2, 'conjugate-gradient ions'],
    ['ISIF', job.mode === 'cell' ? 3 : 2, job.mode === 'cell' ? 'relax cell and ions' : 'relax ions at a fixed cell'],
    ['NSW', s.maxSteps, 'ionic steps at most'],
    ['EDIFFG', -s.fmax, 'stop when every force is below this (eV/Å)'],
    ['LREAL', '.FALSE.', ''],
    ['LWAVE', '.FALSE.', ''],
    ['LCHARG', '.FALSE.', ''],
  ];
  return `# written by cescreen compute --engine vasp\n${lines.map(([k, v, c]) => `${k.padEnd(7)}= ${String(v).padEnd(14)}${c ? ` ! ${c}` : ''}`).join('\n')}\n`;
}

function writeVasp(dir: string, job: InputJob, s: VaspSettings): string[] {
  const species = [...job.cell.composition().keys()];
  const names = elementMap('--potcars', s.potcars);
  const potcars = species.map((e) => names.get(e) ?? e);
  const [n1, n2, n3] = kpointGrid(job.cell.lattice, s.kspacing);
  const files: [string, string][] = [
    ['POSCAR', toPoscar(job.cell)],
    ['INCAR', incar(job, s)],
    ['KPOINTS', `Gamma-centred grid from a k-point spacing of ${s.kspacing} 1/A (2pi included)\n0\nGamma\n${n1} ${n2} ${n3}\n0 0 0\n`],
    ['POTCAR.spec', potcars.join('\n') + '\n'],
  ];
  if (s.potcarDir) {
    const parts = potcars.map((p) => {
      const f = join(s.potcarDir, p, 'POTCAR');
      if (!existsSync(f)) throw new InputError(`--potcar-dir: no ${f} (expected <dir>/<name>/POTCAR for every name in POTCAR.spec: ${potcars.join(', ')})`);
      return readFileSync(f, 'utf8');
    });
    files.push(['POTCAR', parts.join('')]);
  }
  for (const [name, content] of files) writeFileAtomic(join(dir, name), content);
  return files.map(([n]) => n);
}

function identity(s: VaspSettings): EngineIdentity {
  const { potcarDir: _dir, ...settings } = s;
  return { engine: 'vasp', version: 'VASP (version as the outputs report it)', files: [], settings };
}

const vectors = (block: string, name: string): number[][] => {
  const m = new RegExp(`<varray name="${name}"\\s*>([\\s\\S]*?)</varray>`).exec(block);
  return m ? [...m[1].matchAll(/<v[^>]*>([^<]*)<\/v>/g)].map((v) => v[1].trim().split(/\s+/).map(Number)) : [];
};

/** A complete or partial vasprun.xml: energy, convergence, final structure (atoms in POSCAR order). */
export function readVasprun(text: string, file: string): RunResult {
  const params = /<parameters>([\s\S]*?)<\/parameters>/.exec(text)?.[1] ?? '';
  const param = (name: string): number | undefined => {
    const all = [...params.matchAll(new RegExp(`<i(?: type="\\w+")? name="${name}">\\s*([^<]*)</i>`, 'g'))];
    const v = all.length ? Number(all[all.length - 1][1]) : NaN;
    return Number.isFinite(v) ? v : undefined;
  };
  const nsw = param('NSW') ?? 0;
  const nelm = param('NELM') ?? 60;
  const ibrion = param('IBRION') ?? (nsw > 0 ? 0 : -1);
  const ediffg = param('EDIFFG') ?? (param('EDIFF') ?? 1e-4) * 10;
  const calcs = [...text.matchAll(/<calculation>([\s\S]*?)(?:<\/calculation>|$)/g)].map((m) => m[1]);
  if (!calcs.length) throw new InputError('no ionic step in vasprun.xml: the run has not started or is not a VASP run', { file });
  const last = calcs[calcs.length - 1];
  // energy(sigma→0) of the last electronic step: VASP 5 writes 0 for the ionic step's own e_0_energy
  const steps = [...last.matchAll(/<scstep>([\s\S]*?)<\/scstep>/g)].map((m) => m[1]);
  const outside = last.replace(/<scstep>[\s\S]*?<\/scstep>/g, '');
  const energyOf = (block: string | undefined, name: string) => Number(new RegExp(`<i name="${name}">\\s*([^<]*)</i>`).exec(block ?? '')?.[1]);
  const energy = [energyOf(steps[steps.length - 1], 'e_0_energy'), energyOf(outside, 'e_0_energy') || NaN, energyOf(outside, 'e_wo_entrp')].find(Number.isFinite);
  const scsteps = steps.length;
  const forces = vectors(last, 'forces');
  const maxForce = Math.max(0, ...forces.map((f) => Math.hypot(f[0], f[1], f[2])));
  const finished = text.includes('</modeling>');
  const relaxing = nsw > 1 && ibrion >= 0;
  const ionicConverged = finished && (!relaxing || calcs.length < nsw || (ediffg < 0 && maxForce <= -ediffg));
  const electronicConverged = scsteps < nelm;
  const reason = [
    !finished && 'vasprun.xml ends before </modeling>: the run did not finish',
    finished && !ionicConverged && `the ionic relaxation used all NSW = ${nsw} steps, forces up to ${maxForce.toFixed(3)} eV/Å remain`,
    !electronicConverged && `the last ionic step used all NELM = ${nelm} electronic steps`,
    energy === undefined && 'no energy in the last ionic step',
  ].filter(Boolean).join('; ');
  const symbols = [...(/<array name="atoms"[\s\S]*?<set>([\s\S]*?)<\/set>/.exec(text)?.[1] ?? '').matchAll(/<rc><c>\s*([A-Za-z]+)\s*<\/c>/g)].map((m) => m[1]);
  const final = /<structure name="finalpos"\s*>([\s\S]*?)<\/structure>/.exec(text)?.[1] ?? [...last.matchAll(/<structure\s*>([\s\S]*?)<\/structure>/g)].pop()?.[1];
  let structure: Structure | undefined;
  if (final && symbols.length) {
    const basis = vectors(final, 'basis') as Mat3;
    const positions = vectors(final, 'positions');
    if (basis.length === 3 && positions.length === symbols.length) {
      structure = new Structure(new Lattice(basis), positions.map((p, i) => ({ element: symbols[i], label: symbols[i], frac: p as Vec3 })), 'vasprun.xml');
    }
  }
  const version = /<i name="version" type="string">\s*([^<]*?)\s*<\/i>/.exec(text)?.[1];
  return { file, energy: energy ?? NaN, ionicConverged, electronicConverged, reason, steps: calcs.length, structure, program: version ? `VASP ${version}` : undefined };
}

/** OUTCAR (with CONTCAR beside it for the final structure). */
export function readOutcar(text: string, file: string, contcar?: string): RunResult {
  const num = (re: RegExp) => Number(re.exec(text)?.[1]);
  const nsw = num(/NSW\s*=\s*(-?\d+)/);
  const nelm = num(/NELM\s*=\s*(\d+)/);
  const ibrion = num(/IBRION\s*=\s*(-?\d+)/);
  const energies = [...text.matchAll(/energy\(sigma->0\)\s*=\s*(-?[\d.]+(?:E[-+]?\d+)?)/gi)].map((m) => Number(m[1]));
  const iterations = [...text.matchAll(/Iteration\s+(\d+)\(\s*(\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const ionic = Math.max(0, ...iterations.map((i) => i[0]));
  const lastScf = Math.max(0, ...iterations.filter((i) => i[0] === ionic).map((i) => i[1]));
  const finished = /General timing and accounting/.test(text);
  const relaxing = nsw > 1 && ibrion >= 0;
  const ionicConverged = finished && (!relaxing || /reached required accuracy/.test(text));
  const electronicConverged = lastScf < nelm;
  const reason = [
    !finished && 'OUTCAR has no timing summary: the run did not finish',
    finished && !ionicConverged && `the ionic relaxation did not reach EDIFFG within NSW = ${nsw} steps`,
    !electronicConverged && `the last ionic step used all NELM = ${nelm} electronic steps`,
  ].filter(Boolean).join('; ');
  const version = /^\s*vasp\.(\S+)/m.exec(text)?.[1];
  return {
    file,
    energy: energies.length ? energies[energies.length - 1] : NaN,
    ionicConverged,
    electronicConverged,
    reason,
    steps: ionic,
    structure: contcar ? parsePoscar(contcar, { file: 'CONTCAR' }) : undefined,
    program: version ? `VASP ${version}` : undefined,
  };
}

function readVasp(dir: string): RunResult {
  const xml = readOutput(dir, 'vasprun.xml');
  if (xml) return readVasprun(xml.text, xml.file);
  const outcar = readOutput(dir, 'OUTCAR');
  if (outcar) return readOutcar(outcar.text, outcar.file, readOutput(dir, 'CONTCAR')?.text);
  throw new InputError(`no vasprun.xml or OUTCAR (plain or .gz): not run yet?`, { file: dir });
}

export const VASP_ENGINE: EngineEntry<typeof VASP_PARAMS> = {
  name: 'vasp',
  description: 'VASP: writes POSCAR, INCAR, KPOINTS, POTCAR.spec per calculation; collect reads vasprun.xml or OUTCAR',
  params: VASP_PARAMS,
  writesInputs: { write: writeVasp, identity, atomOrder: poscarOrder },
  readsOutputs: { read: readVasp },
};
