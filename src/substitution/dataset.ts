import type { Vec3 } from '../structure/lattice.ts';
import type { Structure } from '../structure/structure.ts';
import { InputError } from '../util/errors.ts';
import { elementColumn } from '../structure/periodicTable.ts';
import { columns, energyColumn, optional, readTable } from '../util/table.ts';
import type { PairEnumeration } from './pairs.ts';
import { calculationKey, canonicalSubstitution, substitutionKind, type Substitution, type SubstitutionKind } from './substitution.ts';

/** One DFT energy, matched to a configuration of the enumeration. */
export interface DataRow {
  /** The cell (and its pair enumeration) the energy was computed in. */
  enumeration: PairEnumeration;
  /** Which data set of several the row came from ('' when there is one): site labels are only unique within it. */
  phase: string;
  line: number;
  /** The file's own bookkeeping, kept for per-site models and honest grouping. */
  folder: string;
  fileConfig: string;
  uniqueId: string;
  kind: SubstitutionKind;
  substitution: Substitution;
  /** Rows with equal keys are one physical calculation (`calculationKey`: a single substitution is one calculation whichever pair lists it). */
  key: string;
  eds: number;
  /** The largest move of an atom in the relaxation (Å), when the engine reported it. */
  maxDisplacement?: number;
}

/**
 * A calculation in which an atom moved farther than this (Å) relaxed into another arrangement than
 * the one its row names (a substituted atom left its site): it is set aside. Engine data: the
 * displacements of 3386 calculations of 9 phases are ≤ 0.5 Å except 25 of B2 NiAl at 1.0–2.7 Å
 * (Fe on a Ni site beside a substituted Al site: antisite rearrangements).
 */
export const MAX_SITE_DISPLACEMENT = 1;

/** Why a calculation whose atoms moved this far is set aside (another arrangement than its key names), else undefined. */
export const relaxedAway = (maxDisplacement: number | undefined): string | undefined =>
  (maxDisplacement ?? 0) > MAX_SITE_DISPLACEMENT ? `relaxed away from its sites (an atom moved ${maxDisplacement} Å > ${MAX_SITE_DISPLACEMENT} Å)` : undefined;

export interface DataSet {
  file: string;
  rows: DataRow[];
}

const position = <N extends string>(name: N, what: string) => columns.number(name, what, { unit: 'fraction' });

/** The data-set format: one DFT energy per row, its two sites given by label and position. */
export const DATASET_COLUMNS = [
  columns.text('site_a', 'label of the first substituted site (as in the CIF)', { what: 'site label' }),
  position('xa', 'fractional x of site a'),
  position('ya', 'fractional y of site a'),
  position('za', 'fractional z of site a'),
  columns.text('site_b', 'label of the second site', { what: 'site label' }),
  position('dx', 'fractional vector from a to b, x (b = a + d)'),
  position('dy', 'fractional vector from a to b, y'),
  position('dz', 'fractional vector from a to b, z'),
  elementColumn('element_a', 'element on site a (its host element: unsubstituted)'),
  elementColumn('element_b', 'element on site b'),
  energyColumn('eds_eV', 'DFT double-substitution energy E_DS per cell'),
  optional(columns.text('folder', "the source's own sub-set (per-site models of the literature)")),
  optional(columns.text('config', "the source's own configuration number (kept, not used)")),
  optional(columns.text('unique_id', "the source's own id of the calculation (kept, not used)")),
  optional(columns.number('max_displacement', `largest move of an atom in the relaxation (an engine's; rows above ${MAX_SITE_DISPLACEMENT} Å are set aside)`, { unit: 'Å' })),
] as const;

/** Which cell the positions of a data set are fractions of: the CIF's (default) or the periodic (super)cell of the calculations. */
export type PositionFrame = 'cell' | 'supercell';

/**
 * Read a substitution-energy table (columns as in structures/alpha-Nb5Si3/eds.csv)
 * and match every row to a site-pair configuration by its site labels and
 * positions: atom a at (xa, ya, za), atom b at a + (dx, dy, dz), as fractions of
 * the CIF cell `structure` (or, with frame 'supercell', of the enumeration's cell).
 */
export function loadDataset(path: string, enumeration: PairEnumeration, o: { text?: string; structure?: Structure; frame?: PositionFrame; energyOptional?: boolean } = {}): DataSet {
  return matchDataset(readDataset(path, o), enumeration, o);
}

/** The rows of a data-set file, read and checked column by column (within the table limits) but not yet matched to a cell. */
export function readDataset(path: string, o: { text?: string; energyOptional?: boolean } = {}) {
  // a manifest of calculations still to run has no energies yet
  const cols = o.energyOptional ? DATASET_COLUMNS.map((c) => (c.name === 'eds_eV' ? optional(c) : c)) : DATASET_COLUMNS;
  return readTable(path, cols as typeof DATASET_COLUMNS, 'data set', { text: o.text });
}

/** Rows of a data set matched to the pair configurations of a cell (see loadDataset). */
export function matchDataset(table: ReturnType<typeof readDataset>, enumeration: PairEnumeration, o: { structure?: Structure; frame?: PositionFrame } = {}): DataSet {
  const path = table.file;
  const cell = enumeration.cell;
  const frame = o.structure && o.frame !== 'supercell' ? 'cell' : 'supercell';
  const toCell = (f: Vec3): Vec3 => (frame === 'cell' ? cell.lattice.toFractional(o.structure!.lattice.toCartesian(f)) : f);
  const frameHint =
    frame === 'cell'
      ? 'positions are read as fractions of the CIF cell; if they are fractions of the --supercell cell, add --positions supercell'
      : 'positions are read as fractions of the --supercell cell; if they are fractions of the CIF cell, leave out --positions supercell';
  const labels = new Set(cell.labels());
  const rows = table.rows.map((v, k): DataRow => {
    const line = table.lines[k];
    const where = { file: path, line };
    for (const col of ['site_a', 'site_b'] as const)
      if (!labels.has(v[col])) throw new InputError(`column ${col}: site '${v[col]}' is not in the structure (sites: ${[...labels].join(', ')})`, where);
    const fa: Vec3 = [v.xa, v.ya, v.za];
    const fb: Vec3 = [fa[0] + v.dx, fa[1] + v.dy, fa[2] + v.dz];
    const a = atomAt(enumeration, toCell(fa));
    const b = atomAt(enumeration, toCell(fb));
    if (a === undefined || b === undefined) {
      const f = a === undefined ? fa : fb;
      throw new InputError(`no atom of the structure at site ${a === undefined ? 'a' : 'b'} (${f.map((x) => x.toFixed(4)).join(', ')}) of this row (${frameHint})`, where);
    }
    if (cell.sites[a].label !== v.site_a || cell.sites[b].label !== v.site_b) {
      throw new InputError(`positions are sites ${cell.sites[a].label}, ${cell.sites[b].label} but the row says ${v.site_a}, ${v.site_b}`, where);
    }
    const config = enumeration.configOf(a, b);
    if (!config) {
      const d = cell.lattice.minimumImage([cell.sites[b].frac[0] - cell.sites[a].frac[0], cell.sites[b].frac[1] - cell.sites[a].frac[1], cell.sites[b].frac[2] - cell.sites[a].frac[2]]).distance;
      throw new InputError(`sites a and b are ${d.toFixed(3)} Å apart (nearest image), beyond the largest pair distance of the enumeration: raise --max-distance, or check the positions (${frameHint})`, where);
    }
    const pair = enumeration.pairs[config.id - 1];
    const [x, y] = config.reversed ? [v.element_b, v.element_a] : [v.element_a, v.element_b];
    const substitution = canonicalSubstitution(pair, x, y);
    return {
      enumeration,
      phase: '',
      line,
      folder: v.folder ?? '',
      fileConfig: v.config ?? '',
      uniqueId: v.unique_id ?? '',
      maxDisplacement: v.max_displacement,
      kind: substitutionKind(enumeration, substitution),
      substitution,
      key: calculationKey(enumeration, substitution),
      eds: v.eds_eV ?? NaN,
    };
  });
  return { file: path, rows };
}

function atomAt(enumeration: PairEnumeration, f: Vec3): number | undefined {
  const cell = enumeration.cell;
  for (let i = 0; i < cell.length; i++) {
    if (cell.lattice.minimumImage([cell.sites[i].frac[0] - f[0], cell.sites[i].frac[1] - f[1], cell.sites[i].frac[2] - f[2]]).distance < 0.02) return i;
  }
  return undefined;
}

export interface CleanedDataSet {
  rows: DataRow[];
  /** Rows set aside: their line, why in one phrase (for counts), and in full. */
  dropped: { line: number; cause: string; reason: string }[];
  /** The most common energy of the rows that leave the cell unsubstituted (the data's numerical zero). */
  pristineEnergy: number | null;
}

/**
 * Rows a model should learn from. Pristine rows go (no substitution is zero
 * energy by construction), and so do substitutions carrying exactly the
 * pristine energy: the source transposed the pristine cell and the double
 * antisite in its duplicated geometries (see the data set's README).
 */
export function cleanDataset(ds: DataSet): CleanedDataSet {
  const pristine = ds.rows.filter((r) => r.kind === 'pristine').map((r) => r.eds);
  const counts = new Map<number, number>();
  for (const e of pristine) counts.set(e, (counts.get(e) ?? 0) + 1);
  const pristineEnergy = pristine.length ? [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0] : null;
  const rows: DataRow[] = [];
  const dropped: CleanedDataSet['dropped'] = [];
  for (const r of ds.rows) {
    if (r.kind === 'pristine') dropped.push({ line: r.line, cause: 'pristine cell (zero by construction)', reason: `pristine cell (listed ${r.eds} eV)` });
    else if (pristineEnergy !== null && Math.abs(r.eds - pristineEnergy) < 1e-6)
      dropped.push({ line: r.line, cause: 'transposed with the pristine energy', reason: `${r.key} carries the pristine energy ${pristineEnergy} eV (transposed entry)` });
    else if (relaxedAway(r.maxDisplacement)) dropped.push({ line: r.line, cause: 'relaxed away from its sites', reason: `${r.key} ${relaxedAway(r.maxDisplacement)}` });
    else rows.push(r);
  }
  return { rows, dropped, pristineEnergy };
}

/** One physical calculation: the median energy of the rows with its key; a single substitution keeps the first pair that lists it. */
export interface Sample {
  enumeration: PairEnumeration;
  phase: string;
  key: string;
  substitution: Substitution;
  kind: SubstitutionKind;
  eds: number;
  lines: number[];
  folders: string[];
  uniqueIds: string[];
}

export function collapseByKey(rows: DataRow[]): Sample[] {
  const groups = new Map<string, DataRow[]>();
  for (const r of rows) {
    const g = groups.get(r.key);
    if (g) g.push(r);
    else groups.set(r.key, [r]);
  }
  return [...groups.values()].map((g) => ({
    enumeration: g[0].enumeration,
    phase: g[0].phase,
    key: g[0].key,
    substitution: g[0].substitution,
    kind: g[0].kind,
    eds: median(g.map((r) => r.eds)),
    lines: g.map((r) => r.line),
    folders: [...new Set(g.map((r) => r.folder))],
    uniqueIds: [...new Set(g.map((r) => r.uniqueId))],
  }));
}

export function rowSample(r: DataRow): Sample {
  return { enumeration: r.enumeration, phase: r.phase, key: r.key, substitution: r.substitution, kind: r.kind, eds: r.eds, lines: [r.line], folders: [r.folder], uniqueIds: [r.uniqueId] };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rows of one calculation whose energies differ by more than this (eV) disagree: beyond DFT's numerical noise. */
export const CONFLICT_EV = 0.1;

/** A calculation listed on rows whose energies disagree: its lowest and highest row. */
export interface ConflictingCalculation {
  /** e.g. 'B@NbI + Mo@SiII (pair 9)'. */
  calculation: string;
  rows: number;
  low: { line: number; eds: number };
  high: { line: number; eds: number };
  spread: number;
}

/** Calculations listed on several rows whose energies disagree by more than `limit`, largest spread first. */
export function conflictingCalculations(rows: readonly DataRow[], limit = CONFLICT_EV): ConflictingCalculation[] {
  const groups = new Map<string, DataRow[]>();
  for (const r of rows) groups.set(r.key, [...(groups.get(r.key) ?? []), r]);
  const out: ConflictingCalculation[] = [];
  for (const g of groups.values()) {
    const sorted = [...g].sort((a, b) => a.eds - b.eds);
    const [low, high] = [sorted[0], sorted[sorted.length - 1]];
    if (high.eds - low.eds <= limit) continue;
    const { pair, elementA, elementB } = low.substitution;
    out.push({
      calculation: `${elementA}@${pair.siteA} + ${elementB}@${pair.siteB} (pair ${pair.id})`,
      rows: g.length,
      low: { line: low.line, eds: low.eds },
      high: { line: high.line, eds: high.eds },
      spread: high.eds - low.eds,
    });
  }
  return out.sort((a, b) => b.spread - a.spread);
}

/** How many physical calculations rows hold, and how many disagree with themselves. */
export function calculationStats(rows: readonly DataRow[], spreadLimit = CONFLICT_EV): { rows: number; calculations: number; duplicated: number; inconsistent: number; largestSpread: number } {
  const groups = new Map<string, number[]>();
  for (const r of rows) groups.set(r.key, [...(groups.get(r.key) ?? []), r.eds]);
  const spreads = [...groups.values()].map((e) => Math.max(...e) - Math.min(...e));
  return {
    rows: rows.length,
    calculations: groups.size,
    duplicated: [...groups.values()].filter((e) => e.length > 1).length,
    inconsistent: spreads.filter((s) => s > spreadLimit).length,
    largestSpread: Math.max(0, ...spreads),
  };
}
