/**
 * Is a relaxed cell a minimum or a saddle? A symmetric cell feels no force by
 * symmetry even where it is unstable (a relaxation that starts on the saddle
 * stays there), so the atoms are pushed off it and relaxed again at the same
 * cell: a stable phase comes back to its energy and space group, an unstable
 * one falls to lower energy and lower symmetry.
 */
import { analyzeSymmetry } from '../structure/symmetry.ts';
import type { Structure } from '../structure/structure.ts';
import type { Vec3 } from '../structure/lattice.ts';
import { maxDisplacement, withPositions } from './cellMath.ts';
import type { Calculator } from './engine.ts';

export interface StabilityCheck {
  /** Largest push given to an atom, Å. */
  rattle: number;
  /** Energy after relaxing the pushed cell minus the relaxed energy, meV per atom (negative: it found lower ground). */
  energyChange: number;
  spacegroupBefore: string;
  spacegroupAfter: string;
  /** Largest distance of an atom from its relaxed position after relaxing the pushed cell, Å. */
  maxDisplacement: number;
  stable: boolean;
}

/** Energies below the relaxed one by more than this (meV/atom) mean the relaxed cell was a saddle. */
export const STABILITY_TOLERANCE = 1;

/** Push every atom by up to `rattle` Å along a fixed quasi-random direction (reproducible, no seed) and relax. */
export async function stabilityCheck(calc: Calculator, relaxed: Structure, energy: number, rattle = 0.05): Promise<StabilityCheck> {
  // additive recurrence with the plastic number: well spread, the same every run
  const g = 1.32471795724474602596;
  const step = [1 / g, 1 / (g * g), 1 / (g * g * g)];
  const pushed = relaxed.sites.map((s, i): Vec3 => {
    const d = step.map((a) => ((((i + 1) * a) % 1) - 0.5) * 2 * (rattle / Math.sqrt(3)));
    const r = relaxed.lattice.toCartesian(s.frac);
    return relaxed.lattice.toFractional([r[0] + d[0], r[1] + d[1], r[2] + d[2]]);
  });
  const r = await calc.relax(withPositions(relaxed, relaxed.lattice, pushed), 'positions');
  const change = ((r.energy - energy) / relaxed.length) * 1000;
  const before = analyzeSymmetry(relaxed).symbol;
  const after = analyzeSymmetry(r.structure, { symprec: 0.02 }).symbol;
  const back = maxDisplacement(relaxed.lattice, relaxed.sites.map((s) => s.frac), r.structure.sites.map((s) => s.frac));
  return { rattle, energyChange: change, spacegroupBefore: before, spacegroupAfter: after, maxDisplacement: back, stable: r.converged && change > -STABILITY_TOLERANCE && after === before };
}
