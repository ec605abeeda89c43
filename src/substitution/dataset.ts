import { readFileSync } from 'node:fs';
import type { Vec3 } from '../structure/lattice.ts';
import { isElement } from '../structure/periodicTable.ts';
import { InputError } from '../util/errors.ts';
import { parseCsv } from '../util/csv.ts';
import type { PairEnumeration } from './pairs.ts';
import { canonicalSubstitution, substitutionKey, substitutionKind, type Substitution, type SubstitutionKind } from './substitution.ts';

/** One DFT energy, matched to a configuration of the enumeration. */
export interface DataRow {
  line: number;
  /** The file's own bookkeeping, kept for per-site models and honest grouping. */
  folder: string;
  fileConfig: string;
  uniqueId: string;
  kind: SubstitutionKind;
  substitution: Substitution;
  /** Canonical key: rows with equal keys are the same physical substitution. */
  key: string;
  eds: number;
}

export interface DataSet {
  file: string;
  rows: DataRow[];
}

const REQUIRED = ['site_a', 'site_b', 'xa', 'ya', 'za', 'dx', 'dy', 'dz', 'element_a', 'element_b', 'eds_eV'];

/**
 * Read a substitution-energy table (columns as in structures/alpha-Nb5Si3/eds.csv)
 * and match every row to a site-pair configuration by its site labels and
 * positions: atom a at (xa, ya, za), atom b at a + (dx, dy, dz), both in the
 * enumeration's cell.
 */
export function loadDataset(path: string, enumeration: PairEnumeration, text?: string): DataSet {
  let content: string;
  try {
    content = text ?? readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read data set: ${(e as Error).message}`, { file: path });
  }
  const table = parseCsv(content, path);
  const missing = REQUIRED.filter((c) => !table.header.includes(c));
  if (missing.length) throw new InputError(`missing column(s) ${missing.join(', ')}; expected ${REQUIRED.join(', ')}`, { file: path, line: 1 });
  if (table.rows.length === 0) throw new InputError('no data rows after the header', { file: path, line: 2 });

  const cell = enumeration.cell;
  const labels = new Set(cell.labels());
  const rows = table.rows.map(({ line, values: v }): DataRow => {
    const where = { file: path, line };
    const num = (col: string): number => {
      const x = Number(v[col]);
      if (v[col] === '' || !Number.isFinite(x)) throw new InputError(`column ${col}: expected a number, found '${v[col]}'`, where);
      return x;
    };
    for (const col of ['site_a', 'site_b'])
      if (!labels.has(v[col])) throw new InputError(`column ${col}: site '${v[col]}' is not in the structure (sites: ${[...labels].join(', ')})`, where);
    for (const col of ['element_a', 'element_b'])
      if (!isElement(v[col])) throw new InputError(`column ${col}: unknown element '${v[col]}'`, where);
    const eds = num('eds_eV');
    if (Math.abs(eds) > 1e3) throw new InputError(`column eds_eV: ${eds} eV is not a plausible substitution energy`, where);
    const fa: Vec3 = [num('xa'), num('ya'), num('za')];
    const fb: Vec3 = [fa[0] + num('dx'), fa[1] + num('dy'), fa[2] + num('dz')];
    const a = atomAt(enumeration, fa);
    const b = atomAt(enumeration, fb);
    if (a === undefined || b === undefined) throw new InputError(`no atom of the structure at site ${a === undefined ? 'a' : 'b'} of this row`, where);
    if (cell.sites[a].label !== v.site_a || cell.sites[b].label !== v.site_b) {
      throw new InputError(`positions are sites ${cell.sites[a].label}, ${cell.sites[b].label} but the row says ${v.site_a}, ${v.site_b}`, where);
    }
    const config = enumeration.configOf(a, b);
    if (!config) throw new InputError(`atoms ${a} and ${b} form no configuration of the enumeration (farther apart than its maximum distance?)`, where);
    const pair = enumeration.pairs[config.id - 1];
    const [x, y] = config.reversed ? [v.element_b, v.element_a] : [v.element_a, v.element_b];
    const substitution = canonicalSubstitution(pair, x, y);
    return {
      line,
      folder: v.folder ?? '',
      fileConfig: v.config ?? '',
      uniqueId: v.unique_id ?? '',
      kind: substitutionKind(enumeration, substitution),
      substitution,
      key: substitutionKey(substitution),
      eds,
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
  dropped: { line: number; reason: string }[];
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
  const dropped: { line: number; reason: string }[] = [];
  for (const r of ds.rows) {
    if (r.kind === 'pristine') dropped.push({ line: r.line, reason: `pristine cell (listed ${r.eds} eV)` });
    else if (pristineEnergy !== null && Math.abs(r.eds - pristineEnergy) < 1e-6)
      dropped.push({ line: r.line, reason: `${r.key} carries the pristine energy ${pristineEnergy} eV (transposed entry)` });
    else rows.push(r);
  }
  return { rows, dropped, pristineEnergy };
}

/** One physical substitution: the median energy of the rows with its canonical key. */
export interface Sample {
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
  return { key: r.key, substitution: r.substitution, kind: r.kind, eds: r.eds, lines: [r.line], folders: [r.folder], uniqueIds: [r.uniqueId] };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
