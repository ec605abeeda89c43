import type { PairEnumeration, SitePair } from './pairs.ts';

/** Element X on the pair's atom a and Y on its atom b; a host element on its own site means "no substitution there". */
export interface Substitution {
  pair: SitePair;
  elementA: string;
  elementB: string;
}

export type SubstitutionKind = 'pristine' | 'single' | 'pair';

/** Symmetry-canonical form: for a swappable pair X@a,Y@b ≡ Y@a,X@b, so the alphabetically first element goes on a. */
export function canonicalSubstitution(pair: SitePair, elementA: string, elementB: string): Substitution {
  if (pair.swappable && elementB < elementA) return { pair, elementA: elementB, elementB: elementA };
  return { pair, elementA, elementB };
}

export function substitutionKey(s: Substitution): string {
  const c = canonicalSubstitution(s.pair, s.elementA, s.elementB);
  return `${c.pair.id}:${c.elementA}:${c.elementB}`;
}

/**
 * One physical calculation: a single substitution is element X on one symmetry
 * orbit of the cell, whichever pair configuration lists it; a pair is its
 * canonical (configuration, X, Y) key; the pristine cell is one calculation.
 */
export function calculationKey(enumeration: PairEnumeration, s: Substitution): string {
  const sites = enumeration.cell.sites;
  const a = sites[s.pair.atomA].element !== s.elementA;
  const b = sites[s.pair.atomB].element !== s.elementB;
  if (a && b) return substitutionKey(s);
  if (!a && !b) return 'pristine';
  const [atom, element] = a ? [s.pair.atomA, s.elementA] : [s.pair.atomB, s.elementB];
  return `${sites[atom].label}#${enumeration.symmetry.orbitOf[atom]}:${element}`;
}

export function substitutionKind(enumeration: PairEnumeration, s: Substitution): SubstitutionKind {
  const sites = enumeration.cell.sites;
  const a = sites[s.pair.atomA].element !== s.elementA;
  const b = sites[s.pair.atomB].element !== s.elementB;
  return a && b ? 'pair' : a || b ? 'single' : 'pristine';
}

/** Elements that may replace the host: the same on every site, or per site label. */
export type ElementChoice = readonly string[] | ((site: string) => readonly string[]);

/**
 * Every distinct substitution of the given elements over the pairs: X on a and Y
 * on b from `elements` (of that site) plus each site's host, single
 * substitutions included, the pristine cell excluded (zero by definition).
 */
export function expandSubstitutions(enumeration: PairEnumeration, elements: ElementChoice, pairs = enumeration.pairs): Substitution[] {
  const out: Substitution[] = [];
  const sites = enumeration.cell.sites;
  const on = (site: string) => (typeof elements === 'function' ? elements(site) : elements);
  for (const pair of pairs) {
    const hostA = sites[pair.atomA].element;
    const hostB = sites[pair.atomB].element;
    const onA = [...new Set([hostA, ...on(pair.siteA)])];
    const onB = [...new Set([hostB, ...on(pair.siteB)])];
    const seen = new Set<string>();
    for (const x of onA)
      for (const y of onB) {
        if (x === hostA && y === hostB) continue;
        const s = canonicalSubstitution(pair, x, y);
        const k = substitutionKey(s);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(s);
      }
  }
  return out;
}

/**
 * Every physical calculation of the given elements over the pairs: as
 * `expandSubstitutions`, with each single substitution once (under the first
 * pair that lists it) instead of once per pair.
 */
export function distinctSubstitutions(enumeration: PairEnumeration, elements: ElementChoice, pairs = enumeration.pairs): Substitution[] {
  const seen = new Set<string>();
  return expandSubstitutions(enumeration, elements, pairs).filter((s) => {
    const k = calculationKey(enumeration, s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
