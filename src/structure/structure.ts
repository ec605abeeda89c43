import { Lattice, type Vec3, wrapFrac } from './lattice.ts';

/** One atom of the cell: its element, the CIF site label it came from, and its fractional position in [0,1). */
export interface Site {
  element: string;
  label: string;
  frac: Vec3;
}

/** A periodic crystal: a lattice and the atoms of one cell (all of them, symmetry already applied). */
export class Structure {
  readonly lattice: Lattice;
  readonly sites: readonly Site[];
  readonly title: string;
  /** The file it was read from, for messages about it (unset for cells built in memory). */
  readonly source?: string;

  constructor(lattice: Lattice, sites: Site[], title = '', source?: string) {
    this.lattice = lattice;
    this.sites = sites.map((s) => ({ element: s.element, label: s.label, frac: wrapFrac(s.frac) }));
    this.title = title;
    this.source = source;
  }

  get length(): number {
    return this.sites.length;
  }

  cartesian(i: number): Vec3 {
    return this.lattice.toCartesian(this.sites[i].frac);
  }

  /** The host element of each site label (what a substitution on that site replaces). */
  hosts(): Map<string, string> {
    return new Map(this.sites.map((x) => [x.label, x.element]));
  }

  /** Element counts in order of first appearance. */
  composition(): Map<string, number> {
    return elementCounts(this.sites);
  }

  /** Reduced formula, elements in Hill-like alphabetical order, e.g. "Nb5Si3". */
  formula(): string {
    const comp = this.composition();
    const counts = [...comp.values()];
    const g = counts.reduce((x, y) => gcd(x, y));
    return [...comp.keys()]
      .sort()
      .map((e) => {
        const n = comp.get(e)! / g;
        return n === 1 ? e : `${e}${n}`;
      })
      .join('');
  }

  /** Distinct site labels in order of first appearance. */
  labels(): string[] {
    return [...new Set(this.sites.map((s) => s.label))];
  }
}

/** Element counts of a list of atoms, in order of first appearance. */
export function elementCounts(sites: readonly { element: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of sites) m.set(s.element, (m.get(s.element) ?? 0) + 1);
  return m;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
