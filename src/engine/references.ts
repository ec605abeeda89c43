/**
 * Reference chemical potentials μ: each element's energy per atom in its
 * relaxed ground state under the same engine and settings. Four candidate
 * lattices (fcc, bcc, hcp at ideal c/a, diamond) are each started at the
 * nearest-neighbour distance of lowest energy on a coarse scan (so no element
 * table is needed), relaxed in cell and positions, and the lowest wins.
 */
import { Lattice, type Mat3 } from '../structure/lattice.ts';
import { Structure } from '../structure/structure.ts';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import type { Calculator } from './engine.ts';

/**
 * A prototype cell of one element with nearest-neighbour distance d (Å), in
 * conventional orthogonal cells (hcp: the orthohexagonal one), so a cell
 * relaxation by axes keeps their symmetry.
 */
const FCC_SITES = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];

export const PROTOTYPES: Readonly<Record<string, (element: string, d: number) => Structure>> = {
  fcc: (e, d) => cubic(e, d * Math.SQRT2, FCC_SITES),
  bcc: (e, d) => cubic(e, (2 * d) / Math.sqrt(3), [[0, 0, 0], [0.5, 0.5, 0.5]]),
  hcp: (e, d) => cell(e, [[d, 0, 0], [0, d * Math.sqrt(3), 0], [0, 0, d * Math.sqrt(8 / 3)]], [[0, 0, 0], [0.5, 0.5, 0], [0.5, 1 / 6, 0.5], [0, 2 / 3, 0.5]]),
  diamond: (e, d) => cubic(e, (4 * d) / Math.sqrt(3), [...FCC_SITES, ...FCC_SITES.map((f) => f.map((x) => x + 0.25))]),
};

function cubic(element: string, a: number, frac: number[][]): Structure {
  return cell(element, [[a, 0, 0], [0, a, 0], [0, 0, a]], frac);
}

function cell(element: string, m: number[][], frac: number[][]): Structure {
  return new Structure(
    new Lattice(m as Mat3),
    frac.map((f) => ({ element, label: element, frac: [f[0], f[1], f[2]] })),
    element,
  );
}

/** Nearest-neighbour distances scanned for a start, Å (metals and covalent elements: 1.9–3.9 Å; the relaxation refines it). */
const SCAN = Array.from({ length: 11 }, (_, k) => 1.9 + 0.2 * k);

export interface ReferenceEnergy {
  element: string;
  /** eV per atom. */
  mu: number;
  /** The starting lattice of the lowest state … */
  prototype: string;
  /** … and the space group it relaxed to (a start may transform: diamond into a close-packed metal). */
  spacegroup: string;
  /** Relaxed volume per atom of the winner, Å³. */
  volume: number;
  /** Every start: relaxed energy per atom (null: the relaxation failed or did not converge, see problem). */
  tried: { prototype: string; energy: number | null; spacegroup?: string; problem?: string }[];
}

/** μ of one element: every prototype scanned, relaxed, and the lowest converged one taken. */
export async function referenceEnergy(calc: Calculator, element: string, prototypes = Object.keys(PROTOTYPES)): Promise<ReferenceEnergy> {
  const tried: ReferenceEnergy['tried'] = [];
  let best: (ReferenceEnergy['tried'][number] & { energy: number; volume: number }) | undefined;
  for (const prototype of prototypes) {
    const make = PROTOTYPES[prototype];
    try {
      let start = SCAN[0];
      let lowest = Infinity;
      for (const d of SCAN) {
        const c = make(element, d);
        const e = (await calc.energy(c)) / c.length;
        if (e < lowest) [lowest, start] = [e, d];
      }
      const c = make(element, start);
      const r = await calc.relax(c, 'cell');
      const energy = r.energy / c.length;
      if (!r.converged || !Number.isFinite(energy)) {
        tried.push({ prototype, energy: null, problem: r.criterion });
        continue;
      }
      const t = { prototype, energy, spacegroup: analyzeSymmetry(r.structure).symbol };
      tried.push(t);
      if (!best || energy < best.energy) best = { ...t, volume: r.structure.lattice.volume / c.length };
    } catch (e) {
      tried.push({ prototype, energy: null, problem: (e as Error).message });
    }
  }
  if (!best) throw new Error(`no reference state of ${element} relaxed (${tried.map((t) => `${t.prototype}: ${t.problem}`).join('; ')})`);
  return { element, mu: best.energy, prototype: best.prototype, spacegroup: best.spacegroup!, volume: best.volume, tried };
}
