/**
 * The element behind a CIF atom label or type symbol, checked against the
 * file's `_chemical_formula_sum`.
 *
 * Without `_atom_site_type_symbol` the element is read from the label
 * (`Nb1` → Nb, `NbII` → Nb). Some labels are not element symbols at all:
 * AMCSD writes water oxygen as `Wat`, which the letter rule reads as W
 * (tungsten) — a silently wrong element. Such labels are listed here, and when
 * the file gives its formula the reading must name an element of it: `CO1` in
 * a carbonate is C (not Co), `Wat` is O, and a label that fits no element of the
 * formula is refused instead of guessed.
 */
import { SYMBOLS, isElement, normaliseElement } from './periodicTable.ts';

/** Labels that are not element symbols, as written in real CIFs (AMCSD, COD, neutron studies). */
export const NON_ELEMENT_LABELS: readonly { pattern: RegExp; element: string; meaning: string }[] = [
  { pattern: /^wat/i, element: 'O', meaning: 'the oxygen of a water molecule' },
  { pattern: /^ow(?![a-z])/i, element: 'O', meaning: 'water oxygen' },
  { pattern: /^hw(?![a-z])/i, element: 'H', meaning: 'water hydrogen' },
  { pattern: /^oh(?![a-z])/i, element: 'O', meaning: 'hydroxyl oxygen' },
  { pattern: /^d(?![a-z])/i, element: 'H', meaning: 'deuterium' },
];

export interface LabelReading {
  element: string;
  /** Set when the reading comes from NON_ELEMENT_LABELS. */
  meaning?: string;
}

/** Every element a label or type symbol can stand for, most likely first: a known non-element label, then two letters, then one. */
export function labelReadings(raw: string): LabelReading[] {
  const s = raw.trim();
  const out: LabelReading[] = [];
  const add = (r: LabelReading) => {
    if (!out.some((o) => o.element === r.element)) out.push(r);
  };
  for (const alias of NON_ELEMENT_LABELS) if (alias.pattern.test(s)) add({ element: alias.element, meaning: alias.meaning });
  const two = normaliseElement(s);
  if (two) add({ element: two });
  const letters = /^[A-Za-z]+/.exec(s)?.[0] ?? '';
  const one = letters.charAt(0).toUpperCase();
  if (isElement(one)) add({ element: one });
  return out;
}

/** Elements named by a `_chemical_formula_sum` such as 'Ca S O4 (H2 O)2' (D and T count as H); undefined when it names none. */
export function formulaElements(formula: string | undefined): Set<string> | undefined {
  if (formula === undefined) return undefined;
  const found = new Set<string>();
  for (const m of formula.matchAll(/[A-Z][a-z]?/g)) {
    const symbol = m[0];
    if (isElement(symbol)) found.add(symbol);
    else if (symbol === 'D' || symbol === 'T') found.add('H');
  }
  return found.size > 0 ? found : undefined;
}

export type LabelVerdict =
  | { element: string; note?: string }
  | { element?: undefined; error: string };

/**
 * Read the element of one atom row from `raw` (`source` says which column it
 * came from). With a formula, the first reading that names an element of it
 * wins; a label that fits none is an error, a type symbol that fits none only
 * gets a note (it is explicit, the formula may be the one that is off).
 */
export function readElement(raw: string, source: 'label' | 'type symbol', formula?: Set<string>): LabelVerdict {
  const readings = labelReadings(raw);
  if (readings.length === 0) return { error: `unknown element '${raw}'` };
  const first = readings[0];
  const describe = (r: LabelReading) => (r.meaning ? `${r.element} (${r.meaning})` : r.element);
  if (!formula) {
    return first.meaning ? { element: first.element, note: `${source} '${raw}' read as ${describe(first)}` } : { element: first.element };
  }
  const fit = readings.find((r) => formula.has(r.element));
  const list = [...formula].sort((a, b) => SYMBOLS.indexOf(a) - SYMBOLS.indexOf(b)).join(' ');
  if (!fit) {
    const options = readings.map((r) => r.element).join(' or ');
    if (source === 'type symbol') return { element: first.element, note: `${source} '${raw}' (${first.element}) is not in _chemical_formula_sum (${list})` };
    return { error: `${source} '${raw}' reads as ${options}, not an element of _chemical_formula_sum (${list}); add an _atom_site_type_symbol column` };
  }
  if (fit !== first || fit.meaning) return { element: fit.element, note: `${source} '${raw}' read as ${describe(fit)}, as _chemical_formula_sum (${list}) has it` };
  return { element: fit.element };
}

/**
 * Element counts of a `_chemical_formula_sum` such as 'Mg8 Cu16' or 'C9 H10 N2 O2'
 * (D and T count as H); undefined when it has parentheses, an unknown symbol or no counts.
 */
export function formulaCounts(formula: string | undefined): Map<string, number> | undefined {
  if (formula === undefined || /[()[\]]/.test(formula)) return undefined;
  const counts = new Map<string, number>();
  for (const word of formula.trim().split(/\s+/)) {
    const m = /^([A-Z][a-z]?)(\d*\.?\d*)$/.exec(word);
    if (!m) return undefined;
    const element = m[1] === 'D' || m[1] === 'T' ? 'H' : m[1];
    if (!isElement(element)) return undefined;
    const n = m[2] === '' ? 1 : Number(m[2]);
    if (!(n > 0)) return undefined;
    counts.set(element, (counts.get(element) ?? 0) + n);
  }
  return counts.size > 0 ? counts : undefined;
}

/** Whether a cell's element counts are a multiple of a formula's (same elements, same ratios within 1 %). */
export function matchesFormula(cell: ReadonlyMap<string, number>, formula: ReadonlyMap<string, number>): boolean {
  if (cell.size !== formula.size) return false;
  let ratio: number | undefined;
  for (const [element, n] of cell) {
    const f = formula.get(element);
    if (f === undefined) return false;
    ratio ??= n / f;
    if (Math.abs(n / f - ratio) > 0.01 * ratio) return false;
  }
  return true;
}
