import { analyze_cell, wyckoff_positions, type MoyoDataset } from '@spglib/moyo-wasm';
import type { Mat3, Vec3 } from './lattice.ts';
import type { Structure } from './structure.ts';
import { atomicNumber } from './periodicTable.ts';
import { loadMoyo } from './moyo.ts';
import { InputError } from '../util/errors.ts';
import { MAX_SYMMETRY_ATOMS } from '../util/limits.ts';

/** A space-group operation in the fractional coordinates of the analysed cell: f' = R·f + t. */
export interface SymmetryOperation {
  rotation: Mat3;
  translation: Vec3;
}

/** One non-equivalent (Wyckoff) site: the atoms of the cell that the space group maps onto each other. */
export interface Orbit {
  /** The CIF label when every atom of the orbit carries the same one, else `<element>_<multiplicity><letter>`. */
  label: string;
  element: string;
  wyckoff: string;
  /** Multiplicity of the Wyckoff position in the conventional cell (International Tables). */
  multiplicity: number;
  siteSymmetry: string;
  /** Indices of the atoms of this orbit in the analysed cell; the first is the representative. */
  atoms: number[];
}

export interface SymmetryInfo {
  number: number;
  symbol: string;
  hallNumber: number;
  operations: SymmetryOperation[];
  orbits: Orbit[];
  /** orbitOf[i] = index into `orbits` of atom i. */
  orbitOf: number[];
}

export { MAX_SYMMETRY_ATOMS };

/**
 * Space group, operations and Wyckoff orbits of any cell (P1 input included), by moyo.
 * symprec is a Cartesian tolerance in Å (0.01 Å, as pymatgen's default, absorbs CIF rounding).
 */
export function analyzeSymmetry(structure: Structure, options: { symprec?: number } = {}): SymmetryInfo {
  if (structure.length > MAX_SYMMETRY_ATOMS) {
    throw new InputError(
      `symmetry analysis of ${structure.length} atoms is refused (limit ${MAX_SYMMETRY_ATOMS}); give the conventional or primitive cell and build supercells from it`,
      { file: structure.source },
    );
  }
  loadMoyo();
  const symprec = options.symprec ?? 0.01;
  const m = structure.lattice.matrix;
  const cell = {
    lattice: { basis: [...m[0], ...m[1], ...m[2]] },
    positions: structure.sites.map((s) => s.frac),
    numbers: structure.sites.map((s) => atomicNumber(s.element)!),
  };
  let data: MoyoDataset;
  try {
    data = analyze_cell(JSON.stringify(cell), symprec, 'Standard');
  } catch (e) {
    throw new InputError(`symmetry analysis failed (symprec ${symprec} Å): ${String(e)}`, { file: structure.source });
  }
  const wyckoffTable = new Map(wyckoff_positions(data.hall_number).map((w) => [w.letter, w]));
  const operations = data.operations.map((op) => ({
    // moyo flattens its rotation matrices column by column
    rotation: [0, 1, 2].map((i) => [op.rotation[i], op.rotation[i + 3], op.rotation[i + 6]]) as Mat3,
    translation: [...op.translation] as Vec3,
  }));

  const representatives = [...new Set(data.orbits)];
  const orbitIndex = new Map(representatives.map((r, k) => [r, k]));
  const orbitOf = data.orbits.map((r) => orbitIndex.get(r)!);
  const orbits: Orbit[] = representatives.map((r) => {
    const atoms = orbitOf.flatMap((o, i) => (o === orbitIndex.get(r) ? [i] : []));
    const letter = data.wyckoffs[r];
    const w = wyckoffTable.get(letter);
    const multiplicity = w?.multiplicity ?? atoms.length;
    const element = structure.sites[r].element;
    const labels = new Set(atoms.map((i) => structure.sites[i].label));
    const label = labels.size === 1 ? [...labels][0] : `${element}_${multiplicity}${letter}`;
    return { label, element, wyckoff: letter, multiplicity, siteSymmetry: w?.site_symmetry ?? '', atoms };
  });
  disambiguateLabels(orbits);
  return {
    number: data.number,
    symbol: data.hm_symbol.replace(/\s+/g, ''),
    hallNumber: data.hall_number,
    operations,
    orbits,
    orbitOf,
  };
}

/**
 * Two orbits sharing one CIF label (a label split by symmetry) get their Wyckoff
 * position appended; orbits that still share a label (two on one Wyckoff letter,
 * e.g. the three O_1b of a P1-like cell) are numbered in order: O_1b, O_1b_2, O_1b_3.
 */
function disambiguateLabels(orbits: Orbit[]): void {
  const count = new Map<string, number>();
  for (const o of orbits) count.set(o.label, (count.get(o.label) ?? 0) + 1);
  for (const o of orbits) if (count.get(o.label)! > 1) o.label = `${o.label}_${o.multiplicity}${o.wyckoff}`;
  const seen = new Map<string, number>();
  for (const o of orbits) {
    const n = (seen.get(o.label) ?? 0) + 1;
    seen.set(o.label, n);
    if (n > 1) o.label = `${o.label}_${n}`;
  }
}
