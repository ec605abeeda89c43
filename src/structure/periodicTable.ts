import { InputError } from '../util/errors.ts';
import type { Where } from '../util/table.ts';

/** Element symbols Z = 1..118 (index 0 is unused so that SYMBOLS[Z] is element Z). */
export const SYMBOLS: readonly string[] = [
  '',
  'H', 'He',
  'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne',
  'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar',
  'K', 'Ca', 'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr',
  'Rb', 'Sr', 'Y', 'Zr', 'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe',
  'Cs', 'Ba', 'La', 'Ce', 'Pr', 'Nd', 'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu',
  'Hf', 'Ta', 'W', 'Re', 'Os', 'Ir', 'Pt', 'Au', 'Hg', 'Tl', 'Pb', 'Bi', 'Po', 'At', 'Rn',
  'Fr', 'Ra', 'Ac', 'Th', 'Pa', 'U', 'Np', 'Pu', 'Am', 'Cm', 'Bk', 'Cf', 'Es', 'Fm', 'Md', 'No', 'Lr',
  'Rf', 'Db', 'Sg', 'Bh', 'Hs', 'Mt', 'Ds', 'Rg', 'Cn', 'Nh', 'Fl', 'Mc', 'Lv', 'Ts', 'Og',
];

const Z_OF = new Map<string, number>(SYMBOLS.slice(1).map((s, i) => [s, i + 1]));

/** Atomic number of an exact (correctly capitalised) symbol, or undefined. */
export function atomicNumber(symbol: string): number | undefined {
  return Z_OF.get(symbol);
}

export function isElement(symbol: string): boolean {
  return Z_OF.has(symbol);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

/**
 * The element behind a CIF type symbol or site label: `Nb`, `NB`, `nb`, `Nb2+`,
 * `Nb1`, `NbII`, `Si2a`, `O2-`, POTCAR names like `Nb_pv`. Takes the leading
 * letters and prefers a two-letter symbol over a one-letter one (so `NbII` is
 * Nb and `CO1` is Co, as in most CIF readers). Returns undefined when the
 * leading letters do not start with an element symbol.
 */
export function normaliseElement(raw: string): string | undefined {
  const m = /^[A-Za-z]+/.exec(raw.trim());
  if (!m) return undefined;
  const letters = m[0];
  if (letters.length >= 2) {
    const two = capitalise(letters.slice(0, 2));
    if (Z_OF.has(two)) return two;
  }
  const one = letters.charAt(0).toUpperCase();
  return Z_OF.has(one) ? one : undefined;
}

/** A table column holding an element symbol, checked against the periodic table. */
export function elementColumn<N extends string>(name: N, description: string) {
  return {
    name,
    description,
    type: 'text',
    parse: (s: string, where: Where) => {
      if (!isElement(s)) throw new InputError(`column ${name}: unknown element '${s}'`, where);
      return s;
    },
    format: (v: string) => v,
  } as const;
}

/**
 * A typed element symbol in any letter case (`ti`, `TI`, ` Ti ` → `Ti`), or
 * undefined when it is not exactly a symbol: unlike normaliseElement, no
 * labels, charges or suffixes (`Ti1`, `Ti4+`, `Tix` are refused), so a typo in
 * a command-line element list is not silently read as another element.
 */
export function elementSymbol(raw: string): string | undefined {
  const s = raw.trim();
  if (!/^[A-Za-z]{1,2}$/.test(s)) return undefined;
  const symbol = capitalise(s);
  return Z_OF.has(symbol) ? symbol : undefined;
}
