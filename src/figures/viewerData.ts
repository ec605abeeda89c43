// What the viewer shows, computed from the real crystal analysis: the atoms of
// the cell (or supercell), the atomic environment of every atom (AET shell,
// polygonal hull faces, nearest ideal polyhedron, NNH), and the symmetry-
// distinct substitution pairs with their predictions.
import { atomicEnvironment } from '../environment/aet.ts';
import { NeighborFinder } from '../environment/neighbors.ts';
import { nearestNeighborHistogram, type NearestNeighborHistogram } from '../environment/nnh.ts';
import type { Mat3, Vec3 } from '../structure/lattice.ts';
import type { Structure } from '../structure/structure.ts';
import { supercell as makeSupercell } from '../structure/supercell.ts';
import { substitutionPairs, type SitePair } from '../substitution/pairs.ts';
import { checkPredictionsAgainstPairs } from '../predict/table.ts';
import { elementRadius } from './elementColors.ts';
import { shellFaces, type ViewerData, type ViewerEnvironment, type ViewerPrediction } from './viewer.ts';

export interface ViewerDataOptions {
  title: string;
  /** Supercell to show (and enumerate pairs in): '2x2x1' or an integer matrix. */
  supercell?: string | Mat3;
  /** Pairs up to this minimum-image distance, Å (default 3.6, the α-Nb5Si3 study's range). */
  maxDistance?: number;
  /** Predictions for the pairs of this cell (ids of substitutionPairs with the same maxDistance). */
  predictions?: readonly ViewerPrediction[];
  /** File and lines the predictions came from, for error messages. */
  predictionsSource?: { file: string; lines: number[] };
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
  const maxDistance = options.maxDistance ?? 3.6;
  const nnhCutoff = options.nnhCutoff ?? 8;
  const enumeration = substitutionPairs(cell, { maxDistance, symprec: options.symprec });
  const { symmetry } = enumeration;

  const atoms = cell.sites.map((s, i) => ({ index: i, element: s.element, label: s.label, cart: [...cell.cartesian(i)] as V3, radius: elementRadius(s.element) }));

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

  let predictions: ViewerPrediction[] | undefined;
  if (options.predictions) {
    checkPredictionsAgainstPairs(options.predictions, enumeration.pairs, options.predictionsSource);
    predictions = completePredictions(options.predictions, enumeration.pairs, cell);
  }

  return {
    title: options.title,
    lattice: cell.lattice.matrix.map((r) => [...r]) as [V3, V3, V3],
    atoms,
    environments,
    pairs,
    ...(predictions ? { predictions } : {}),
    ...(options.heatmaps ? { heatmaps: options.heatmaps } : {}),
    ...(options.notes ? { notes: options.notes } : {}),
  };
}

function histogramBins(h: NearestNeighborHistogram): { d_over_dmin: number; count: number }[] {
  return h.histogram.map((b) => ({ d_over_dmin: b.d_over_dmin, count: b.count }));
}

/**
 * The page looks predictions up by (config, X, Y) exactly, so give it both
 * orders of a swappable pair (X@a,Y@b ≡ Y@a,X@b; predict writes one) and the
 * pristine cell, zero by definition.
 */
function completePredictions(rows: readonly ViewerPrediction[], pairs: readonly SitePair[], cell: Structure): ViewerPrediction[] {
  const strip = ({ config, site_a, element_a, site_b, element_b, distance, eds_pred, kind, unseen }: ViewerPrediction): ViewerPrediction => ({
    config, site_a, element_a, site_b, element_b, distance, eds_pred, kind, unseen,
  });
  const out = rows.map(strip);
  const have = new Set(out.map((r) => `${r.config}:${r.element_a}:${r.element_b}`));
  const pairById = new Map(pairs.map((p) => [p.id, p]));
  const push = (r: ViewerPrediction) => {
    const k = `${r.config}:${r.element_a}:${r.element_b}`;
    if (have.has(k)) return;
    have.add(k);
    out.push(r);
  };
  for (const r of rows) {
    if (pairById.get(r.config)!.swappable) push({ ...strip(r), element_a: r.element_b, element_b: r.element_a });
  }
  for (const id of new Set(rows.map((r) => r.config))) {
    const p = pairById.get(id)!;
    push({ config: id, site_a: p.siteA, element_a: cell.sites[p.atomA].element, site_b: p.siteB, element_b: cell.sites[p.atomB].element, distance: p.distance, eds_pred: 0, kind: 'pristine', unseen: false });
  }
  return out.sort((x, y) => x.config - y.config);
}
