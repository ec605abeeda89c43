import type { Vec3 } from './lattice.ts';
import type { Structure } from './structure.ts';
import type { SymmetryInfo } from './symmetry.ts';

export interface StructureReport {
  formula: string;
  natoms: number;
  spacegroup: { number: number; symbol: string };
  lattice: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number; volume: number };
  sites: { site: string; element: string; wyckoff: string; multiplicity: number; frac: Vec3 }[];
}

/** The structure summary printed by `cescreen structure`: one row per non-equivalent (Wyckoff) site. */
export function describeStructure(structure: Structure, symmetry: SymmetryInfo): StructureReport {
  return {
    formula: structure.formula(),
    natoms: structure.length,
    spacegroup: { number: symmetry.number, symbol: symmetry.symbol },
    lattice: structure.lattice.parameters,
    sites: symmetry.orbits.map((o) => ({
      site: o.label,
      element: o.element,
      wyckoff: o.wyckoff,
      multiplicity: o.multiplicity,
      frac: structure.sites[o.atoms[0]].frac,
    })),
  };
}
