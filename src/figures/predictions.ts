// The predictions table (what `cescreen predict` writes) and the E_DS heatmaps
// drawn from it. One row per substitution of one pair configuration:
//   config,site_a,element_a,site_b,element_b,distance,eds_pred,kind,unseen
// A host element on its own site means "no substitution there", so single
// substitutions and the pristine cell live in the same table as the pairs.
import { readFileSync } from 'node:fs';
import { property } from '../features/elements.ts';
import { isElement, normaliseElement } from '../structure/periodicTable.ts';
import type { SitePair } from '../substitution/pairs.ts';
import { parseCsv, toCsv, type CsvTable } from '../util/csv.ts';
import { InputError } from '../util/errors.ts';
import { comparisonHeatmaps, differenceGrid, heatmapSvg, sortByMetallicRadius } from './heatmap.ts';

export type PredictionKind = 'pristine' | 'single' | 'pair';

export const PREDICTION_COLUMNS = ['config', 'site_a', 'element_a', 'site_b', 'element_b', 'distance', 'eds_pred', 'kind', 'unseen'] as const;

/** X = element_a on site_a and Y = element_b on site_b of pair `config` of an enumeration. */
export interface SubstitutionRow {
  /** Configuration id of the pair enumeration (substitutionPairs) of the cell. */
  config: number;
  site_a: string;
  element_a: string;
  site_b: string;
  element_b: string;
}

export interface PredictionRow extends SubstitutionRow {
  /** 1-based line in the file (0 for rows made in memory). */
  line: number;
  /** a–b minimum-image distance, Å. */
  distance: number;
  /** Predicted E_DS, eV per cell. */
  eds_pred: number;
  kind: PredictionKind;
  /** Some element of the row never appeared in the model's training data: an extrapolation. */
  unseen: boolean;
}

/** A reference (DFT) energy already mapped to the enumeration's configuration ids: the predictions format with `eds` for `eds_pred`. */
export interface EnergyRow extends SubstitutionRow {
  line: number;
  distance: number | null;
  eds: number;
}

const KINDS: readonly string[] = ['pristine', 'single', 'pair'];
const ENERGY_REQUIRED = ['config', 'site_a', 'element_a', 'site_b', 'element_b', 'eds'] as const;

function readTable(path: string, what: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what}: ${(e as Error).message}`, { file: path });
  }
  const table = parseCsv(text, path);
  return table;
}

function requireColumns(table: CsvTable, required: readonly string[], file: string): void {
  const missing = required.filter((c) => !table.header.includes(c));
  if (missing.length) {
    throw new InputError(`missing column(s) ${missing.join(', ')}; expected the header ${required.join(',')}`, { file, line: 1 });
  }
  if (table.rows.length === 0) throw new InputError('no data rows after the header', { file, line: 2 });
}

/** Field readers that name the file, line and column in their errors. */
/** The columns every table of substitutions shares. */
function substitutionFields(f: ReturnType<typeof fields>): SubstitutionRow {
  return { config: f.config(), site_a: f.site('site_a'), element_a: f.element('element_a'), site_b: f.site('site_b'), element_b: f.element('element_b') };
}

function fields(values: Record<string, string>, where: { file: string; line: number }) {
  const num = (col: string): number => {
    const s = values[col];
    const x = Number(s);
    if (s === '' || !Number.isFinite(x)) throw new InputError(`column ${col}: expected a number, found '${s}'`, where);
    return x;
  };
  return {
    num,
    config: (): number => {
      const x = num('config');
      if (!Number.isInteger(x) || x < 1) throw new InputError(`column config: expected a positive integer id, found '${values.config}'`, where);
      return x;
    },
    site: (col: string): string => {
      if (values[col] === '') throw new InputError(`column ${col}: empty site label`, where);
      return values[col];
    },
    element: (col: string): string => {
      if (!isElement(values[col])) throw new InputError(`column ${col}: unknown element '${values[col]}'`, where);
      return values[col];
    },
    energy: (col: string): number => {
      const x = num(col);
      if (Math.abs(x) > 1e3) throw new InputError(`column ${col}: ${x} eV is not a plausible substitution energy`, where);
      return x;
    },
  };
}

/** One configuration must keep its site labels; one substitution must appear once. */
function checkConsistent(rows: readonly { line: number; config: number; site_a: string; site_b: string; element_a: string; element_b: string }[], file: string): void {
  const sites = new Map<number, { a: string; b: string; line: number }>();
  const seen = new Map<string, number>();
  for (const r of rows) {
    const s = sites.get(r.config);
    if (!s) sites.set(r.config, { a: r.site_a, b: r.site_b, line: r.line });
    else if (s.a !== r.site_a || s.b !== r.site_b) {
      throw new InputError(`config ${r.config} is ${s.a}–${s.b} on line ${s.line} but ${r.site_a}–${r.site_b} here`, { file, line: r.line });
    }
    const key = `${r.config}:${r.element_a}:${r.element_b}`;
    const first = seen.get(key);
    if (first !== undefined) throw new InputError(`${r.element_a}@${r.site_a}, ${r.element_b}@${r.site_b} of config ${r.config} is listed twice (also on line ${first})`, { file, line: r.line });
    seen.set(key, r.line);
  }
}

/** Read a predictions CSV (the `predict` output); every problem is an InputError naming file and line. */
export function readPredictionsCsv(path: string): PredictionRow[] {
  const table = readTable(path, 'predictions');
  requireColumns(table, PREDICTION_COLUMNS, path);
  const rows = table.rows.map(({ line, values: v }): PredictionRow => {
    const where = { file: path, line };
    const f = fields(v, where);
    if (!KINDS.includes(v.kind)) throw new InputError(`column kind: expected pristine, single or pair, found '${v.kind}'`, where);
    if (v.unseen !== '0' && v.unseen !== '1') throw new InputError(`column unseen: expected 0 or 1, found '${v.unseen}'`, where);
    const distance = f.num('distance');
    if (!(distance > 0)) throw new InputError(`column distance: expected a positive distance in Å, found ${distance}`, where);
    return {
      line,
      ...substitutionFields(f),
      distance,
      eds_pred: f.energy('eds_pred'),
      kind: v.kind as PredictionKind,
      unseen: v.unseen === '1',
    };
  });
  checkConsistent(rows, path);
  return rows;
}

/**
 * Read reference energies in the predictions format with an `eds` column
 * (DFT values already mapped to the enumeration's configuration ids, as the
 * `evaluate`/`reproduce` commands write them). distance, kind and unseen are optional.
 */
export function readEnergyCsv(path: string): EnergyRow[] {
  const table = readTable(path, 'reference energies');
  if (!table.header.includes('eds') && table.header.includes('eds_eV')) {
    throw new InputError(
      "this looks like a raw DFT table (column eds_eV): its config numbers are the file's own, not the enumeration's; give a table in the predictions format with an 'eds' column",
      { file: path, line: 1 },
    );
  }
  requireColumns(table, ENERGY_REQUIRED, path);
  const hasDistance = table.header.includes('distance');
  const rows = table.rows.map(({ line, values: v }): EnergyRow => {
    const f = fields(v, { file: path, line });
    return {
      line,
      ...substitutionFields(f),
      distance: hasDistance && v.distance !== '' ? f.num('distance') : null,
      eds: f.energy('eds'),
    };
  });
  checkConsistent(rows, path);
  return rows;
}

/**
 * Reference energies must describe the configurations of the predictions they
 * are compared with: same pair id, site labels and (when given) distance within
 * 0.01 Å. Otherwise they belong to another cell or structure.
 */
export function checkSameConfigurations(reference: readonly EnergyRow[], predictions: readonly PredictionRow[], file: string): void {
  const pred = new Map(predictions.map((r) => [r.config, r]));
  for (const r of reference) {
    const p = pred.get(r.config);
    if (!p) continue;
    const sameSites = (p.site_a === r.site_a && p.site_b === r.site_b) || (p.site_a === r.site_b && p.site_b === r.site_a);
    if (!sameSites || (r.distance !== null && Math.abs(r.distance - p.distance) > 0.01)) {
      throw new InputError(
        `configuration ${r.config} is ${r.site_a}–${r.site_b}${r.distance !== null ? ` at ${r.distance.toFixed(3)} Å` : ''} here but ${p.site_a}–${p.site_b} at ${p.distance.toFixed(3)} Å in the predictions: the two tables belong to different cells or structures`,
        { file, line: r.line },
      );
    }
  }
}

/** The predictions table as CSV text (for the predict command). */
export function predictionsCsv(rows: readonly Omit<PredictionRow, 'line'>[]): string {
  return toCsv(
    [...PREDICTION_COLUMNS],
    rows.map((r) => [r.config, r.site_a, r.element_a, r.site_b, r.element_b, r.distance.toFixed(4), r.eds_pred.toFixed(6), r.kind, r.unseen ? 1 : 0]),
  );
}

/**
 * Predictions must belong to the pair enumeration they are shown with: same
 * configuration ids, site labels and distances (within 0.01 Å). Otherwise they
 * were made for another cell, supercell or --max-distance.
 */
export function checkPredictionsAgainstPairs(
  rows: readonly { line?: number; config: number; site_a: string; site_b: string; distance: number }[],
  pairs: readonly SitePair[],
  file?: string,
): void {
  const byId = new Map(pairs.map((p) => [p.id, p]));
  const hint = 'were the predictions made for another structure, --supercell or --max-distance?';
  for (const r of rows) {
    const where = { file, line: r.line || undefined };
    const p = byId.get(r.config);
    if (!p) throw new InputError(`config ${r.config} is not a pair of this structure (it has ${pairs.length}); ${hint}`, where);
    if (p.siteA !== r.site_a || p.siteB !== r.site_b || Math.abs(p.distance - r.distance) > 0.01) {
      throw new InputError(
        `config ${r.config} is ${r.site_a}–${r.site_b} at ${r.distance.toFixed(4)} Å here but ${p.siteA}–${p.siteB} at ${p.distance.toFixed(4)} Å in the structure; ${hint}`,
        where,
      );
    }
  }
}

/** Display radius for ordering and drawing: metallic radius, else covalent, else atomic (Å). */
export function elementRadius(el: string): number {
  return property(el, 'MR') ?? property(el, 'CR') ?? property(el, 'AR') ?? NaN;
}

export interface HeatmapOptions {
  /** Reference energies to compare with (pred | DFT | difference). */
  dft?: readonly { config: number; element_a: string; element_b: string; eds: number }[];
  /** Configurations to draw; default the nearest configuration of each site-type pair. */
  config?: readonly number[];
  /** Configurations whose two atoms a space-group operation swaps; default: those with equal site labels. */
  swappable?: (config: number) => boolean;
  /** Host element of each site label; default from pristine rows, else the label's leading element symbol. */
  hosts?: Record<string, string>;
}

export interface HeatmapFigure {
  config: number;
  title: string;
  siteA: string;
  siteB: string;
  distance: number;
  /** Row (X on siteA) and column (Y on siteB) elements, by increasing metallic radius. */
  elements: string[];
  /** Predicted E_DS, values[r][c] for X = elements[r], Y = elements[c]; null where not predicted. */
  values: (number | null)[][];
  dft?: (number | null)[][];
  /** MAE of pred − DFT over the common cells (with `dft` only). */
  mae?: { mae: number; n: number };
  /** Elements of this map that appear only in rows flagged unseen (extrapolations). */
  unseen: string[];
  svg: string;
}

/** Configurations drawn by default: for each ordered site-type pair (NbI–NbII, …) its shortest one. */
export function nearestConfigs(rows: readonly PredictionRow[]): number[] {
  const best = new Map<string, { config: number; distance: number }>();
  for (const r of rows) {
    const key = `${r.site_a}\u0000${r.site_b}`;
    const b = best.get(key);
    if (!b || r.distance < b.distance - 1e-6 || (Math.abs(r.distance - b.distance) <= 1e-6 && r.config < b.config)) best.set(key, { config: r.config, distance: r.distance });
  }
  return [...best.values()].map((b) => b.config).sort((x, y) => x - y);
}

function hostOf(site: string, rows: readonly PredictionRow[], hosts: Record<string, string> | undefined, end: 'a' | 'b'): string | undefined {
  if (hosts?.[site]) return hosts[site];
  const pristine = rows.find((r) => r.kind === 'pristine');
  if (pristine) return end === 'a' ? pristine.element_a : pristine.element_b;
  return normaliseElement(site);
}

/** values[X][Y] from rows; a swappable pair's missing half mirrors the other (X@a,Y@b ≡ Y@a,X@b). */
function grid(elements: string[], cells: readonly { element_a: string; element_b: string; value: number }[], swappable: boolean): (number | null)[][] {
  const idx = new Map(elements.map((e, k) => [e, k]));
  const g: (number | null)[][] = elements.map(() => elements.map(() => null));
  for (const c of cells) g[idx.get(c.element_a)!][idx.get(c.element_b)!] = c.value;
  if (swappable) for (let r = 0; r < elements.length; r++) for (let c = 0; c < r; c++) {
    g[r][c] ??= g[c][r];
    g[c][r] ??= g[r][c];
  }
  return g;
}

/**
 * One square E_DS map per configuration: X on the first site (rows) × Y on the
 * second (columns), elements ordered by metallic radius, the host elements
 * included so that single substitutions show as the host's row and column and
 * the pristine cell (host, host) reads 0. With `dft`, a pred | DFT | difference
 * comparison instead.
 */
export function heatmapsFromPredictions(rows: readonly PredictionRow[], options: HeatmapOptions = {}): HeatmapFigure[] {
  const byConfig = new Map<number, PredictionRow[]>();
  for (const r of rows) {
    const list = byConfig.get(r.config);
    if (list) list.push(r);
    else byConfig.set(r.config, [r]);
  }
  const configs = options.config ? [...options.config] : nearestConfigs(rows);
  for (const c of configs) {
    if (!byConfig.has(c)) throw new InputError(`config ${c} has no predictions (configs present: ${[...byConfig.keys()].sort((x, y) => x - y).join(', ')})`);
  }
  return configs.map((config) => {
    const list = byConfig.get(config)!;
    const { site_a: siteA, site_b: siteB, distance } = list[0];
    const swappable = options.swappable ? options.swappable(config) : siteA === siteB;
    const hostA = hostOf(siteA, list, options.hosts, 'a');
    const hostB = hostOf(siteB, list, options.hosts, 'b');
    const dftRows = (options.dft ?? []).filter((d) => d.config === config);
    const present = new Set<string>();
    for (const r of [...list, ...dftRows]) present.add(r.element_a).add(r.element_b);
    for (const h of [hostA, hostB]) if (h && isElement(h)) present.add(h);
    const elements = sortByMetallicRadius([...present], elementRadius);

    const values = grid(elements, list.map((r) => ({ element_a: r.element_a, element_b: r.element_b, value: r.eds_pred })), swappable);
    // The unsubstituted cell is the zero of E_DS.
    if (hostA && hostB && present.has(hostA) && present.has(hostB)) values[elements.indexOf(hostA)][elements.indexOf(hostB)] ??= 0;

    const seen = new Set(list.filter((r) => !r.unseen).flatMap((r) => [r.element_a, r.element_b]));
    const unseen = elements.filter((e) => !seen.has(e) && list.some((r) => r.unseen && (r.element_a === e || r.element_b === e)));
    const title = `#${config} ${siteA}–${siteB}, d = ${distance.toFixed(3)} Å`;
    const axes = { xLabel: `Y on ${siteB}`, yLabel: `X on ${siteA}` };
    if (options.dft) {
      const dft = grid(elements, dftRows.map((d) => ({ element_a: d.element_a, element_b: d.element_b, value: d.eds })), swappable);
      const { mae, n } = differenceGrid(values, dft);
      const svg = comparisonHeatmaps({ title: `E_DS ${title}`, rows: elements, cols: elements, predicted: values, dft, ...axes });
      return { config, title, siteA, siteB, distance, elements, values, dft, mae: { mae, n }, unseen, svg };
    }
    const svg = heatmapSvg({ title: `Predicted E_DS ${title}`, rows: elements, cols: elements, values, unit: 'eV', ...axes });
    return { config, title, siteA, siteB, distance, elements, values, unseen, svg };
  });
}
