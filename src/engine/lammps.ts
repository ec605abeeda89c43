/**
 * LAMMPS (Debian's `lmp`) as a calculator. One `lmp` process per worker reads
 * relaxations on stdin: its box and potential are set up once, and each cell
 * only replaces the atoms and the box, so a run pays LAMMPS' start-up (~0.3 s)
 * and the reading of the potential file (larger than a relaxation's cost for a
 * multi-element setfl) once per worker, not once per cell. Line-buffered output
 * through coreutils' `stdbuf` lets every result be read as soon as it is printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Lattice, cross, dot, norm, type Mat3, type Vec3 } from '../structure/lattice.ts';
import type { Structure } from '../structure/structure.ts';
import { SYMBOLS, isElement } from '../structure/periodicTable.ts';
import { InputError } from '../util/errors.ts';
import { text, type ParamValues } from '../util/params.ts';
import { EngineExit, EngineProcess } from './child.ts';
import { maxDisplacement, withPositions } from './cellMath.ts';
import { RELAX_PARAMS, STRESS_TOL, type Calculator, type EngineEntry, type EngineSession, type Relaxation, type RelaxMode } from './engine.ts';
import { sha256File } from '../util/digest.ts';

/** Where lammps-data puts its potentials; $LAMMPS_POTENTIALS is searched first, as LAMMPS does. */
export const LAMMPS_DATA_DIR = '/usr/share/lammps/potentials';

const STYLE_OF_SUFFIX: [RegExp, string][] = [
  [/\.eam\.alloy$/i, 'eam/alloy'],
  [/\.eam\.fs$/i, 'eam/fs'],
  [/\.eam$/i, 'eam'],
  [/\.adp$/i, 'adp'],
  [/\.meam$/i, 'meam'],
  [/\.tersoff$/i, 'tersoff'],
  [/\.sw$/i, 'sw'],
];

export const LAMMPS_PARAMS = {
  potential: text(
    `potential file: a path, or a file name of lammps-data (${LAMMPS_DATA_DIR}); for pair style eam, one funcfl file per element, comma-separated`,
    '',
  ),
  pairStyle: text('LAMMPS pair style taking the potential file (default: from its name: .eam.alloy → eam/alloy, .eam.fs → eam/fs, .eam → eam, .adp, .meam, .tersoff, .sw)', '', (s) => {
    if (!/^[a-z][a-z0-9/._-]*$/.test(s)) throw new Error('a LAMMPS pair style name such as eam/alloy');
    return s;
  }),
  lmp: text('the LAMMPS binary', 'lmp'),
  ...RELAX_PARAMS,
  stressTol: STRESS_TOL,
} as const;
export type LammpsSettings = ParamValues<typeof LAMMPS_PARAMS>;

export interface LammpsBuild {
  binary: string;
  version: string;
  pairStyles: Set<string>;
  /** Versions before 2023 refuse a tilt beyond half a box length unless told `box tilt large` (hexagonal cells need it); later ones dropped the command. */
  boxTiltLarge: boolean;
}

const builds = new Map<string, LammpsBuild>();

/** Environment of every lmp: one thread, and Open MPI's singleton without its `orted` helper process. */
const LMP_ENV = { OMP_NUM_THREADS: '1', OMPI_MCA_ess_singleton_isolated: '1' };

/** Version and pair styles of a LAMMPS binary, from `lmp -h`. */
export function lammpsBuild(binary: string): LammpsBuild {
  const known = builds.get(binary);
  if (known) return known;
  const r = spawnSync(binary, ['-h'], { encoding: 'utf8', env: { ...process.env, ...LMP_ENV }, timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `LAMMPS binary '${binary}' not found: install Debian's lammps (apt-get install lammps lammps-data) or pass --lmp /path/to/lmp`
        : `cannot run the LAMMPS binary '${binary}': ${r.error.message}`,
    );
  }
  const out = r.stdout ?? '';
  const version = /Large-scale Atomic\/Molecular Massively Parallel Simulator - (.+)/.exec(out)?.[1]?.trim();
  const section = /\* Pair styles:\s*\n([\s\S]*?)\n\s*\*/.exec(out)?.[1];
  if (!version || !section) throw new InputError(`'${binary} -h' did not print a LAMMPS version and its pair styles: is it LAMMPS?`);
  const probe = spawnSync(binary, ['-log', 'none', '-nocite', '-echo', 'none'], { input: 'box tilt large\nprint @@OK\n', encoding: 'utf8', env: { ...process.env, ...LMP_ENV }, timeout: 60_000 });
  const b = { binary, version: `LAMMPS ${version}`, pairStyles: new Set(section.split(/\s+/).filter(Boolean)), boxTiltLarge: (probe.stdout ?? '').includes('@@OK') };
  builds.set(binary, b);
  return b;
}

/** A potential file by path or by its name in $LAMMPS_POTENTIALS or lammps-data. */
export function resolvePotential(name: string): string {
  const dirs = [process.env.LAMMPS_POTENTIALS, LAMMPS_DATA_DIR].filter((d): d is string => !!d);
  for (const p of [name, ...(name.includes('/') ? [] : dirs.map((d) => join(d, name)))]) {
    if (existsSync(p) && statSync(p).isFile()) return resolve(p);
  }
  throw new InputError(`potential file '${name}' not found (looked at that path${name.includes('/') ? '' : ` and in ${dirs.join(', ')}`}; Debian's lammps-data package ships ${LAMMPS_DATA_DIR})`);
}


export interface PotentialInfo {
  files: string[];
  /** Elements in the order of the file(s), when the format names them. */
  elements?: string[];
  cutoff?: number;
}

const SETFL_STYLES = new Set(['eam/alloy', 'eam/fs', 'eam/cd', 'eam/he', 'adp']);

/**
 * What a potential file says about itself, checked enough to name the problem
 * before LAMMPS does: the element list and cutoff of setfl and funcfl (EAM)
 * files, and that their tables hold as many numbers as their header promises.
 */
export function readPotential(files: string[], style: string): PotentialInfo {
  if (style === 'eam') {
    const elements = files.map((f) => readFuncfl(f));
    return { files, elements: elements.map((e) => e.element), cutoff: Math.max(...elements.map((e) => e.cutoff)) };
  }
  if (files.length !== 1) throw new InputError(`pair style ${style} takes one potential file, got ${files.length}`);
  if (!SETFL_STYLES.has(style)) return { files };
  return { files, ...readSetfl(files[0], style) };
}

/** Larger potential files are not potentials (the largest of lammps-data is a few MB). */
const MAX_POTENTIAL_BYTES = 512 * 2 ** 20;

function lines(file: string): string[] {
  if (statSync(file).size > MAX_POTENTIAL_BYTES) throw new InputError(`potential file larger than ${MAX_POTENTIAL_BYTES / 2 ** 20} MB: not a potential?`, { file });
  return readFileSync(file, 'utf8').split(/\r?\n/);
}

const badFile = (file: string, line: number, what: string): never => {
  throw new InputError(`not a valid potential file: ${what}`, { file, line });
};

function numbers(file: string, line: number, text: string, n: number, what: string): number[] {
  const v = text.trim().split(/\s+/).slice(0, n).map(Number);
  if (v.length < n || v.some((x) => !Number.isFinite(x))) badFile(file, line, `expected ${what}, found '${text.trim().slice(0, 60)}'`);
  return v;
}

/** DYNAMO setfl: 3 comment lines, "N El1 … ElN", "Nrho drho Nr dr cutoff", then per element its line and tables, then the pair tables. */
function readSetfl(file: string, style: string): { elements: string[]; cutoff: number } {
  const L = lines(file);
  const head = (L[3] ?? '').trim().split(/\s+/);
  const n = Number(head[0]);
  if (!Number.isInteger(n) || n < 1 || head.length !== n + 1) badFile(file, 4, `line 4 should give the number of elements and their symbols (setfl format of pair style ${style})`);
  const elements = head.slice(1);
  for (const e of elements) if (!isElement(e)) badFile(file, 4, `'${e}' is not an element symbol`);
  const [nrho, , nr, , cutoff] = numbers(file, 5, L[4] ?? '', 5, 'Nrho drho Nr dr cutoff');
  if (!Number.isInteger(nrho) || !Number.isInteger(nr) || nrho < 2 || nr < 2 || !(cutoff > 0)) badFile(file, 5, 'positive grid sizes Nrho, Nr and cutoff');
  // every element: its "Z mass a lattice" line (4 words) and F(rho), rho(r) (eam/fs: one rho(r) per element pair)
  const perElement = 4 + nrho + (style === 'eam/fs' ? n * nr : nr);
  const expected = n * perElement + ((n * (n + 1)) / 2) * nr;
  const words = L.slice(5).join(' ').trim().split(/\s+/).filter(Boolean);
  if (style !== 'adp' && style !== 'eam/cd' && words.length < expected) {
    badFile(file, L.length, `the header promises ${n} element(s) on grids of ${nrho} and ${nr} points (${expected} values), but the file holds ${words.length}: truncated or not a ${style} file`);
  }
  return { elements, cutoff };
}

/** DYNAMO funcfl (pair style eam): comment, "Z mass a lattice", "Nrho drho Nr dr cutoff", F, Z(r), rho(r). */
function readFuncfl(file: string): { element: string; cutoff: number } {
  const L = lines(file);
  const [z] = numbers(file, 2, L[1] ?? '', 2, 'the atomic number and mass');
  const [nrho, , nr, , cutoff] = numbers(file, 3, L[2] ?? '', 5, 'Nrho drho Nr dr cutoff');
  const element = SYMBOLS[z];
  if (!Number.isInteger(z) || !element) badFile(file, 2, `atomic number ${z}`);
  const words = L.slice(3).join(' ').trim().split(/\s+/).filter(Boolean).length;
  if (words < nrho + 2 * nr) badFile(file, L.length, `the header promises ${nrho + 2 * nr} values, the file holds ${words}: truncated or not a funcfl file`);
  return { element, cutoff };
}

/** The pair style of a file name, or undefined. */
export function styleOfFile(file: string): string | undefined {
  return STYLE_OF_SUFFIX.find(([re]) => re.test(file))?.[1];
}

/**
 * A cell as LAMMPS needs it: a along x, b in the xy plane, tilts within half a
 * box length. `basis` (unimodular, det ±1 → +1) maps our lattice rows to the
 * LAMMPS ones: M' = U·M, and fractions transform as f' = f·U⁻¹.
 */
export function lammpsBox(lattice: Lattice): { box: { lx: number; ly: number; lz: number; xy: number; xz: number; yz: number }; U: Mat3 } {
  let U: Mat3 = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const rows = (): [Vec3, Vec3, Vec3] => {
    const m = lattice.matrix;
    return [0, 1, 2].map((i) => [0, 1, 2].map((j) => U[i][0] * m[0][j] + U[i][1] * m[1][j] + U[i][2] * m[2][j])) as [Vec3, Vec3, Vec3];
  };
  const params = () => {
    const [a, b, c] = rows();
    const lx = norm(a);
    const ax: Vec3 = [a[0] / lx, a[1] / lx, a[2] / lx];
    const xy = dot(b, ax);
    const ly = norm(cross(ax, b));
    const xz = dot(c, ax);
    const yz = (dot(b, c) - xy * xz) / ly;
    const lz = Math.sqrt(Math.max(0, dot(c, c) - xz * xz - yz * yz));
    return { lx, ly, lz, xy, xz, yz, handed: Math.sign(dot(cross(a, b), c)) };
  };
  // a left-handed cell: flip c
  if (params().handed < 0) U = [U[0], U[1], [-U[2][0], -U[2][1], -U[2][2]]];
  const addRow = (i: number, j: number, k: number) => {
    if (k !== 0) U[i] = [U[i][0] - k * U[j][0], U[i][1] - k * U[j][1], U[i][2] - k * U[j][2]];
  };
  let p = params();
  addRow(1, 0, Math.round(p.xy / p.lx)); // b -= n·a
  p = params();
  addRow(2, 1, Math.round(p.yz / p.ly)); // c -= m·b
  p = params();
  addRow(2, 0, Math.round(p.xz / p.lx)); // c -= k·a
  p = params();
  return { box: { lx: p.lx, ly: p.ly, lz: p.lz, xy: p.xy, xz: p.xz, yz: p.yz }, U };
}

const fmt = (x: number) => (Math.abs(x) < 1e-14 ? '0' : x.toPrecision(15));

/** `f·U⁻¹` for unimodular U (inverse by the adjugate, exact in integers). */
function fracToBox(f: Vec3, U: Mat3): Vec3 {
  const inv = invUnimodular(U);
  return [0, 1, 2].map((j) => f[0] * inv[0][j] + f[1] * inv[1][j] + f[2] * inv[2][j]) as Vec3;
}

function invUnimodular(U: Mat3): Mat3 {
  const c0 = cross(U[1], U[2]);
  const c1 = cross(U[2], U[0]);
  const c2 = cross(U[0], U[1]);
  const d = dot(U[0], c0);
  return [
    [c0[0] / d, c1[0] / d, c2[0] / d],
    [c0[1] / d, c1[1] / d, c2[1] / d],
    [c0[2] / d, c1[2] / d, c2[2] / d],
  ];
}

/** The LAMMPS data file of a cell, atom types by `types` (index + 1). */
export function lammpsData(cell: Structure, types: readonly string[]): { text: string; U: Mat3; box: ReturnType<typeof lammpsBox>['box'] } {
  const { box, U } = lammpsBox(cell.lattice);
  const L = new Lattice([
    [box.lx, 0, 0],
    [box.xy, box.ly, 0],
    [box.xz, box.yz, box.lz],
  ]);
  const atoms = cell.sites.map((s, i) => {
    const t = types.indexOf(s.element);
    if (t < 0) throw new Error(`element ${s.element} has no atom type`);
    const r = L.toCartesian(fracToBox(s.frac, U));
    return `${i + 1} ${t + 1} ${fmt(r[0])} ${fmt(r[1])} ${fmt(r[2])}`;
  });
  const text = [
    `cescreen: ${cell.title || cell.formula()}`,
    '',
    `${cell.length} atoms`,
    `${types.length} atom types`,
    `0 ${fmt(box.lx)} xlo xhi`,
    `0 ${fmt(box.ly)} ylo yhi`,
    `0 ${fmt(box.lz)} zlo zhi`,
    `${fmt(box.xy)} ${fmt(box.xz)} ${fmt(box.yz)} xy xz yz`,
    '',
    'Atoms # atomic',
    '',
    ...atoms,
    '',
  ].join('\n');
  return { text, U, box };
}

/** One `print`ed line of results: energy, largest atomic force, stress (bar), box. */
const RESULT = 'print "@@RESULT $(pe:%.12g) $(c_cescreen_fmax:%.8g) $(pxx:%.8g) $(pyy:%.8g) $(pzz:%.8g) $(pxy:%.8g) $(pxz:%.8g) $(pyz:%.8g) $(lx:%.15g) $(ly:%.15g) $(lz:%.15g) $(xy:%.15g) $(xz:%.15g) $(yz:%.15g)"';

interface Printed {
  energy: number;
  fmax: number;
  stress: number[];
  box: { lx: number; ly: number; lz: number; xy: number; xz: number; yz: number };
}

function parseResult(out: string): Printed {
  const m = [...out.matchAll(/^@@RESULT (.*)$/gm)].pop();
  const v = m ? m[1].trim().split(/\s+/).map(Number) : [];
  if (v.length !== 14 || v.some((x) => !Number.isFinite(x))) throw new LammpsError(`LAMMPS gave no finite energy and forces (${m ? m[1].trim() : 'nothing printed'})`);
  return { energy: v[0], fmax: v[1], stress: v.slice(2, 8), box: { lx: v[8], ly: v[9], lz: v[10], xy: v[11], xz: v[12], yz: v[13] } };
}

/** A LAMMPS error: its own ERROR line when it printed one. */
export class LammpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LammpsError';
  }
}

function lammpsMessage(e: EngineExit): string {
  const err = /^ERROR(?: on proc \d+)?: (.*)$/m.exec(e.message)?.[1];
  return err ? `LAMMPS: ${err.replace(/\s*\([^)]*\.cpp:\d+\)\s*$/, '')}` : e.message;
}

class LammpsCalculator implements Calculator {
  private readonly proc: EngineProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'cescreen-lmp-'));
  private count = 0;

  constructor(
    private readonly build: LammpsBuild,
    private readonly potential: { style: string; coeff: string[] },
    private readonly types: readonly string[],
    private readonly s: LammpsSettings,
  ) {
    this.proc = new EngineProcess('stdbuf', ['-oL', build.binary, '-nocite', '-log', 'none', '-echo', 'none'], { env: LMP_ENV });
  }

  /** Send commands; resolves with their screen output once the end marker is printed. */
  private async run(commands: string[]): Promise<string> {
    const marker = `@@DONE ${++this.count}`;
    try {
      return await this.proc.request(commands.join('\n') + `\nprint "${marker}"\n`, (out) => out.includes(`${marker}\n`));
    } catch (e) {
      if (e instanceof EngineExit) {
        this.prepared = false;
        if (e.spawnError?.code === 'ENOENT') throw new InputError(`stdbuf (GNU coreutils) not found: cescreen runs lmp through it to read its results line by line`);
        throw new LammpsError(lammpsMessage(e));
      }
      throw e;
    }
  }

  /** Set up once per process: box, potential (reading a large potential file takes longer than a relaxation), output. */
  private prepared = false;

  private prelude(): string[] {
    if (this.prepared) return [];
    this.prepared = true;
    return [
      'units metal',
      'atom_style atomic',
      'atom_modify map array',
      'boundary p p p',
      ...(this.build.boxTiltLarge ? ['box tilt large'] : []),
      'region cescreen_box prism 0 1 0 1 0 1 0 0 0 units box',
      `create_box ${this.types.length} cescreen_box`,
      // masses do not enter a minimisation; setfl potentials set their own
      'mass * 1.0',
      `pair_style ${this.potential.style}`,
      ...this.potential.coeff,
      'neighbor 2.0 bin',
      'neigh_modify delay 0 every 1 check yes',
      'variable cescreen_f atom sqrt(fx*fx+fy*fy+fz*fz)',
      'compute cescreen_fmax all reduce max v_cescreen_f',
      'thermo_style custom step pe c_cescreen_fmax pxx pyy pzz pxy pxz pyz',
      'thermo 0',
      'min_style cg',
      'min_modify norm max',
    ];
  }

  /** Replace the atoms and the box of the running LAMMPS by a new cell. */
  private setup(cell: Structure): { commands: string[]; U: Mat3 } {
    const data = lammpsData(cell, this.types);
    const file = join(this.dir, `cell${this.count + 1}.data`);
    writeFileSync(file, data.text);
    const b = data.box;
    return {
      U: data.U,
      commands: [
        ...this.prelude(),
        'delete_atoms group all',
        'reset_timestep 0',
        `change_box all x final 0 ${fmt(b.lx)} y final 0 ${fmt(b.ly)} z final 0 ${fmt(b.lz)} xy final ${fmt(b.xy)} xz final ${fmt(b.xz)} yz final ${fmt(b.yz)} units box`,
        `read_data ${file} add append`,
      ],
    };
  }

  async energy(cell: Structure): Promise<number> {
    const { commands } = this.setup(cell);
    return parseResult(await this.run([...commands, 'run 0', RESULT])).energy;
  }

  async relax(cell: Structure, mode: RelaxMode): Promise<Relaxation> {
    try {
      return await this.relaxHere(cell, mode);
    } catch (e) {
      // whatever LAMMPS was left holding (a box fix, a half-read cell), the next cell starts afresh
      this.proc.close();
      this.prepared = false;
      throw e;
    }
  }

  private async relaxHere(cell: Structure, mode: RelaxMode): Promise<Relaxation> {
    const { commands, U } = this.setup(cell);
    const { fmax, maxSteps, stressTol } = this.s;
    const minimize = (ftol: number) => `minimize 0.0 ${ftol} ${maxSteps} ${maxSteps * 10}`;
    let out = await this.run([...commands, 'run 0', RESULT]);
    const start = parseResult(out);
    const orthogonal = Math.abs(start.box.xy) + Math.abs(start.box.xz) + Math.abs(start.box.yz) < 1e-10;
    let steps = 0;
    let criterion = '';
    const minimise = async (extra: string[], ftol = fmax) => {
      out = await this.run([...extra, minimize(ftol), RESULT]);
      steps += Number(/Iterations, force evaluations = (\d+)/.exec(out)?.[1] ?? 0);
      criterion = /Stopping criterion = (.*)/.exec(out)?.[1]?.trim() ?? criterion;
      return parseResult(out);
    };
    let state = start;
    const stressed = (p: Printed) => Math.max(...p.stress.map(Math.abs)) / 1000 > stressTol; // bar → kbar
    if (mode === 'cell') {
      // box/relax minimises against a reference cell: a few restarts reach zero stress
      await this.run([`fix cescreen_box all box/relax ${orthogonal ? 'aniso' : 'tri'} 0.0 vmax 0.01`]);
      // the box's own "forces" enter the same norm, scaled down: only a tight tolerance brings the stress to zero
      for (let round = 0; round < 10 && steps < maxSteps; round++) {
        state = await minimise([], fmax / 100);
        if (!stressed(state) && state.fmax <= fmax) break;
      }
      await this.run(['unfix cescreen_box']);
    }
    state = await minimise([]);
    // conjugate gradients can stall on a rough stretch of a tabulated potential ("linesearch alpha is zero"): FIRE goes on
    if (state.fmax > fmax && steps < maxSteps) {
      state = await minimise(['min_style fire']);
      await this.run(['min_style cg']);
    }
    const file = join(this.dir, `final${this.count}.dump`);
    await this.run([`write_dump all custom ${file} id xs ys zs modify sort id format float %.15g`]);
    const frac = readDump(file, cell.length);
    rmSync(file, { force: true });
    const b = state.box;
    const boxLattice: Mat3 = [
      [b.lx, 0, 0],
      [b.xy, b.ly, 0],
      [b.xz, b.yz, b.lz],
    ];
    const Uinv = invUnimodular(U);
    // back to our basis: M = U⁻¹·M', f = f'·U
    const lattice = mode === 'cell' ? new Lattice([0, 1, 2].map((i) => [0, 1, 2].map((j) => Uinv[i][0] * boxLattice[0][j] + Uinv[i][1] * boxLattice[1][j] + Uinv[i][2] * boxLattice[2][j])) as Mat3) : cell.lattice;
    const ours = frac.map((f) => [0, 1, 2].map((j) => f[0] * U[0][j] + f[1] * U[1][j] + f[2] * U[2][j]) as Vec3);
    const structure = withPositions(cell, lattice, ours);
    const converged = state.fmax <= fmax && (mode === 'positions' || !stressed(state));
    return {
      energy: state.energy,
      converged,
      criterion: converged ? criterion : `${criterion}; max force ${state.fmax.toPrecision(3)} eV/Å${mode === 'cell' ? `, max stress ${(Math.max(...state.stress.map(Math.abs)) / 1000).toPrecision(3)} kbar` : ''}`,
      steps,
      maxDisplacement: maxDisplacement(lattice, cell.sites.map((s) => s.frac), structure.sites.map((s) => s.frac)),
      maxForce: state.fmax,
      structure,
    };
  }

  close(): void {
    this.proc.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readDump(file: string, n: number): Vec3[] {
  const L = readFileSync(file, 'utf8').split('\n');
  const at = L.findIndex((l) => l.startsWith('ITEM: ATOMS'));
  const rows = L.slice(at + 1, at + 1 + n).map((l) => l.trim().split(/\s+/).map(Number));
  if (at < 0 || rows.length !== n) throw new LammpsError(`LAMMPS wrote ${rows.length} of ${n} atoms to its final dump`);
  return rows.map((r) => [r[1], r[2], r[3]]);
}

/** Check the binary, the style and the potential, and what it can place. */
export async function openLammps(s: LammpsSettings, elements: readonly string[]): Promise<EngineSession> {
  if (!s.potential) throw new InputError(`--potential: give a potential file (e.g. a file of ${LAMMPS_DATA_DIR}, or one written by scripts/make-engine-data)`);
  const build = lammpsBuild(s.lmp);
  const names = s.potential.split(',').map((x) => x.trim()).filter(Boolean);
  const style = s.pairStyle || styleOfFile(names[0]);
  if (!style) throw new InputError(`--pair-style: cannot tell the pair style of '${basename(names[0])}' from its name; give it (e.g. --pair-style eam/alloy)`);
  if (!build.pairStyles.has(style)) {
    throw new InputError(
      `pair style ${style} is not in this LAMMPS build (${build.binary}, ${build.version}${style.startsWith('meam') ? '; Debian builds LAMMPS without the MEAM package' : ''}); its EAM-like styles: ${[...build.pairStyles].filter((p) => /^(eam|adp|meam|tersoff|sw)/.test(p)).join(', ')}. Use another potential or --lmp with a LAMMPS that has it`,
    );
  }
  const files = names.map(resolvePotential);
  const info = readPotential(files, style);
  const types = [...new Set(elements)].sort();
  const lacking = (e: string) => (info.elements && !info.elements.includes(e) ? `element ${e} is not in the potential ${basename(files.join(', '))} (it has ${info.elements.join(', ')})` : undefined);
  const placeable = types.filter((e) => !lacking(e));
  // unplaceable elements keep no type: their rows fail on their own, with the reason
  const coeff =
    style === 'eam'
      ? placeable.map((e, t) => `pair_coeff ${t + 1} ${t + 1} ${files[info.elements!.indexOf(e)]}`)
      : [`pair_coeff * * ${files[0]} ${placeable.join(' ')}`];
  return {
    identity: {
      engine: 'lammps',
      version: build.version,
      files: files.map((f) => ({ role: 'potential', path: f, sha256: sha256File(f) })),
      settings: { pairStyle: style, fmax: s.fmax, maxSteps: s.maxSteps, stressTol: s.stressTol, minimizer: 'cg (norm max), FIRE where cg stalls; cell: fix box/relax (aniso, tri for a tilted cell) vmax 0.01 at fmax/100, restarted until the stress is below stressTol' },
    },
    elements: info.elements,
    elementProblem: lacking,
    cutoff: info.cutoff,
    calculator: () => new LammpsCalculator(build, { style, coeff }, placeable, s),
    notes: [`${build.version} at ${build.binary}`, `pair_style ${style}; ${coeff.join('; ')}`],
  };
}

export const LAMMPS_ENGINE: EngineEntry<typeof LAMMPS_PARAMS> = {
  name: 'lammps',
  description: "LAMMPS (Debian's lmp) with an interatomic potential file: relaxes here",
  params: LAMMPS_PARAMS,
  runsHere: { open: openLammps },
};
