// Which atoms the viewer joins by a bond by default, per element pair as VESTA does: A–B is a bond
// when d ≤ BOND_TOLERANCE × (r_A + r_B). Declared here once; the page receives the cutoffs.
//
// r is Slater's empirical atomic radius (element table AR; the covalent radius CR where AR is
// missing). On the 23 structures of structures/ (α, β-Nb5Si3 and 21 reference phases) a 15 %
// tolerance bonds every atom, and gives fcc 12, hcp 12, bcc 8 + 6, diamond 4, graphite 3, wurtzite
// 4, rutile Ti–O 6 neighbours; α-Nb5Si3 gets Nb–Si ≤ 2.93 Å, the Si–Si dimer and Nb–Nb ≤ 3.34 Å (10.25 bonds
// per atom, against 13.25 for the AET shells). Cordero's covalent radii (ASE's and Jmol's choice)
// leave fcc Al unbonded below +18 % and bond every Nb–Nb pair of α up to 3.6 Å at +10 %. Neither
// set keeps ionic cations apart (Na–Na in NaCl, Ca–Ca in CaTiO3): the bond modes of the page
// (AET shell, a distance cutoff) are the way out there.
import { property } from '../features/elements.ts';

export const BOND_TOLERANCE = 1.15;

/** The radius bonds are measured with, Å: Slater's atomic radius, else the covalent radius. */
export function bondRadius(element: string): number | undefined {
  return property(element, 'AR') ?? property(element, 'CR') ?? undefined;
}

/** The rule in words, for the page's tooltip and the README. */
export const BOND_RULE = `d ≤ ${BOND_TOLERANCE} × (r_A + r_B), r = Slater's empirical atomic radius`;

/** Bond cutoff of every pair of the given elements (Å); pairs with an element of unknown radius get none. */
export function bondCutoffs(elements: readonly string[]): { a: string; b: string; cutoff: number }[] {
  const els = [...new Set(elements)].sort();
  const out: { a: string; b: string; cutoff: number }[] = [];
  els.forEach((a, i) => {
    for (const b of els.slice(i)) {
      const ra = bondRadius(a);
      const rb = bondRadius(b);
      if (ra !== undefined && rb !== undefined) out.push({ a, b, cutoff: BOND_TOLERANCE * (ra + rb) });
    }
  });
  return out;
}
