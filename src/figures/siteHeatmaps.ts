// Site-pair E_DS heatmaps drawn from a predictions table (or reference energies): one square map
// per configuration, X on the first site (rows) × Y on the second (columns), every map of one call
// on one colour scale.
import { isElement, normaliseElement } from '../structure/periodicTable.ts';
import type { PredictionRow } from '../predict/table.ts';
import { InputError } from '../util/errors.ts';
import { probabilityBelow, STABILISING_PROBABILITY } from '../util/normal.ts';
import { elementRadius } from './elementColors.ts';
import { comparisonHeatmaps, differenceGrid, heatmapSvg, sortByMetallicRadius, type ComparisonSpec } from './heatmap.ts';
import { substitutionText } from './pageScripts/shared.js';
import { differenceScale, energyScale, fileStem, num, type ColorScale } from './svg.ts';

type Grid = (number | null)[][];

/** A reference (DFT) energy mapped to the enumeration's configuration ids. */
export interface ReferenceEnergy {
  config: number;
  element_a: string;
  element_b: string;
  eds: number;
  site_a?: string;
  site_b?: string;
  distance?: number;
}

export interface HeatmapOptions {
  /** Reference energies to compare with (pred | DFT | difference). */
  dft?: readonly ReferenceEnergy[];
  /** Configurations to draw; default the nearest configuration of each site-type pair. */
  config?: readonly number[];
  /** Configurations whose two atoms a space-group operation swaps; default: those with equal site labels. */
  swappable?: (config: number) => boolean;
  /** Host element of each site label; default from pristine rows, else the label's leading element symbol. */
  hosts?: Record<string, string>;
  /** One colour scale for every map (default: energyScale over every value drawn, predicted and DFT). */
  scale?: ColorScale;
  /** One scale for every difference panel (default: differenceScale over all of them). */
  diffScale?: ColorScale;
  /** Comparison layout and width to fit (see ComparisonSpec). */
  layout?: ComparisonSpec['layout'];
  maxWidth?: number;
  /** Cell size of single maps (default 42 × 24). */
  cell?: { width: number; height: number };
  /** Draw each map's colour bar (default true); off when the page draws one shared bar (colorBarSvg). */
  colorBar?: boolean;
}

export interface HeatmapFigure {
  config: number;
  title: string;
  siteA: string;
  siteB: string;
  distance: number;
  /** What the values are: model predictions or reference (DFT) energies. */
  source: 'predicted' | 'dft';
  /** Row (X on siteA) and column (Y on siteB) elements, by increasing metallic radius. */
  elements: string[];
  /** E_DS, values[r][c] for X = elements[r], Y = elements[c]; null where there is none. */
  values: Grid;
  /** 90 % interval and P(E_DS < 0), where the predictions carry them. */
  lo?: Grid;
  hi?: Grid;
  p?: Grid;
  dft?: Grid;
  /** MAE of pred − DFT over the common cells (with `dft` only). */
  mae?: { mae: number; n: number };
  /** With `dft`: the pred − DFT map on its own (cell size and colour bar as `options`), and its scale, shared by the call. */
  difference?: { svg: string; scale: ColorScale };
  /** Elements of this map that appear only in rows flagged unseen (extrapolations). */
  unseen: string[];
  /** The colour scale the map was drawn with (shared by all maps of the call). */
  scale: ColorScale;
  svg: string;
}

/** One energy of one substitution, whatever its source. */
interface Cell {
  config: number;
  site_a: string;
  element_a: string;
  site_b: string;
  element_b: string;
  distance?: number;
  value: number;
  lo?: number;
  hi?: number;
  /** P(E_DS < 0), for predictions with a distribution. */
  p?: number;
  kind?: PredictionRow['kind'];
  unseen?: boolean;
}

/**
 * P(E_DS < 0) of a prediction, the number "stabilising" is decided on (≥ STABILISING_PROBABILITY):
 * the row's p_stabilising, else from its sd (normal), else 1 or 0 by the sign of its value.
 */
/** The "stabilising" rule is the predictions stage's (heatmap outlines, lists and tables use the same). */
import { stabilisingProbability } from '../predict/predict.ts';
export { stabilisingProbability, stabilising as stabilisingRows } from '../predict/predict.ts';

/** Configurations drawn by default: for each ordered site-type pair (NbI–NbII, …) its shortest one. */
export function nearestConfigs(rows: readonly { config: number; site_a: string; site_b: string; distance?: number }[]): number[] {
  const best = new Map<string, { config: number; distance: number }>();
  for (const r of rows) {
    const key = `${r.site_a}\u0000${r.site_b}`;
    const d = r.distance ?? Infinity;
    const b = best.get(key);
    if (!b || d < b.distance - 1e-6 || (!(d > b.distance + 1e-6) && r.config < b.config)) best.set(key, { config: r.config, distance: d });
  }
  return [...best.values()].map((b) => b.config).sort((x, y) => x - y);
}

/**
 * The host element of a site label: given in `hosts`, else read off a pristine row of that site,
 * else the label's leading element symbol (NbII → Nb).
 */
export function hostElement(
  site: string,
  rows: readonly { kind?: string; site_a: string; element_a: string; site_b: string; element_b: string }[],
  hosts?: Record<string, string>,
): string | undefined {
  if (hosts?.[site]) return hosts[site];
  for (const r of rows) {
    if (r.kind !== 'pristine') continue;
    if (r.site_a === site) return r.element_a;
    if (r.site_b === site) return r.element_b;
  }
  return normaliseElement(site);
}

/** values[X][Y] from cells; a swappable pair's missing half mirrors the other (X@a,Y@b ≡ Y@a,X@b). */
function grid(elements: string[], cells: readonly { element_a: string; element_b: string; value: number | undefined }[], swappable: boolean): Grid {
  const idx = new Map(elements.map((e, k) => [e, k]));
  const g: Grid = elements.map(() => elements.map(() => null));
  for (const c of cells) if (c.value !== undefined) g[idx.get(c.element_a)!][idx.get(c.element_b)!] = c.value;
  if (swappable) for (let r = 0; r < elements.length; r++) for (let c = 0; c < r; c++) {
    g[r][c] ??= g[c][r];
    g[c][r] ??= g[r][c];
  }
  return g;
}

interface Layout {
  config: number;
  siteA: string;
  siteB: string;
  distance: number;
  hostA?: string;
  hostB?: string;
  elements: string[];
  values: Grid;
  lo?: Grid;
  hi?: Grid;
  p?: Grid;
  dft?: Grid;
  unseen: string[];
  swappable: boolean;
}

function byConfig(cells: readonly Cell[]): Map<number, Cell[]> {
  const m = new Map<number, Cell[]>();
  for (const r of cells) {
    const list = m.get(r.config);
    if (list) list.push(r);
    else m.set(r.config, [r]);
  }
  return m;
}

/** The grids of one configuration: elements by metallic radius, hosts included, the pristine cell 0. */
function layoutOf(config: number, list: Cell[], options: HeatmapOptions): Layout {
  const { site_a: siteA, site_b: siteB } = list[0];
  const distance = list.find((r) => r.distance !== undefined)?.distance ?? NaN;
  const swappable = options.swappable ? options.swappable(config) : siteA === siteB;
  const hostA = hostElement(siteA, list, options.hosts);
  const hostB = hostElement(siteB, list, options.hosts);
  const dftRows = (options.dft ?? []).filter((d) => d.config === config);
  const present = new Set<string>();
  for (const r of [...list, ...dftRows]) present.add(r.element_a).add(r.element_b);
  for (const h of [hostA, hostB]) if (h && isElement(h)) present.add(h);
  const elements = sortByMetallicRadius([...present], elementRadius);
  const values = grid(elements, list.map((r) => ({ ...r, value: r.value })), swappable);
  // The unsubstituted cell is the zero of E_DS.
  if (hostA && hostB && present.has(hostA) && present.has(hostB)) values[elements.indexOf(hostA)][elements.indexOf(hostB)] ??= 0;
  const optionalGrid = (key: 'lo' | 'hi' | 'p') => (list.some((r) => r[key] !== undefined) ? grid(elements, list.map((r) => ({ ...r, value: r[key] })), swappable) : undefined);
  const seen = new Set(list.filter((r) => !r.unseen).flatMap((r) => [r.element_a, r.element_b]));
  const unseen = elements.filter((e) => !seen.has(e) && list.some((r) => r.unseen && (r.element_a === e || r.element_b === e)));
  const dft = options.dft ? grid(elements, dftRows.map((d) => ({ ...d, value: d.eds })), swappable) : undefined;
  if (dft && hostA && hostB && present.has(hostA) && present.has(hostB)) dft[elements.indexOf(hostA)][elements.indexOf(hostB)] ??= 0;
  return { config, siteA, siteB, distance, hostA, hostB, elements, values, lo: optionalGrid('lo'), hi: optionalGrid('hi'), p: optionalGrid('p'), dft, unseen, swappable };
}

/** (row, col) of the unsubstituted cell (host, host), when both hosts are on the map. */
function pristineCell(l: Layout): [number, number] | undefined {
  const r = l.hostA ? l.elements.indexOf(l.hostA) : -1;
  const c = l.hostB ? l.elements.indexOf(l.hostB) : -1;
  return r >= 0 && c >= 0 ? [r, c] : undefined;
}

function draw(cells: readonly Cell[], options: HeatmapOptions, source: 'predicted' | 'dft'): HeatmapFigure[] {
  const groups = byConfig(cells);
  const configs = options.config ? [...options.config] : nearestConfigs(cells);
  for (const c of configs) {
    if (!groups.has(c)) throw new InputError(`config ${c} has no ${source === 'dft' ? 'reference energies' : 'predictions'} (configs present: ${[...groups.keys()].sort((x, y) => x - y).join(', ')})`);
  }
  const layouts = configs.map((c) => layoutOf(c, groups.get(c)!, options));
  // One scale for the page: every value drawn, so that equal colours mean equal energies across maps.
  const scale = options.scale ?? energyScale(...layouts.flatMap((l) => (l.dft ? [l.values, l.dft] : [l.values])));
  const diffs = layouts.map((l) => (l.dft ? differenceGrid(l.values, l.dft, pristineCell(l)) : undefined));
  const diffScale = options.diffScale ?? differenceScale(...diffs.flatMap((d) => (d ? [d.diff] : [])));
  const what = source === 'dft' ? 'DFT' : 'Predicted';
  return layouts.map((l, k) => {
    const title = `#${l.config} ${l.siteA}–${l.siteB}${Number.isFinite(l.distance) ? `, d = ${l.distance.toFixed(3)} Å` : ''}`;
    const axes = { xLabel: `Y on ${l.siteB}`, yLabel: `X on ${l.siteA}` };
    const cellName = (x: string, y: string) => substitutionText(x, l.siteA, y, l.siteB, l.hostA, l.hostB);
    const name = fileStem(`heatmap-${l.siteA}-${l.siteB}-c${l.config}`);
    const uncertainty = { lo: l.lo, hi: l.hi, p: l.p };
    const common = { config: l.config, title, siteA: l.siteA, siteB: l.siteB, distance: l.distance, source, elements: l.elements, values: l.values, ...uncertainty, unseen: l.unseen, scale };
    if (l.dft) {
      const { diff, mae, n } = diffs[k]!;
      const svg = comparisonHeatmaps({ title: `E_DS ${title}`, rows: l.elements, cols: l.elements, predicted: l.values, dft: l.dft, ...axes, ...uncertainty, cellName, scale, diffScale, exclude: pristineCell(l), layout: options.layout, maxWidth: options.maxWidth, name });
      const difference = heatmapSvg({
        title: `Predicted − DFT ${title}: MAE ${n ? `${num(mae, 3)} eV (n = ${n})` : '—'}`,
        rows: l.elements,
        cols: l.elements,
        values: diff,
        unit: 'eV',
        ...axes,
        cellName,
        scale: diffScale,
        cell: options.cell,
        colorBar: options.colorBar,
        outlineStabilising: false,
        barLabel: 'pred − DFT (eV)',
        name: `${name}-difference`,
      });
      return { ...common, dft: l.dft, mae: { mae, n }, difference: { svg: difference, scale: diffScale }, svg };
    }
    const svg = heatmapSvg({ title: `${what} E_DS ${title}`, rows: l.elements, cols: l.elements, values: l.values, ...uncertainty, unit: 'eV', ...axes, cellName, scale, cell: options.cell, colorBar: options.colorBar, name });
    return { ...common, svg };
  });
}

/**
 * One square E_DS map per configuration: X on the first site (rows) × Y on the
 * second (columns), elements ordered by metallic radius, the host elements
 * included so that single substitutions show as the host's row and column and
 * the pristine cell (host, host) reads 0. With `dft`, a pred | DFT | difference
 * comparison instead. All maps of one call share one colour scale.
 */
export function heatmapsFromPredictions(rows: readonly PredictionRow[], options: HeatmapOptions = {}): HeatmapFigure[] {
  const cells: Cell[] = rows.map((r) => ({ ...r, value: r.eds_pred, lo: r.eds_lo, hi: r.eds_hi, p: r.eds_sd === undefined && r.p_stabilising === undefined ? undefined : stabilisingProbability(r) }));
  return draw(cells, options, 'predicted');
}

/** DFT (reference) maps alone, for a structure with data and no predictions; same layout and scale rules. */
export function heatmapsFromReference(
  rows: readonly (ReferenceEnergy & { site_a: string; site_b: string })[],
  options: Omit<HeatmapOptions, 'dft' | 'diffScale' | 'layout' | 'maxWidth'> = {},
): HeatmapFigure[] {
  return draw(rows.map((r) => ({ ...r, value: r.eds })), options, 'dft');
}

/** A configuration of the enumeration, as the maps and the note about them need it. */
export interface ConfigInfo {
  config: number;
  site_a: string;
  site_b: string;
  distance: number;
}

/**
 * Why configurations have no map: the maps show each pair of sites at its nearest configuration
 * (nearestConfigs), so a configuration of the same two sites farther apart is left out and named
 * with the one drawn; a configuration without energies has nothing to draw.
 */
export function configsNotDrawn(all: readonly ConfigInfo[], drawn: readonly number[], withEnergies?: (config: number) => boolean): string {
  const shown = all.filter((c) => drawn.includes(c.config));
  const groups = new Map<string, { drawn?: ConfigInfo; left: ConfigInfo[] }>();
  const empty: ConfigInfo[] = [];
  for (const c of all) {
    if (drawn.includes(c.config)) continue;
    if (withEnergies && !withEnergies(c.config)) {
      empty.push(c);
      continue;
    }
    const twin = shown.find((d) => (d.site_a === c.site_a && d.site_b === c.site_b) || (d.site_a === c.site_b && d.site_b === c.site_a));
    const key = twin ? String(twin.config) : `${c.site_a}–${c.site_b}`;
    const g = groups.get(key) ?? { drawn: twin, left: [] };
    g.left.push(c);
    groups.set(key, g);
  }
  const d3 = (x: number) => `${x.toFixed(3)} Å`;
  const parts = [...groups.values()].map(({ drawn: d, left }) => {
    const ids = left.map((c) => `#${c.config}`).join(', ');
    const at = left.map((c) => d3(c.distance)).join(', ');
    return `${ids} ${left[0].site_a}–${left[0].site_b} (${at})${d ? `: the same two sites as #${d.config}, drawn at its shorter ${d3(d.distance)}` : ''}`;
  });
  if (empty.length) parts.push(`${empty.map((c) => `#${c.config} ${c.site_a}–${c.site_b}`).join(', ')}: no energies`);
  const head = `${all.length} site-pair configurations; ${shown.length} maps, one for each pair of sites at its shortest distance.`;
  return parts.length ? `${head} Not drawn: ${parts.join('; ')}.` : head;
}
