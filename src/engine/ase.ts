/**
 * ASE as a calculator: cescreen starts src/engine/ase_driver.py in the user's
 * Python with any ASE calculator (`--calculator module:factory`: ASE's EMT,
 * MACE, CHGNet, matgl, ORB, SevenNet …) and sends it cells as JSON lines; the
 * driver relaxes them with ASE's optimisers and cell filters and answers with
 * energies. One driver per worker, kept alive (a universal potential loads its
 * model once).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lattice, type Mat3, type Vec3 } from '../structure/lattice.ts';
import type { Structure } from '../structure/structure.ts';
import { InputError } from '../util/errors.ts';
import { choice, text, type ParamValues } from '../util/params.ts';
import { EngineExit, EngineProcess } from './child.ts';
import { maxDisplacement, withPositions } from './cellMath.ts';
import { RELAX_PARAMS, STRESS_TOL, type Calculator, type EngineEntry, type EngineSession, type Relaxation, type RelaxMode } from './engine.ts';

export const ASE_DRIVER = fileURLToPath(new URL('./ase_driver.py', import.meta.url));

export const ASE_PARAMS = {
  python: text('Python interpreter with ASE and the calculator installed (default: python3 on PATH, else /usr/bin/python3, the first that imports ase)', ''),
  calculator: text('ASE calculator as module:factory, called with no arguments (e.g. mace.calculators:mace_mp)', 'ase.calculators.emt:EMT', (s) => {
    if (!/^[A-Za-z_][\w.]*(:[A-Za-z_]\w*)?$/.test(s)) throw new Error('module:factory, e.g. ase.calculators.emt:EMT');
    return s;
  }),
  optimizer: choice('ASE optimiser', 'bfgs', { bfgs: 'BFGS (ase.optimize)', fire: 'FIRE (ase.optimize): slower, more forgiving of rough energy surfaces' }),
  ...RELAX_PARAMS,
  stressTol: STRESS_TOL,
} as const;
export type AseSettings = ParamValues<typeof ASE_PARAMS>;

interface Ready {
  ready?: boolean;
  error?: string;
  ase: string;
  python: string;
  calculator: string;
  calculator_version: string | null;
  filter: string;
}

/** A Python that imports ase: the one given, else python3 on PATH, else Debian's /usr/bin/python3. */
export function findPython(given: string): { python: string; note?: string } {
  const hasAse = (py: string) => {
    const r = spawnSync(py, ['-c', 'import ase'], { encoding: 'utf8', timeout: 60_000 });
    return r.error ? `cannot run it (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` : r.status === 0 ? undefined : (r.stderr.trim().split('\n').pop() ?? 'import ase failed');
  };
  if (given) {
    const p = hasAse(given);
    if (p) throw new InputError(`--python ${given}: ${p}; give a Python with ASE installed (Debian: apt-get install python3-ase, then --python /usr/bin/python3)`);
    return { python: given };
  }
  const tried: string[] = [];
  for (const py of ['python3', '/usr/bin/python3']) {
    const p = hasAse(py);
    if (!p) return { python: py, note: tried.length ? `python3 on PATH has no ASE (${tried[0]}); using ${py}` : undefined };
    tried.push(`${py}: ${p}`);
  }
  throw new InputError(`no Python with ASE found (${tried.join('; ')}): install it (Debian: apt-get install python3-ase) or pass --python /path/to/python`);
}

function driver(s: AseSettings, python: string): EngineProcess {
  return new EngineProcess(python, ['-u', ASE_DRIVER, s.calculator], { env: { OMP_NUM_THREADS: '1', PYTHONUNBUFFERED: '1' } });
}

/** One request, one JSON line back. */
async function ask<T>(proc: EngineProcess, req: object | undefined): Promise<T & { error?: string }> {
  let out: string;
  try {
    out = await proc.request(req === undefined ? '' : JSON.stringify(req) + '\n', (o) => o.includes('\n'));
  } catch (e) {
    if (e instanceof EngineExit) throw new Error(`the ASE driver stopped: ${e.message}`);
    throw e;
  }
  const line = out.split('\n')[0];
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`the ASE driver printed '${line.slice(0, 200)}' instead of a JSON line (does the calculator print to stdout?)`);
  }
}

class AseCalculator implements Calculator {
  private proc: EngineProcess;
  private ready = false;

  constructor(
    private readonly s: AseSettings,
    python: string,
  ) {
    this.proc = driver(s, python);
  }

  private async call<T>(req: object): Promise<T> {
    if (!this.ready) {
      const hello = await ask<Ready>(this.proc, undefined);
      if (hello.error) throw new Error(`the ASE calculator ${this.s.calculator} did not start: ${hello.error}`);
      this.ready = true;
    }
    try {
      const r = await ask<T>(this.proc, req);
      if (r.error) throw new Error(`ASE: ${r.error}`);
      return r;
    } catch (e) {
      if (/the ASE driver stopped/.test((e as Error).message)) this.ready = false;
      throw e;
    }
  }

  private static cellRequest(cell: Structure) {
    return { cell: cell.lattice.matrix, symbols: cell.sites.map((s) => s.element), frac: cell.sites.map((s) => s.frac) };
  }

  async energy(cell: Structure): Promise<number> {
    return (await this.call<{ energy: number }>({ op: 'energy', ...AseCalculator.cellRequest(cell) })).energy;
  }

  async relax(cell: Structure, mode: RelaxMode): Promise<Relaxation> {
    const r = await this.call<{ energy: number; converged: boolean; criterion: string; steps: number; fmax: number; cell: Mat3; frac: Vec3[] }>({
      op: 'relax',
      mode,
      fmax: this.s.fmax,
      steps: this.s.maxSteps,
      stress_tol: this.s.stressTol,
      optimizer: this.s.optimizer,
      ...AseCalculator.cellRequest(cell),
    });
    const lattice = new Lattice(r.cell);
    const structure = withPositions(cell, lattice, r.frac);
    return {
      energy: r.energy,
      converged: r.converged,
      criterion: r.criterion,
      steps: r.steps,
      maxDisplacement: maxDisplacement(lattice, cell.sites.map((s) => s.frac), r.frac),
      maxForce: r.fmax,
      structure,
    };
  }

  close(): void {
    this.proc.close();
    this.ready = false;
  }
}

/** Find the Python, start the calculator once, and ask it which elements it can place. */
export async function openAse(s: AseSettings, elements: readonly string[]): Promise<EngineSession> {
  const { python, note } = findPython(s.python);
  const proc = driver(s, python);
  try {
    const hello = await ask<Ready>(proc, undefined);
    if (hello.error) throw new InputError(`--calculator ${s.calculator}: ${hello.error} (in ${python}; is the package installed there? --python chooses the interpreter)`);
    const { problems } = await ask<{ problems: Record<string, string> }>(proc, { op: 'check', elements: [...new Set(elements)] });
    return {
      identity: {
        engine: 'ase',
        version: `ASE ${hello.ase} (Python ${hello.python})${hello.calculator_version ? `, ${s.calculator.split(/[.:]/)[0]} ${hello.calculator_version}` : ''}`,
        files: [],
        settings: { calculator: s.calculator, optimizer: s.optimizer, cellFilter: hello.filter, fmax: s.fmax, maxSteps: s.maxSteps, stressTol: s.stressTol },
      },
      elementProblem: (e) => (problems[e] ? `element ${e} cannot be placed by the ASE calculator ${s.calculator} (${problems[e]})` : undefined),
      calculator: () => new AseCalculator(s, python),
      notes: [`${python}: ASE ${hello.ase}, ${s.calculator}, cell filter ${hello.filter}`, ...(note ? [note] : [])],
    };
  } finally {
    proc.close();
  }
}

export const ASE_ENGINE: EngineEntry<typeof ASE_PARAMS> = {
  name: 'ase',
  description: "ASE with any of its calculators (EMT; universal potentials: MACE, CHGNet, matgl, ORB, SevenNet) in the user's Python: relaxes here",
  params: ASE_PARAMS,
  runsHere: { open: openAse },
};
