/**
 * Small cell arithmetic the engines share: displacements between two states of
 * one cell, and a relaxed cell built from new fractional positions.
 */
import { Lattice, type Mat3, type Vec3 } from '../structure/lattice.ts';
import { Structure } from '../structure/structure.ts';

/** Largest minimum-image move of an atom between two fractional states, measured in `lattice` (Å). */
export function maxDisplacement(lattice: Lattice, before: readonly Vec3[], after: readonly Vec3[]): number {
  let worst = 0;
  for (let i = 0; i < before.length; i++) {
    const d = lattice.minimumImage([after[i][0] - before[i][0], after[i][1] - before[i][1], after[i][2] - before[i][2]]).distance;
    if (d > worst) worst = d;
  }
  return worst;
}

/** The cell with a new lattice and new fractional positions, elements and labels kept. */
export function withPositions(cell: Structure, lattice: Mat3 | Lattice, frac: readonly Vec3[]): Structure {
  const l = lattice instanceof Lattice ? lattice : new Lattice(lattice);
  return new Structure(
    l,
    cell.sites.map((s, i) => ({ ...s, frac: frac[i] })),
    cell.title,
  );
}

/** Elements of a cell in first-appearance order. */
export function elementsOf(cell: Structure): string[] {
  return [...cell.composition().keys()];
}
