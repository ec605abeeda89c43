/**
 * The substitution-energy bookkeeping, one formula for every engine:
 *
 *   E_DS = E(substituted) − E(pristine) − Σ μ(added elements) + Σ μ(removed host elements)
 *
 * μ is the energy per atom of the element's own relaxed ground state under the
 * same engine and settings (references.ts). A negative E_DS means the cell
 * gains energy by taking the new elements from their reservoirs.
 */
import type { PairEnumeration } from '../substitution/pairs.ts';
import type { Substitution } from '../substitution/substitution.ts';

export const BOOKKEEPING =
  'E_DS = E(substituted) − E(pristine) − Σ μ(added elements) + Σ μ(removed host elements), μ = energy per atom of the element\'s relaxed ground state (lowest of fcc, bcc, hcp, diamond) under the same engine and settings';

/** The elements a substitution puts into the cell and the host elements it takes out. */
export function exchange(enumeration: PairEnumeration, s: Substitution): { added: string[]; removed: string[] } {
  const sites = enumeration.cell.sites;
  const added: string[] = [];
  const removed: string[] = [];
  for (const [atom, element] of [
    [s.pair.atomA, s.elementA],
    [s.pair.atomB, s.elementB],
  ] as const) {
    if (sites[atom].element === element) continue;
    added.push(element);
    removed.push(sites[atom].element);
  }
  return { added, removed };
}

/** E_DS from total energies and reference chemical potentials (eV). */
export function substitutionEnergy(substituted: number, pristine: number, x: { added: readonly string[]; removed: readonly string[] }, mu: ReadonlyMap<string, number>): number {
  const m = (e: string) => {
    const v = mu.get(e);
    if (v === undefined) throw new Error(`no reference energy for ${e}`);
    return v;
  };
  return substituted - pristine - x.added.reduce((s, e) => s + m(e), 0) + x.removed.reduce((s, e) => s + m(e), 0);
}
