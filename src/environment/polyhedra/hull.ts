/**
 * Convex hulls of small point sets (coordination shells), with a geometric
 * definition of which points are true corners of the hull.
 *
 * quickhull3d builds the hull; everything that decides chemistry (is this atom
 * a corner of the polyhedron? is the centre inside?) is decided here by
 * geometry with an explicit tolerance, not by quickhull's internal epsilon.
 */
import qh from 'quickhull3d';
import { type Vec3, add, cross, dot, norm, scale, sub } from '../../structure/lattice.ts';
import { solveLinear } from '../../util/linalg.ts';

export type Triangle = [number, number, number];

export interface ContainsOptions {
  /** true: inside by more than the tolerance; false (default): inside or on the surface within it. */
  strict?: boolean;
  /** Absolute tolerance in Å; default the hull's own `tolerance`. */
  tolerance?: number;
}

export interface ConvexHull {
  /** Outward-oriented (counter-clockwise seen from outside) triangles, indices into the input points. */
  faces: Triangle[];
  /** Indices of the input points that are true corners of the hull, ascending. */
  vertices: number[];
  volume: number;
  area: number;
  /** Fewer than 4 distinct points, or all of them within `tolerance` of a plane. */
  degenerate: boolean;
  /** Absolute length tolerance (Å) used for the corner and containment decisions. */
  tolerance: number;
  contains(p: Vec3, options?: ContainsOptions): boolean;
  /**
   * Distance (Å) from p to the hull's surface: positive inside, 0 on a face,
   * negative outside (then the largest distance beyond a face plane).
   * −Infinity for a degenerate hull.
   */
  depth(p: Vec3): number;
}

export interface HullOptions {
  /**
   * Tolerance relative to the RMS distance of the points from their centroid.
   * A point closer than tolerance·R to the convex hull of the other points is
   * not a corner. Default 1e-3: CIF coordinates carry ~1e-4 relative rounding,
   * so atoms that symmetry puts exactly on a face or edge stay non-corners,
   * while a genuine corner of a 3 Å shell protrudes by far more than 0.003 Å.
   */
  relTolerance?: number;
}

export const DEFAULT_HULL_REL_TOLERANCE = 1e-3;

/** A hull with nothing inside it. */
function degenerateHull(tolerance: number): ConvexHull {
  return { faces: [], vertices: [], volume: 0, area: 0, degenerate: true, tolerance, contains: () => false, depth: () => -Infinity };
}

function centroid(points: readonly Vec3[]): Vec3 {
  let c: Vec3 = [0, 0, 0];
  for (const p of points) c = add(c, p);
  return scale(c, 1 / points.length);
}

/**
 * Largest distance of the set from the best plane found by the quickhull seed
 * heuristic (farthest point, farthest from it, farthest from that line, farthest
 * from that plane): small means the set is flat or collinear.
 */
function thickness(points: readonly Vec3[]): number {
  const c = centroid(points);
  let i0 = 0;
  for (let i = 1; i < points.length; i++) if (norm(sub(points[i], c)) > norm(sub(points[i0], c))) i0 = i;
  let i1 = i0;
  for (let i = 0; i < points.length; i++) if (norm(sub(points[i], points[i0])) > norm(sub(points[i1], points[i0]))) i1 = i;
  const axis = sub(points[i1], points[i0]);
  if (norm(axis) === 0) return 0;
  let i2 = i0;
  let best = 0;
  for (let i = 0; i < points.length; i++) {
    const d = norm(cross(sub(points[i], points[i0]), axis));
    if (d > best) [best, i2] = [d, i];
  }
  const n = cross(axis, sub(points[i2], points[i0]));
  if (norm(n) === 0) return 0;
  const u = scale(n, 1 / norm(n));
  let h = 0;
  for (const p of points) h = Math.max(h, Math.abs(dot(sub(p, points[i0]), u)));
  return h;
}

/**
 * Euclidean distance from the origin to the convex hull of `pts` — Wolfe's
 * minimum-norm-point algorithm (Math. Prog. 11, 128, 1976). Exact and finite;
 * in 3-D the active set ("corral") has at most 4 points. `stopBelow` /
 * `stopAbove` end the search as soon as the answer is decided.
 */
export function distanceFromOriginToHull(pts: readonly Vec3[], stopBelow = 0, stopAbove = Infinity): number {
  if (pts.length === 0) return Infinity;
  let maxN2 = 0;
  let first = 0;
  for (let i = 0; i < pts.length; i++) {
    const n2 = dot(pts[i], pts[i]);
    maxN2 = Math.max(maxN2, n2);
    if (n2 < dot(pts[first], pts[first])) first = i;
  }
  const eps = 1e-12 * maxN2;
  let S = [first];
  let lam = [1];
  let x: Vec3 = [...pts[first]];
  for (let major = 0; major < 100; major++) {
    const xx = dot(x, x);
    if (xx <= stopBelow * stopBelow || xx <= eps) break;
    let j = 0;
    let m = Infinity;
    for (let i = 0; i < pts.length; i++) {
      const v = dot(x, pts[i]);
      if (v < m) [m, j] = [v, i];
    }
    // The plane through x normal to x separates the hull from the origin at distance m/|x|.
    if (m > 0 && m / Math.sqrt(xx) > stopAbove) return m / Math.sqrt(xx);
    if (xx - m <= eps || S.includes(j) || S.length === 4) break;
    S = [...S, j];
    lam = [...lam, 0];
    for (let minor = 0; minor < 10; minor++) {
      const alpha = affineMinimizer(S.map((i) => pts[i]));
      if (!alpha) return Math.sqrt(dot(x, x));
      if (alpha.every((a) => a > 1e-14)) {
        lam = alpha;
        x = combine(S, lam, pts);
        break;
      }
      // Step from x towards the affine minimiser until a weight hits zero, then drop it.
      let theta = 1;
      for (let k = 0; k < S.length; k++) {
        if (alpha[k] <= 1e-14) theta = Math.min(theta, lam[k] / (lam[k] - alpha[k]));
      }
      lam = lam.map((l, k) => (1 - theta) * l + theta * alpha[k]);
      const keep = lam.map((l) => l > 1e-14);
      S = S.filter((_, k) => keep[k]);
      lam = lam.filter((_, k) => keep[k]);
      const total = lam.reduce((a, b) => a + b, 0);
      lam = lam.map((l) => l / total);
      x = combine(S, lam, pts);
    }
  }
  return Math.sqrt(dot(x, x));
}

function combine(S: number[], lam: number[], pts: readonly Vec3[]): Vec3 {
  let x: Vec3 = [0, 0, 0];
  for (let k = 0; k < S.length; k++) x = add(x, scale(pts[S[k]], lam[k]));
  return x;
}

/** Weights (summing to 1) of the point of the affine hull of `s` nearest the origin; null if singular. */
function affineMinimizer(s: Vec3[]): number[] | null {
  const m = s.length - 1;
  if (m === 0) return [1];
  const d = s.slice(1).map((v) => sub(v, s[0]));
  // Normal equations (DᵀD) β = −Dᵀ s0 for y = s0 + Σ β_k d_k.
  const A = d.map((di) => d.map((dj) => dot(di, dj)));
  const b = d.map((di) => -dot(di, s[0]));
  const beta = solveLinear(A, b);
  if (!beta) return null;
  return [1 - beta.reduce((a, v) => a + v, 0), ...beta];
}

function triangleNormal(points: readonly Vec3[], t: Triangle): Vec3 {
  return cross(sub(points[t[1]], points[t[0]]), sub(points[t[2]], points[t[0]]));
}

/** quickhull on a subset, mapped back to the caller's indices. */
function quickhullTriangles(points: readonly Vec3[], subset: number[]): Triangle[] {
  const faces = qh(subset.map((i) => points[i]));
  return faces.map((f) => [subset[f[0]], subset[f[1]], subset[f[2]]] as Triangle);
}

/**
 * Convex hull of a point set. Corners are decided geometrically: a point is a
 * corner iff it lies farther than `tolerance` from the convex hull of all the
 * other points (so a point on a face or an edge is not one). Of points that
 * coincide within the tolerance only the first counts. The triangles are those
 * of the hull of the corners alone, so every face index is a corner.
 */
export function convexHull(points: readonly Vec3[], options: HullOptions = {}): ConvexHull {
  const rel = options.relTolerance ?? DEFAULT_HULL_REL_TOLERANCE;
  if (points.length === 0) return degenerateHull(0);
  const c = centroid(points);
  const rms = Math.sqrt(points.reduce((s, p) => s + dot(sub(p, c), sub(p, c)), 0) / points.length);
  const tol = rel * rms;
  if (points.length < 4 || !(rms > 0) || thickness(points) <= tol) return degenerateHull(tol);

  // Duplicates (within tol) are represented by their first occurrence.
  const unique: number[] = [];
  for (let i = 0; i < points.length; i++) {
    if (!unique.some((j) => norm(sub(points[i], points[j])) <= tol)) unique.push(i);
  }
  if (unique.length < 4) return degenerateHull(tol);

  let faces = quickhullTriangles(points, unique);
  const incident = new Map<number, Vec3>();
  for (const f of faces) {
    const n = triangleNormal(points, f);
    const len = norm(n);
    if (len === 0) continue;
    for (const i of f) incident.set(i, add(incident.get(i) ?? [0, 0, 0], scale(n, 1 / len)));
  }

  const corners: number[] = [];
  for (const i of [...incident.keys()].sort((a, b) => a - b)) {
    if (isCorner(points, unique, i, incident.get(i)!, tol)) corners.push(i);
  }
  if (corners.length < 4) return degenerateHull(tol);
  if (corners.length < incident.size) {
    // Points on faces/edges took part in quickhull's triangulation: rebuild on corners only.
    faces = quickhullTriangles(points, corners);
  }
  return assemble(points, corners, faces, tol);
}

/**
 * Corner test for hull point i. Fast certificate first: along the summed normal
 * of its incident triangles every other point lies at least `margin` below i;
 * margin > tol proves the distance to the others' hull exceeds tol. Otherwise
 * (flat or edge-like neighbourhood) compute that distance exactly.
 */
function isCorner(points: readonly Vec3[], unique: number[], i: number, normalSum: Vec3, tol: number): boolean {
  const p = points[i];
  const len = norm(normalSum);
  if (len > 0) {
    const u = scale(normalSum, 1 / len);
    let margin = Infinity;
    for (const j of unique) if (j !== i) margin = Math.min(margin, dot(u, sub(p, points[j])));
    if (margin > tol) return true;
  }
  const rel = unique.filter((j) => j !== i).map((j) => sub(points[j], p));
  return distanceFromOriginToHull(rel, tol, tol) > tol;
}

function assemble(points: readonly Vec3[], corners: number[], raw: Triangle[], tol: number): ConvexHull {
  const inner = centroid(corners.map((i) => points[i]));
  const faces: Triangle[] = [];
  const planes: { n: Vec3; d: number }[] = [];
  let volume = 0;
  let area = 0;
  for (const t0 of raw) {
    let t = t0;
    let n = triangleNormal(points, t);
    if (dot(n, sub(points[t[0]], inner)) < 0) {
      t = [t[0], t[2], t[1]];
      n = scale(n, -1);
    }
    const len = norm(n);
    if (len === 0) continue; // sliver of coincident points: no area, no plane
    faces.push(t);
    area += len / 2;
    volume += dot(sub(points[t[0]], inner), n) / 6;
    const u = scale(n, 1 / len);
    planes.push({ n: u, d: dot(u, points[t[0]]) });
  }
  const contains = (p: Vec3, o: ContainsOptions = {}): boolean => {
    const eps = o.tolerance ?? tol;
    for (const { n, d } of planes) {
      const h = dot(n, p) - d; // > 0 outside this face
      if (o.strict ? h >= -eps : h > eps) return false;
    }
    return true;
  };
  const depth = (p: Vec3): number => {
    let inside = Infinity;
    for (const { n, d } of planes) inside = Math.min(inside, d - dot(n, p));
    return inside;
  };
  return { faces, vertices: corners, volume, area, degenerate: false, tolerance: tol, contains, depth };
}
