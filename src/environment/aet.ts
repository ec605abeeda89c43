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

/**
 * How the shell was chosen. 'max-gap': Daams & Villars — of the shells that
 * end at a distance gap within maxRatio·d_min and obey the convex-volume rule
 * (the centre inside the hull, every atom on it), the one closed by the widest
 * gap. Every atom a corner is preferred; only when no shell has that, atoms on
 * a face or an edge count as on the hull (see atomicEnvironment).
 * 'fallback': no shell obeys the rule (molecular and layered crystals); the
 * widest-gap shell whose hull encloses the centre, atoms inside the hull
 * allowed, searched within maxRatio·d_min and then in ranges growing by 1.5×
 * (a cell's own lattice translations always enclose it).
 */
export type AetRule = 'max-gap' | 'fallback';

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
  rule: AetRule;
  /** Shell atoms on a face or an edge of the hull rather than at a corner (perovskite O: its two Ti). */
  onSurface: number;
  /** Shell atoms inside the hull (0 unless rule is 'fallback'). */
  inside: number;
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

interface ShellEnd {
  cn: number;
  gap: number;
}

/**
 * Neighbours of `atom` within `reach` Å, nearest first, from the shared finder when it reaches far
 * enough. A finder of its own gets a cutoff of at least 1/64 of the tallest cell height: the cell
 * list allocates (height / cutoff)³ bins, which for a 2.6 Å reach in a 20 000 Å cell is 5.7e10 and
 * fails; ≤ 64 per axis costs nothing in ordinary cells (their heights are below 64 × reach).
 */
function neighborsWithin(structure: Structure, atom: number, reach: number, finder?: NeighborFinder, shared?: Neighbor[]): Neighbor[] {
  if (shared && finder!.cutoff >= reach) return shared.filter((n) => n.distance <= reach);
  const floor = Math.max(...structure.lattice.heights) / 64;
  if (floor <= reach) return new NeighborFinder(structure, reach).neighbors(atom);
  return new NeighborFinder(structure, floor).neighbors(atom, floor).filter((n) => n.distance <= reach);
}

/** Shells that end at a distance gap wider than `tol`·d_min, their last atom within ratio·d_min. */
function shellEnds(neighbors: Neighbor[], dmin: number, ratio: number, tol: number): ShellEnd[] {
  const ends: ShellEnd[] = [];
  for (let k = 1; k < neighbors.length; k++) {
    if (neighbors[k - 1].distance > ratio * dmin) break;
    const gap = (neighbors[k].distance - neighbors[k - 1].distance) / dmin;
    if (gap > tol) ends.push({ cn: k, gap });
  }
  return ends;
}

/** The neighbour list must reach past ratio·d_min to measure the gap that closes the last candidate. */
const REACH_MARGIN = 0.6;

/**
 * Atomic environment type of one atom (Daams & Villars), see AetRule.
 *
 * Corners first, then faces: in cubic perovskite the two Ti nearest to O sit in
 * the centres of square faces of the O site's shell, so no shell of O has every
 * atom at a corner, and the face-centring atoms must count as on the hull (within
 * the hull's tolerance, 1e-3 of the shell radius). Counting them from the start
 * would move Sr from its cuboctahedron of 12 O (closed by a gap of 0.225 d_min)
 * to the 26-atom shell 12 O + 8 Ti + 6 Sr (gap 0.318 d_min), in which the 12 O
 * centre the faces of the Ti/Sr rhombic dodecahedron; so a shell whose atoms
 * are all corners wins whenever there is one.
 */
export function atomicEnvironment(structure: Structure, atom: number, options: AetOptions = {}): AtomicEnvironment {
  const maxRatio = options.maxRatio ?? 2;
  const tol = options.shellTolerance ?? 0.002;
  // A shared finder (one per cell) keeps the AET of every atom O(N) overall.
  const shared = options.finder?.neighbors(atom);
  const dmin = shared?.length ? shared[0].distance : nearestDistance(structure, atom);
  const neighbors = neighborsWithin(structure, atom, dmin * (maxRatio + REACH_MARGIN), options.finder, shared);
  const ends = shellEnds(neighbors, dmin, maxRatio, tol);

  // Test the widest gaps first: the first shell that passes the convex-volume rule wins.
  const order = [...ends].sort((a, b) => b.gap - a.gap || a.cn - b.cn);
  const verdicts: ShellCandidate[] = [];
  let onFaces: ShellCandidate | undefined;
  for (const end of order) {
    const verdict = convexVolumeRule(neighbors.slice(0, end.cn).map((n) => n.vector));
    const candidate: ShellCandidate = { cn: end.cn, gap: end.gap, valid: verdict.valid, ...(verdict.reason ? { reason: verdict.reason } : {}) };
    verdicts.push(candidate);
    if (verdict.valid && verdict.allCorners) return environment(structure, atom, dmin, neighbors, candidate, verdicts, 'max-gap', options);
    if (verdict.valid) onFaces ??= candidate;
  }
  if (onFaces) {
    const tested = verdicts.slice(0, verdicts.indexOf(onFaces) + 1);
    return environment(structure, atom, dmin, neighbors, onFaces, tested, 'max-gap', options);
  }
  const fallback = enclosingShell(structure, atom, dmin, maxRatio, tol, neighbors, ends, options.finder, shared);
  const candidate: ShellCandidate = { cn: fallback.end.cn, gap: fallback.end.gap, valid: false, reason: 'atom-inside' };
  return environment(structure, atom, dmin, fallback.neighbors, candidate, [...verdicts.filter((v) => v.cn !== candidate.cn), candidate], 'fallback', options);
}

function environment(
  structure: Structure,
  atom: number,
  dmin: number,
  neighbors: Neighbor[],
  chosen: ShellCandidate,
  candidates: ShellCandidate[],
  rule: AetRule,
  options: AetOptions,
): AtomicEnvironment {
  const shellNeighbors = neighbors.slice(0, chosen.cn);
  const points = shellNeighbors.map((n) => n.vector);
  const hull = convexHull(points);
  const corners = new Set(hull.vertices);
  const inside = points.filter((p, i) => !corners.has(i) && hull.depth(p) > hull.tolerance).length;
  const site = structure.sites[atom];
  return {
    atom,
    site: site.label,
    element: site.element,
    cn: chosen.cn,
    gap: chosen.gap,
    dmin,
    volume: hull.volume,
    code: topologicalCode(points, { angleTolerance: options.angleTolerance }),
    ideal: options.identifyIdeal === false ? null : idealMatch(points, [0, 0, 0]),
    shell: shellNeighbors.map((n) => shellAtom(structure, n)),
    candidates,
    rule,
    onSurface: points.length - corners.size - inside,
    inside,
  };
}

/** Hull of a shell strictly contains the centre (so the hull is not flat either). */
function encloses(points: Vec3[]): boolean {
  if (points.length < 4) return false;
  const hull = convexHull(points);
  return !hull.degenerate && hull.contains([0, 0, 0], { strict: true });
}

/**
 * The 'fallback' shell: the widest-gap shell that encloses the centre, within
 * maxRatio·d_min, else within ranges growing by 1.5× up to the longest lattice
 * vector (the atom's own images at ±a, ±b, ±c enclose it). Enclosure only grows
 * with the shell, so the smallest enclosing shell is found by bisection.
 */
function enclosingShell(
  structure: Structure,
  atom: number,
  dmin: number,
  maxRatio: number,
  tol: number,
  neighbors: Neighbor[],
  ends: ShellEnd[],
  finder?: NeighborFinder,
  shared?: Neighbor[],
): { end: ShellEnd; neighbors: Neighbor[] } {
  const { a, b, c } = structure.lattice;
  const cap = (Math.max(a, b, c) * 1.001) / dmin;
  let ratio = maxRatio;
  for (;;) {
    const points = (cn: number) => neighbors.slice(0, cn).map((n) => n.vector);
    if (ends.length > 0 && encloses(points(ends[ends.length - 1].cn))) {
      let lo = 0;
      let hi = ends.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (encloses(points(ends[mid].cn))) hi = mid;
        else lo = mid + 1;
      }
      const end = ends.slice(lo).reduce((best, e) => (e.gap > best.gap ? e : best));
      return { end, neighbors };
    }
    if (ratio >= cap) {
      const site = structure.sites[atom];
      throw new InputError(`no shell of atom ${atom} (${site.label}) encloses it, even out to ${(ratio * dmin).toFixed(1)} Å: is the cell a single atom row or plane?`);
    }
    ratio = Math.min(cap, ratio * 1.5);
    neighbors = neighborsWithin(structure, atom, dmin * (ratio + REACH_MARGIN), finder, shared);
    ends = shellEnds(neighbors, dmin, ratio, tol);
  }
}

/** The convex-volume rule: the hull holds the centre and every atom lies on it (allCorners: each at a corner). */
function convexVolumeRule(points: Vec3[]): { valid: boolean; allCorners?: boolean; reason?: ShellCandidate['reason'] } {
  if (points.length < 4) return { valid: false, reason: 'flat' };
  const hull = convexHull(points);
  if (hull.degenerate) return { valid: false, reason: 'flat' };
  if (!hull.contains([0, 0, 0], { strict: true })) return { valid: false, reason: 'centre-outside' };
  // On a face or an edge counts as on the hull; only an atom inside by more than the tolerance fails.
  if (points.some((p) => hull.depth(p) > hull.tolerance)) return { valid: false, reason: 'atom-inside' };
  return { valid: true, allCorners: hull.vertices.length === points.length };
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
