// Site-pair E_DS heatmaps drawn from a predictions table: one square map per
// configuration, X on the first site (rows) × Y on the second (columns).
import { isElement, normaliseElement } from '../structure/periodicTable.ts';
import type { PredictionRow } from '../predict/table.ts';
import { InputError } from '../util/errors.ts';
import { elementRadius } from './elementColors.ts';
import { comparisonHeatmaps, differenceGrid, heatmapSvg, sortByMetallicRadius } from './heatmap.ts';

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
