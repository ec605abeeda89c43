// What the viewer shows, computed from the real crystal analysis: the atoms of
// the cell (or supercell), the atomic environment of every atom (AET shell,
// polygonal hull faces, nearest ideal polyhedron, NNH), the symmetry-distinct
// substitution pairs with their predictions and/or reference (DFT) energies,
// and the heatmaps of those energies on one shared colour scale.
import { atomicEnvironment } from '../environment/aet.ts';
import { NeighborFinder } from '../environment/neighbors.ts';
import { nearestNeighborHistogram, type NearestNeighborHistogram } from '../environment/nnh.ts';
import { ALLOYING_ELEMENTS } from '../features/elements.ts';
import type { Mat3, Vec3 } from '../structure/lattice.ts';
import { SYMBOLS } from '../structure/periodicTable.ts';
import type { Structure } from '../structure/structure.ts';
import { supercell as makeSupercell } from '../structure/supercell.ts';
import { substitutionPairs, type SitePair } from '../substitution/pairs.ts';
import { checkPredictionsAgainstPairs } from '../predict/table.ts';
import { elementRadius } from './elementColors.ts';
import { heatmapsFromPredictions, heatmapsFromReference, type HeatmapFigure } from './siteHeatmaps.ts';
import { COMPACT_CELL } from './heatmap.ts';
import { shellFaces, type ViewerData, type ViewerEnvironment, type ViewerPrediction, type ViewerReference } from './viewer.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { ENVIRONMENT_PARAMS } from '../environment/params.ts';

export interface ViewerDataOptions {
  title: string;
  /** Supercell to show (and enumerate pairs in): '2x2x1' or an integer matrix. */
  supercell?: string | Mat3;
  /** Pairs up to this minimum-image distance, Å (default: the pair enumeration's, SYSTEM_PARAMS.maxDistance). */
  maxDistance?: number;
  /** Predictions for the pairs of this cell (ids of substitutionPairs with the same maxDistance). */
  predictions?: readonly ViewerPrediction[];
  /** File and lines the predictions came from, for error messages. */
  predictionsSource?: { file: string; lines: number[] };
  /** Reference (DFT) energies for the pairs of this cell: the predictions' row shape with `eds`. */
  reference?: readonly ViewerReference[];
  referenceSource?: { file: string; lines: number[] };
  /**
   * Heatmaps for the side panel. Default: drawn here from the predictions (else from the reference
   * energies), one per site-type pair, on one colour scale with one shared colour bar.
   */
  heatmaps?: ViewerData['heatmaps'];
  notes?: string;
  /** NNH cutoff, Å (default 8, as `cescreen nnh`). */
  nnhCutoff?: number;
  symprec?: number;
}

type V3 = [number, number, number];
const add3 = (a: Vec3, b: Vec3): V3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];

/**
 * Everything the viewer page needs for `structure`. Each atom gets its own AET
 * shell and faces (shell order differs between equivalent atoms); the ideal-
 * polyhedron match (a shape-measure search, milliseconds) and the NNH are
 * computed once per symmetry orbit and shared by its atoms.
 */
export function buildViewerData(structure: Structure, options: ViewerDataOptions): ViewerData {
  const cell = options.supercell ? makeSupercell(structure, options.supercell) : structure;
  const maxDistance = options.maxDistance ?? SYSTEM_PARAMS.maxDistance.default;
  const nnhCutoff = options.nnhCutoff ?? ENVIRONMENT_PARAMS.cutoff.default;
  const enumeration = substitutionPairs(cell, { maxDistance, symprec: options.symprec });
  const { symmetry } = enumeration;

  const atoms = cell.sites.map((s, i) => ({
    index: i,
    element: s.element,
    label: s.label,
    cart: [...cell.cartesian(i)] as V3,
    frac: [...s.frac] as V3,
    radius: elementRadius(s.element),
  }));

  // One finder for every query: AET shells reach ≈ 2.6 d_min (< 8 Å in intermetallics) and the NNH 8 Å.
  const finder = new NeighborFinder(cell, nnhCutoff);
  const perOrbit = symmetry.orbits.map((o) => {
    const rep = o.atoms[0];
    return {
      wyckoff: `${o.multiplicity}${o.wyckoff}`,
      ideal: atomicEnvironment(cell, rep, { finder }).ideal,
      nnh: nearestNeighborHistogram(cell, rep, { cutoff: nnhCutoff, finder }),
    };
  });

  const environments: ViewerEnvironment[] = atoms.map((a) => {
    const orbit = perOrbit[symmetry.orbitOf[a.index]];
    const env = atomicEnvironment(cell, a.index, { finder, identifyIdeal: false });
    const ideal = orbit.ideal ? { name: orbit.ideal.name, code: orbit.ideal.code, deviation: orbit.ideal.deviation } : null;
    return {
      atom: a.index,
      label: a.label,
      wyckoff: orbit.wyckoff,
      cn: env.cn,
      gap: env.gap,
      code: env.code,
      volume: env.volume,
      ideal,
      shell: env.shell.map((s) => ({ element: s.element, label: s.site, distance: s.distance, cart: add3(a.cart, s.vector) })),
      histogram: histogramBins(orbit.nnh),
      dmin: env.dmin,
      // Faces from the shell vectors (centred on the atom): the polyhedron.ts hull, 15° face merging.
      faces: shellFaces(env.shell.map((s) => s.vector)),
    };
  });

  const pairs = enumeration.pairs.map((p) => ({
    id: p.id,
    site_a: p.siteA,
    site_b: p.siteB,
    atom_a: p.atomA,
    atom_b: p.atomB,
    cart_b: [...cell.lattice.toCartesian(add3(p.fracB, p.image))] as V3,
    distance: p.distance,
    swappable: p.swappable,
  }));
  const hosts = Object.fromEntries(atoms.map((a) => [a.label, a.element]));

  let predictions: ViewerPrediction[] | undefined;
  if (options.predictions) {
    checkPredictionsAgainstPairs(options.predictions, enumeration.pairs, options.predictionsSource);
    predictions = completeRows(options.predictions, enumeration.pairs, cell, (p, r) => ({ ...r, eds_pred: 0, kind: 'pristine', unseen: false, distance: p.distance }));
  }
  let reference: ViewerReference[] | undefined;
  if (options.reference) {
    const pairOf = new Map(enumeration.pairs.map((p) => [p.id, p]));
    // Reference tables may omit the distance: then only the configuration id and site labels are checked.
    checkPredictionsAgainstPairs(
      options.reference.map((r) => ({ ...r, distance: r.distance ?? pairOf.get(r.config)?.distance ?? NaN })),
      enumeration.pairs,
      options.referenceSource,
    );
    reference = completeRows(options.reference, enumeration.pairs, cell, (p, r) => ({ ...r, eds: 0, distance: p.distance }));
  }

  let heatmaps = options.heatmaps;
  let heatmapScale: ViewerData['heatmapScale'];
  if (!heatmaps && (predictions || reference)) {
    const swappable = (id: number) => pairs.find((p) => p.id === id)?.swappable ?? false;
    const common = { swappable, hosts, cell: COMPACT_CELL, colorBar: false };
    // The caller's rows (not the completed ones): the maps mirror swappable pairs themselves.
    const figures: HeatmapFigure[] = options.predictions
      ? heatmapsFromPredictions(options.predictions.map((r) => ({ ...r, kind: r.kind ?? 'pair', unseen: r.unseen ?? false })), common)
      : heatmapsFromReference(options.reference!.map((r) => ({ ...r, distance: r.distance ?? pairs.find((p) => p.id === r.config)?.distance })), common);
    heatmaps = figures.map((h) => ({ config: h.config, title: `${h.source === 'dft' ? 'DFT' : 'Predicted'} ${h.title}`, svg: h.svg }));
    heatmapScale = figures[0]?.scale;
  }

  return {
    title: options.title,
    lattice: cell.lattice.matrix.map((r) => [...r]) as [V3, V3, V3],
    cellParameters: cell.lattice.parameters,
    atoms,
    environments,
    pairs,
    hosts,
    elementChoices: elementChoices(atoms.map((a) => a.element), [...(predictions ?? []), ...(reference ?? [])]),
    ...(predictions ? { predictions } : {}),
    ...(reference ? { reference } : {}),
    ...(heatmaps ? { heatmaps } : {}),
    ...(heatmapScale ? { heatmapScale } : {}),
    ...(options.notes ? { notes: options.notes } : {}),
  };
}

/**
 * The elements offered for X and Y: those with energies first, then the hosts and the alloying
 * elements of the α data set, then every other element up to Pu (Z = 94, the property table's
 * range for imputation), so any substitution can be drawn and exported.
 */
function elementChoices(hostElements: readonly string[], rows: readonly { element_a: string; element_b: string }[]): string[] {
  const first = new Set<string>();
  for (const r of rows) first.add(r.element_a).add(r.element_b);
  return [...new Set([...[...first].sort(), ...hostElements, ...ALLOYING_ELEMENTS, ...SYMBOLS.slice(1, 95)])];
}

function histogramBins(h: NearestNeighborHistogram): { d_over_dmin: number; count: number }[] {
  return h.histogram.map((b) => ({ d_over_dmin: b.d_over_dmin, count: b.count }));
}

/**
 * The page looks energies up by (config, X, Y) exactly, so give it both
 * orders of a swappable pair (X@a,Y@b ≡ Y@a,X@b; predict writes one) and the
 * pristine cell, zero by definition.
 */
function completeRows<R extends { config: number; element_a: string; element_b: string }>(
  rows: readonly R[],
  pairs: readonly SitePair[],
  cell: Structure,
  pristine: (pair: SitePair, base: R) => R,
): R[] {
  const out = rows.map((r) => ({ ...r }));
  const have = new Set(out.map((r) => `${r.config}:${r.element_a}:${r.element_b}`));
  const pairById = new Map(pairs.map((p) => [p.id, p]));
  const push = (r: R) => {
    const k = `${r.config}:${r.element_a}:${r.element_b}`;
    if (have.has(k)) return;
    have.add(k);
    out.push(r);
  };
  for (const r of rows) {
    if (pairById.get(r.config)!.swappable) push({ ...r, element_a: r.element_b, element_b: r.element_a });
  }
  const firstOf = new Map<number, R>();
  for (const r of rows) if (!firstOf.has(r.config)) firstOf.set(r.config, r);
  for (const [id, r] of firstOf) {
    const p = pairById.get(id)!;
    const base = { ...r, element_a: cell.sites[p.atomA].element, element_b: cell.sites[p.atomB].element };
    // Keep only the identifying fields of the base row: interval and flags do not carry over to the pristine cell.
    for (const k of ['eds_sd', 'eds_lo', 'eds_hi', 'domain', 'out_of_domain', 'p_stabilising'] as const) delete (base as Record<string, unknown>)[k];
    push(pristine(p, base));
  }
  return out.sort((x, y) => x.config - y.config);
}
