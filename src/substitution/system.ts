import { basename, dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { readStructureDetailed } from '../structure/io.ts';
import { formatSupercell, parseSupercellSpec, supercell } from '../structure/supercell.ts';
import type { Structure } from '../structure/structure.ts';
import type { Vec3 } from '../structure/lattice.ts';
import type { Substitution } from './substitution.ts';
import { InputError } from '../util/errors.ts';
import { checkParam } from '../util/params.ts';
import { SYSTEM_PARAMS } from './params.ts';
import { substitutionPairs, type PairEnumeration } from './pairs.ts';
import { CONFLICT_EV, cleanDataset, conflictingCalculations, matchDataset, readDataset, type CleanedDataSet, type PositionFrame } from './dataset.ts';
import { notice } from '../util/notices.ts';

export interface SubstitutionSystem {
  file: string;
  structure: Structure;
  supercell: string;
  maxDistance: number;
  enumeration: PairEnumeration;
}

/** A structure, its (super)cell and every symmetry-distinct site pair in it: the stage everything after reads. */
export function substitutionSystem(
  file: string,
  o: { block?: string; supercell?: string; maxDistance?: number } = {},
): SubstitutionSystem {
  const { structure, warnings } = readStructureDetailed(file, { block: o.block || undefined });
  for (const w of warnings) notice(file, w);
  const M = parseSupercellSpec(o.supercell ?? SYSTEM_PARAMS.supercell.default);
  const cell = supercell(structure, M);
  const maxDistance = o.maxDistance ?? SYSTEM_PARAMS.maxDistance.default;
  checkParam('--max-distance', SYSTEM_PARAMS.maxDistance, maxDistance);
  return { file, structure, supercell: formatSupercell(M), maxDistance, enumeration: substitutionPairs(cell, { maxDistance, parent: structure }) };
}

export const DEFAULT_DATA = new URL('../../structures/alpha-Nb5Si3/eds.csv', import.meta.url).pathname;
/** The bundled phase to screen with a model trained on DEFAULT_DATA. */
export const DEFAULT_TARGET = new URL('../../structures/beta-Nb5Si3/structure.cif', import.meta.url).pathname;

/** The structure a data set belongs to: given, or `structure.cif` beside the data file. */
export function structureForData(data: string, structure?: string): string {
  if (structure) return structure;
  const beside = join(dirname(data), 'structure.cif');
  if (!existsSync(beside)) throw new InputError(`no structure given (--structure) and no structure.cif beside the data set`, { file: data });
  return beside;
}

export function trainingData(data: string, o: { structure?: string; block?: string; supercell?: string; maxDistance?: number; positions?: PositionFrame } = {}): {
  system: SubstitutionSystem;
  data: CleanedDataSet;
} {
  // the rows first: a data set over its limits is refused before the cell is analysed
  const table = readDataset(data);
  const system = substitutionSystem(structureForData(data, o.structure), o);
  const cleaned = cleanDataset(matchDataset(table, system.enumeration, { structure: system.structure, frame: o.positions }));
  const conflicts = conflictingCalculations(cleaned.rows);
  if (conflicts.length) {
    const shown = conflicts
      .slice(0, 3)
      .map((c) => `${c.calculation}: line ${c.low.line} ${c.low.eds} eV, line ${c.high.line} ${c.high.eds} eV (${c.rows > 2 ? `${c.rows} rows, ` : ''}spread ${c.spread.toFixed(2)} eV)`);
    notice(
      data,
      `${conflicts.length} calculation${conflicts.length > 1 ? 's are' : ' is'} listed on several rows whose energies disagree by more than ${CONFLICT_EV} eV; ` +
        `each is merged into the median of its rows: ${shown.join('; ')}${conflicts.length > 3 ? `; … (${conflicts.length - 3} more)` : ''}`,
    );
  }
  return { system, data: cleaned };
}

/** One data set with its structure and cell. */
export interface DataSource {
  data: string;
  structure?: string;
  supercell?: string;
  maxDistance?: number;
  /** Positions are fractions of the CIF cell (default) or of the supercell. */
  positions?: PositionFrame;
}

/**
 * Several data sets, each in its own cell, as one training set: keys and site
 * tags carry the set's name (its data file's stem, or its folder for
 * `…/<phase>/eds.csv`), so no two sets share a group or a site.
 */
export function trainingSets(sources: readonly DataSource[]): { systems: SubstitutionSystem[]; data: CleanedDataSet } {
  const loaded = sources.map((s) => trainingData(s.data, s));
  if (loaded.length === 1) return { systems: [loaded[0].system], data: loaded[0].data };
  const names = sources.map((s, i) => {
    const stem = basename(s.data).replace(/\.[^.]+$/, '');
    return `${stem === 'eds' ? basename(dirname(s.data)) : stem}${sources.filter((t) => t.data === s.data).length > 1 ? `#${i + 1}` : ''}`;
  });
  const tag = <T extends { key: string; phase: string }>(r: T, i: number): T => ({ ...r, key: `${names[i]}|${r.key}`, phase: names[i] });
  return {
    systems: loaded.map((l) => l.system),
    data: {
      rows: loaded.flatMap((l, i) => l.data.rows.map((r) => tag(r, i))),
      dropped: loaded.flatMap((l, i) => l.data.dropped.map((d) => ({ ...d, reason: `${names[i]}: ${d.reason}` }))),
      pristineEnergy: loaded[0].data.pristineEnergy,
    },
  };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6 + 0;

/** A substitution as a data-set row (positions: fractions of the CIF cell; b = a + d at the pair's nearest image). */
export function datasetRow(system: SubstitutionSystem, s: Substitution) {
  const cell = system.enumeration.cell;
  const { pair } = s;
  const toCif = (f: Vec3): Vec3 => system.structure.lattice.toFractional(cell.lattice.toCartesian(f));
  const fa = cell.sites[pair.atomA].frac;
  const fb = cell.sites[pair.atomB].frac;
  const a = toCif(fa);
  const d = toCif([fb[0] + pair.image[0] - fa[0], fb[1] + pair.image[1] - fa[1], fb[2] + pair.image[2] - fa[2]]);
  return { site_a: pair.siteA, xa: round(a[0]), ya: round(a[1]), za: round(a[2]), site_b: pair.siteB, dx: round(d[0]), dy: round(d[1]), dz: round(d[2]), element_a: s.elementA, element_b: s.elementB };
}

