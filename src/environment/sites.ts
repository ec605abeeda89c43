import { ENVIRONMENT_PARAMS } from './params.ts';
import type { Structure } from '../structure/structure.ts';
import type { SymmetryInfo } from '../structure/symmetry.ts';
import { atomicEnvironment, type AetOptions, type AtomicEnvironment } from './aet.ts';
import { NeighborFinder } from './neighbors.ts';
import { nearestNeighborHistogram, type NearestNeighborHistogram } from './nnh.ts';
import { isInputError } from '../util/errors.ts';

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
  const finder = new NeighborFinder(structure, options.cutoff ?? ENVIRONMENT_PARAMS.cutoff.default);
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

/** A site whose AET could not be determined, and why. */
export interface SiteFailure {
  site: string;
  wyckoff: string;
  atom: number;
  message: string;
  /** true: a problem of the input (InputError); false: an internal error. */
  input: boolean;
}

/**
 * siteEnvironments that does not stop at the first site it cannot handle: the
 * AETs of every site it can, and for the others the reason. (With the fallback
 * rule every site of a periodic crystal has an AET; this keeps one odd site from
 * hiding the others if that ever fails.)
 */
export function trySiteEnvironments(
  structure: Structure,
  symmetry: SymmetryInfo,
  options: AetOptions & { site?: string } = {},
): { environments: (AtomicEnvironment & { wyckoff: string })[]; failures: SiteFailure[] } {
  const environments: (AtomicEnvironment & { wyckoff: string })[] = [];
  const failures: SiteFailure[] = [];
  for (const r of representativeAtoms(symmetry, options.site)) {
    try {
      environments.push({ ...atomicEnvironment(structure, r.atom, options), site: r.label, wyckoff: r.wyckoff });
    } catch (e) {
      failures.push({ site: r.label, wyckoff: r.wyckoff, atom: r.atom, message: (e as Error)?.message ?? String(e), input: isInputError(e) });
    }
  }
  return { environments, failures };
}
