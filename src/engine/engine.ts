/**
 * Physics engines behind one contract, as ASE's calculators: a cell in, its
 * relaxed energy out. An engine either runs here (LAMMPS, ASE: a calculator per
 * worker) or writes input sets and reads the outputs of runs made elsewhere
 * (VASP, Quantum ESPRESSO on a cluster). Code dispatches on those capabilities,
 * never on an engine's name.
 */
import type { Structure } from '../structure/structure.ts';
import type { ParamDefs, ParamValues } from '../util/params.ts';
import { number } from '../util/params.ts';

/** Relax the atoms at a fixed cell, or the cell and the atoms. */
export type RelaxMode = 'positions' | 'cell';

export interface Relaxation {
  /** Total energy of the cell, eV. */
  energy: number;
  converged: boolean;
  /** The engine's stopping criterion ("force tolerance", "max iterations", …). */
  criterion: string;
  steps: number;
  /** Largest move of an atom, Å (cell mode: from its position in the strained starting cell). */
  maxDisplacement: number;
  /** Largest force on an atom at the end, eV/Å. */
  maxForce: number;
  /** The relaxed cell, atoms in the order given. */
  structure: Structure;
}

/** What an engine computes with: one per worker, closed when the run ends. */
export interface Calculator {
  /** Energy of the cell as given, eV. */
  energy(cell: Structure): Promise<number>;
  relax(cell: Structure, mode: RelaxMode): Promise<Relaxation>;
  /** Ends the engine's process, if any (idempotent). */
  close(): void;
}

/** What a run's numbers depend on: written beside every output and hashed into cache keys. */
export interface EngineIdentity {
  engine: string;
  version: string;
  /** Files that define the physics (potential, pseudopotentials) with their sha256. */
  files: { role: string; path: string; sha256: string }[];
  /** Every setting that changes an energy. */
  settings: Record<string, unknown>;
}

/** An engine ready to run here: checked (binary, files, elements) before any row starts. */
export interface EngineSession {
  identity: EngineIdentity;
  /** Elements the engine can place (undefined: it cannot tell before trying). */
  elements?: readonly string[];
  /** Why an element cannot be placed, or undefined when it can. */
  elementProblem(element: string): string | undefined;
  /** Range of the interaction, Å, when the engine knows it (images of a substituted atom within it see each other). */
  cutoff?: number;
  calculator(): Calculator;
  /** A note for the output's metadata (which binary or interpreter was found, …). */
  notes: string[];
}

/** One calculation written for an engine that runs elsewhere. */
export interface InputJob {
  cell: Structure;
  mode: RelaxMode;
  title: string;
}

/** What a finished run elsewhere gave. */
export interface RunResult {
  /** The file the numbers were read from. */
  file: string;
  energy: number;
  /** Ionic and electronic convergence. */
  ionicConverged: boolean;
  electronicConverged: boolean;
  /** Why it is not converged (empty when it is). */
  reason: string;
  steps: number;
  /** The final cell, when the output gives it (atoms in the order of the input files). */
  structure?: Structure;
  /** Program and version as the output names them. */
  program?: string;
}

/** A declaration of an engine: its parameters (declared once) and what it can do. */
export interface EngineEntry<D extends ParamDefs = ParamDefs> {
  name: string;
  description: string;
  params: D;
  /** Runs relaxations on this machine. */
  runsHere?: {
    open(settings: ParamValues<D>, elements: readonly string[]): Promise<EngineSession>;
  };
  /** Writes complete input sets for runs made elsewhere. */
  writesInputs?: {
    /** Writes the input files of one calculation into `dir`; returns their names. */
    write(dir: string, job: InputJob, settings: ParamValues<D>): string[];
    identity(settings: ParamValues<D>): EngineIdentity;
    /** The order the input files list the atoms of a cell in (cell indices), when it is not the cell's own (VASP groups by element). */
    atomOrder?(cell: Structure): number[];
  };
  /** Reads the results of a run folder written by `writesInputs`. */
  readsOutputs?: {
    read(dir: string): RunResult;
  };
}

/** Convergence of every relaxation, whichever engine: declared once, shared by all entries. */
/** Cell relaxations end when no stress component exceeds this (engines that relax cells by a stress criterion). */
export const STRESS_TOL = number('cell relaxation ends when no stress component exceeds this', 0.5, { unit: 'kbar', min: 0.001, max: 100 });

export const RELAX_PARAMS = {
  fmax: number('relaxation ends when no atom feels more force than this', 0.01, { unit: 'eV/Å', min: 1e-5, max: 1, minExclusive: false }),
  maxSteps: number('most optimiser (ionic) steps per relaxation', 2000, { integer: true, min: 1, max: 100_000 }),
} as const;
