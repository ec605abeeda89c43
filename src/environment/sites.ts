import type { Structure } from '../structure/structure.ts';
import type { SymmetryInfo } from '../structure/symmetry.ts';
import { atomicEnvironment, type AetOptions, type AtomicEnvironment } from './aet.ts';
import { NeighborFinder } from './neighbors.ts';
import { nearestNeighborHistogram, type NearestNeighborHistogram } from './nnh.ts';

/** Representative atoms of the non-equivalent sites, optionally only the one labelled `site`. */
export function representativeAtoms(symmetry: SymmetryInfo, site?: string): { label: string; wyckoff: string; atom: number }[] {
  const reps = symmetry.orbits.map((o) => ({ label: o.label, wyckoff: `${o.multiplicity}${o.wyckoff}`, atom: o.atoms[0] }));
  if (site === undefined) return reps;
  return reps.filter((r) => r.label === site);
}

export function siteHistograms(
  structure: Structure,
  symmetry: SymmetryInfo,
  options: { cutoff?: number; site?: string } = {},
): (NearestNeighborHistogram & { wyckoff: string })[] {
  const finder = new NeighborFinder(structure, options.cutoff ?? 8);
  return representativeAtoms(symmetry, options.site).map((r) => ({
    ...nearestNeighborHistogram(structure, r.atom, { cutoff: options.cutoff, finder }),
    site: r.label,
    wyckoff: r.wyckoff,
  }));
}

export function siteEnvironments(
  structure: Structure,
  symmetry: SymmetryInfo,
  options: AetOptions & { site?: string } = {},
): (AtomicEnvironment & { wyckoff: string })[] {
  return representativeAtoms(symmetry, options.site).map((r) => ({
    ...atomicEnvironment(structure, r.atom, options),
    site: r.label,
    wyckoff: r.wyckoff,
  }));
}
