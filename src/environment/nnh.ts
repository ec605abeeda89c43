import type { Structure } from '../structure/structure.ts';
import { NeighborFinder } from './neighbors.ts';

export interface HistogramBin {
  /** Distance over the site's nearest-neighbour distance. */
  d_over_dmin: number;
  count: number;
}

export interface NearestNeighborHistogram {
  site: string;
  atom: number;
  dmin: number;
  /** Every neighbour distance within the cutoff (Å), ascending. */
  distances: number[];
  histogram: HistogramBin[];
}

/**
 * Nearest-neighbour histogram of atom i (Daams & Villars): all distances to
 * periodic images within `cutoff` Å, normalised by the shortest one, counted per
 * distinct distance. Distances closer than `tolerance` (in d/d_min) form one bar,
 * chained from the bar's first distance so rounding noise does not split a shell.
 */
export function nearestNeighborHistogram(
  structure: Structure,
  atom: number,
  options: { cutoff?: number; tolerance?: number; finder?: NeighborFinder } = {},
): NearestNeighborHistogram {
  const cutoff = options.cutoff ?? 8;
  const tolerance = options.tolerance ?? 0.001;
  const finder = options.finder && options.finder.cutoff >= cutoff ? options.finder : new NeighborFinder(structure, cutoff);
  const distances = finder.distances(atom, cutoff).sort((a, b) => a - b);
  const site = structure.sites[atom].label;
  if (distances.length === 0) return { site, atom, dmin: NaN, distances, histogram: [] };
  const dmin = distances[0];
  const histogram: HistogramBin[] = [];
  let start = 0;
  for (let k = 1; k <= distances.length; k++) {
    if (k === distances.length || distances[k] / dmin - distances[start] / dmin > tolerance) {
      const shell = distances.slice(start, k);
      histogram.push({ d_over_dmin: shell.reduce((s, d) => s + d, 0) / shell.length / dmin, count: k - start });
      start = k;
    }
  }
  return { site, atom, dmin, distances, histogram };
}
