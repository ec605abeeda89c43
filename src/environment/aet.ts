import type { Vec3 } from '../structure/lattice.ts';
import type { Structure } from '../structure/structure.ts';
import { NeighborFinder, nearestDistance, type Neighbor } from './neighbors.ts';
import { convexHull, topologicalCode, nearestIdealPolyhedron } from './polyhedron.ts';
import { InputError } from '../util/errors.ts';

export interface ShellAtom {
  index: number;
  element: string;
  site: string;
  distance: number;
  /** Integer cell translation of the neighbour's image. */
  image: Vec3;
  /** Cartesian vector from the centre, Å. */
  vector: Vec3;
}

export interface IdealMatch {
  name: string;
  code: string;
  /** Continuous shape measure S (0 = ideal, SHAPE's 0–100 scale). */
  deviation: number;
  rmsd: number;
}

export interface ShellCandidate {
  cn: number;
  /** (d_{cn+1} − d_cn) / d_min: the distance gap that closes this shell. */
  gap: number;
  valid: boolean;
  /** Why a candidate failed the convex-volume rule. */
  reason?: 'flat' | 'centre-outside' | 'atom-inside';
}

export interface AtomicEnvironment {
  atom: number;
  site: string;
  element: string;
  cn: number;
  gap: number;
  dmin: number;
  /** Hull volume of the shell, Å³. */
  volume: number;
  code: string;
  ideal: IdealMatch | null;
  shell: ShellAtom[];
  /** The candidates tested, widest gap first; the last is the AET. */
  candidates: ShellCandidate[];
}

export interface AetOptions {
  /** Candidate shells end no farther than this multiple of d_min (Daams & Villars look to about 2 d_min). */
  maxRatio?: number;
  /** Distances closer than this fraction of d_min belong to one shell (never split a shell in two). */
  shellTolerance?: number;
  /** Angle (deg) below which adjacent hull triangles count as one face for the topological code. */
  angleTolerance?: number;
  /** Skip the shape-measure search (it costs a few ms per site). */
  identifyIdeal?: boolean;
  finder?: NeighborFinder;
}

/**
 * Atomic environment type of one atom (Daams & Villars). Candidate shells are
 * prefixes of the sorted neighbour list that end at a distance gap. A candidate
 * obeys the convex-volume rule when its hull strictly contains the centre and
 * every shell atom is a hull corner; of those, the one closed by the largest
 * normalised gap is the AET (maximum-distance-gap rule).
 */
export function atomicEnvironment(structure: Structure, atom: number, options: AetOptions = {}): AtomicEnvironment {
  const maxRatio = options.maxRatio ?? 2;
  const tol = options.shellTolerance ?? 0.002;
  // A shared finder (one per cell) keeps the AET of every atom O(N) overall.
  const shared = options.finder?.neighbors(atom);
  const dmin = shared?.length ? shared[0].distance : nearestDistance(structure, atom);
  // The neighbour just past the last candidate is needed to measure its gap.
  const reach = dmin * (maxRatio + 0.6);
  const neighbors =
    shared && options.finder!.cutoff >= reach
      ? shared.filter((n) => n.distance <= reach)
      : new NeighborFinder(structure, reach).neighbors(atom);

  const ends: { cn: number; gap: number }[] = [];
  for (let k = 1; k < neighbors.length; k++) {
    if (neighbors[k - 1].distance > maxRatio * dmin) break;
    const gap = (neighbors[k].distance - neighbors[k - 1].distance) / dmin;
    if (gap > tol) ends.push({ cn: k, gap });
  }
  // Test the widest gaps first: the first shell that passes the convex-volume rule wins.
  const order = [...ends].sort((a, b) => b.gap - a.gap || a.cn - b.cn);
  const verdicts = new Map<number, ShellCandidate>();
  let chosen: ShellCandidate | undefined;
  for (const end of order) {
    const verdict = convexVolumeRule(neighbors.slice(0, end.cn).map((n) => n.vector));
    const candidate: ShellCandidate = { cn: end.cn, gap: end.gap, valid: verdict.valid, ...(verdict.reason ? { reason: verdict.reason } : {}) };
    verdicts.set(end.cn, candidate);
    if (verdict.valid) {
      chosen = candidate;
      break;
    }
  }
  const site = structure.sites[atom];
  if (!chosen) {
    throw new InputError(
      `no shell of atom ${atom} (${site.label}) within ${maxRatio} d_min obeys the convex-volume rule (a layered or molecular structure?); try a larger --max-ratio`,
    );
  }
  const shellNeighbors = neighbors.slice(0, chosen.cn);
  const points = shellNeighbors.map((n) => n.vector);
  const hull = convexHull(points);
  const origin: Vec3 = [0, 0, 0];
  return {
    atom,
    site: site.label,
    element: site.element,
    cn: chosen.cn,
    gap: chosen.gap,
    dmin,
    volume: hull.volume,
    code: topologicalCode(points, { angleTolerance: options.angleTolerance }),
    ideal: options.identifyIdeal === false ? null : idealMatch(points, origin),
    shell: shellNeighbors.map((n) => shellAtom(structure, n)),
    candidates: [...verdicts.values()],
  };
}

function convexVolumeRule(points: Vec3[]): { valid: boolean; reason?: ShellCandidate['reason'] } {
  if (points.length < 4) return { valid: false, reason: 'flat' };
  const hull = convexHull(points);
  if (hull.degenerate) return { valid: false, reason: 'flat' };
  if (!hull.contains([0, 0, 0], { strict: true })) return { valid: false, reason: 'centre-outside' };
  if (hull.vertices.length !== points.length) return { valid: false, reason: 'atom-inside' };
  return { valid: true };
}

function idealMatch(points: Vec3[], centre: Vec3): IdealMatch | null {
  const m = nearestIdealPolyhedron(points, centre);
  return m ? { name: m.name, code: m.code, deviation: m.deviation, rmsd: m.rmsd } : null;
}

function shellAtom(structure: Structure, n: Neighbor): ShellAtom {
  const s = structure.sites[n.index];
  return { index: n.index, element: s.element, site: s.label, distance: n.distance, image: n.image, vector: n.vector };
}

/** The n nearest neighbours (the CENN environment), ties at the boundary broken by the finder's stable order. */
export function nearestNeighborShell(structure: Structure, atom: number, n: number, finder?: NeighborFinder): ShellAtom[] {
  let cutoff = finder?.cutoff ?? nearestDistance(structure, atom) * 2;
  for (;;) {
    const f = finder && finder.cutoff >= cutoff ? finder : new NeighborFinder(structure, cutoff);
    const list = f.neighbors(atom, cutoff);
    if (list.length >= n) return list.slice(0, n).map((nb) => shellAtom(structure, nb));
    cutoff *= 1.5;
    finder = undefined;
  }
}
