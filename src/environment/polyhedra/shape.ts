/**
 * Continuous shape measure (CShM) of a coordination polyhedron against an
 * ideal one, as in SHAPE (Pinsky & Avnir, Inorg. Chem. 37, 5575 (1998);
 * Alvarez, Llunell et al.):
 *
 *   S = 100 · min Σ|q_i − p_i|² / Σ|q_i − q0|²
 *
 * over rotation, uniform scaling and translation of the ideal points p and
 * over the assignment of ideal to observed vertices. 0 = perfect; ~1 mild,
 * >3–5 strong distortion.
 *
 * Centre atom: included, as SHAPE does when a central atom is given — the
 * observed centre is a point fixed to the ideal polyhedron's centre (the
 * origin of the library coordinates). An off-centre central atom therefore
 * costs shape, which is chemically meaningful (e.g. an off-centred octahedron).
 *
 * Only proper rotations are searched; every library shape is achiral, so
 * allowing reflections would change nothing for them.
 */
import { type Vec3, add, dot, scale, sub } from '../../structure/lattice.ts';

export interface ShapeResult {
  /** CShM S (dimensionless, 0–100). */
  deviation: number;
  /** RMS distance (Å, units of the observed points) between observed and optimally placed ideal points, centre included. */
  rmsd: number;
}

/**
 * Minimum-cost perfect assignment for a square cost matrix (Hungarian method
 * with potentials, O(n³), the shortest-augmenting-path form of Jonker–Volgenant).
 * Returns assign[row] = column.
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  const INF = Infinity;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[col] = row matched to col (1-based, 0 = none)
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(INF);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const assign = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if (p[j] > 0) assign[p[j] - 1] = j - 1;
  return assign;
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations. */
function jacobiEigen(a: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const A = a.map((r) => [...r]);
  const V: number[][] = A.map((_, i) => A.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += A[i][j] * A[i][j];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(A[p][q]) < 1e-300) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p];
          const vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: A.map((r, i) => r[i]), vectors: V };
}

type Rot = [Vec3, Vec3, Vec3];

function rotate(R: Rot, v: Vec3): Vec3 {
  return [dot(R[0], v), dot(R[1], v), dot(R[2], v)];
}

/**
 * Horn's quaternion solution: the proper rotation R maximising Σ q_i·(R p_i)
 * and that maximum (J. Opt. Soc. Am. A 4, 629 (1987)).
 */
export function optimalRotation(q: readonly Vec3[], p: readonly Vec3[]): { R: Rot; score: number } {
  const S = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < q.length; i++)
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S[a][b] += p[i][a] * q[i][b];
  const [[xx, xy, xz], [yx, yy, yz], [zx, zy, zz]] = S;
  const N = [
    [xx + yy + zz, yz - zy, zx - xz, xy - yx],
    [yz - zy, xx - yy - zz, xy + yx, zx + xz],
    [zx - xz, xy + yx, -xx + yy - zz, yz + zy],
    [xy - yx, zx + xz, yz + zy, -xx - yy + zz],
  ];
  const { values, vectors } = jacobiEigen(N);
  let k = 0;
  for (let i = 1; i < 4; i++) if (values[i] > values[k]) k = i;
  const [w, x, y, z] = [vectors[0][k], vectors[1][k], vectors[2][k], vectors[3][k]];
  const R: Rot = [
    [w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z],
  ];
  return { R, score: values[k] };
}

/**
 * Observed anchor vertices tried. Checked against brute force over all vertex
 * permutations: with 6 anchors no miss in 480 distorted CN6 shapes (RMS
 * displacement 40–100 % of the bond!) and one in 48 CN8 shapes (true S = 27,
 * a shape unrelated to the ideal). With 2 anchors misses start at S ≈ 11.
 * Costs ~3–20 ms per call for CN 6–16.
 */
const ANCHORS = 6;
/** Ideal vertex pairs whose angle differs from the anchor pair's by more than this (degrees) are not tried. */
const PAIR_ANGLE_WINDOW = 35;

function centred(points: readonly Vec3[]): Vec3[] {
  let c: Vec3 = [0, 0, 0];
  for (const p of points) c = add(c, p);
  c = scale(c, 1 / points.length);
  return points.map((p) => sub(p, c));
}

function unit(v: Vec3): Vec3 {
  const n = Math.sqrt(dot(v, v));
  return n > 0 ? scale(v, 1 / n) : [0, 0, 0];
}

function crossV(u: Vec3, v: Vec3): Vec3 {
  return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
}

/** Orthonormal frame (rows) from a direction and a second, non-parallel one. */
function frame(a: Vec3, b: Vec3): Rot | null {
  const e1 = unit(a);
  const e3 = unit(crossV(a, b));
  if (dot(e3, e3) === 0) return null;
  return [e1, crossV(e3, e1), e3];
}

/** Rotation taking frame F (rows) onto frame G: R = Gᵀ F, so R·F_k = G_k. */
function frameRotation(F: Rot, G: Rot): Rot {
  const R: Rot = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) R[i][j] = G[0][i] * F[0][j] + G[1][i] * F[1][j] + G[2][i] * F[2][j];
  return R;
}

/**
 * Shape measure of the observed polyhedron `points` around `centre` against
 * `ideal` (vertices relative to the ideal centre at the origin).
 *
 * Search: an observed anchor vertex a (one of the 6 farthest from the
 * centroid) and the observed vertex b most perpendicular to it are laid onto
 * every ordered pair of ideal vertices whose angle is within 35° of
 * angle(a, b) (all pairs if none are), giving start rotations; from each,
 * alternate optimal assignment (Hungarian) and optimal rotation (Horn) until
 * the assignment repeats (assignments already explored are skipped).
 * Deterministic; the best result over all starts is kept.
 */
export function shapeMeasure(points: readonly Vec3[], centre: Vec3, ideal: readonly Vec3[]): ShapeResult {
  const n = points.length;
  if (ideal.length !== n) throw new RangeError(`shapeMeasure: ${n} observed vertices but ideal has ${ideal.length}`);
  if (n === 0) return { deviation: 0, rmsd: 0 };
  // Index 0 is the centre atom in both sets; translation is removed by centring.
  const Q = centred([[0, 0, 0], ...points.map((p) => sub(p, centre))]);
  const P = centred([[0, 0, 0], ...ideal]);
  const qq = Q.reduce((s, v) => s + dot(v, v), 0);
  const pp = P.reduce((s, v) => s + dot(v, v), 0);
  if (!(qq > 0) || !(pp > 0)) return { deviation: qq > 0 ? 100 : 0, rmsd: Math.sqrt(qq / (n + 1)) };

  const Qv = Q.slice(1);
  const Pv = P.slice(1);
  let best = -Infinity;
  const seen = new Set<string>();
  const evaluate = (R0: Rot): void => {
    let R = R0;
    for (let iter = 0; iter < 20; iter++) {
      const RP = Pv.map((p) => rotate(R, p));
      const gain = Qv.map((q) => RP.map((p) => dot(q, p)));
      const assign = greedyIfOptimal(gain) ?? hungarian(gain.map((row) => row.map((g) => -g)));
      const key = assign.join(',');
      if (seen.has(key)) return;
      seen.add(key);
      const mapped = [P[0], ...assign.map((j) => P[j + 1])];
      const fit = optimalRotation(Q, mapped);
      if (fit.score > best) best = fit.score;
      R = fit.R;
    }
  };

  const starts = startRotations(Qv, Pv);
  for (const R of starts) evaluate(R);

  // Residual after optimal scale s = best/pp: Σ|q|² − best²/pp.
  const residual = Math.max(0, qq - (best * best) / pp);
  return { deviation: (100 * residual) / qq, rmsd: Math.sqrt(residual / (n + 1)) };
}

/**
 * When every observed vertex's best ideal vertex is a different one, that
 * row-wise choice is the optimal assignment and the Hungarian step is not
 * needed (the common case once the rotation is close).
 */
function greedyIfOptimal(gain: number[][]): number[] | null {
  const taken = new Uint8Array(gain.length);
  const assign: number[] = [];
  for (const row of gain) {
    let j = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[j]) j = k;
    if (taken[j]) return null;
    taken[j] = 1;
    assign.push(j);
  }
  return assign;
}

function startRotations(Q: Vec3[], P: Vec3[]): Rot[] {
  const n = Q.length;
  const identity: Rot = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  if (n === 1) return [identity];
  const angle = (u: Vec3, v: Vec3): number =>
    Math.acos(Math.max(-1, Math.min(1, dot(unit(u), unit(v))))) * (180 / Math.PI);
  // Anchors: the ANCHORS observed vertices farthest from the centroid, each
  // paired with the observed vertex most perpendicular to it.
  const order = Q.map((_, i) => i).sort((i, j) => dot(Q[j], Q[j]) - dot(Q[i], Q[i]) || i - j);
  const out: Rot[] = [];
  for (const a of order.slice(0, ANCHORS)) {
    let b = -1;
    let bestCross = 0;
    for (let i = 0; i < n; i++) {
      if (i === a) continue;
      const c = crossV(unit(Q[a]), Q[i]);
      const v = dot(c, c);
      if (v > bestCross + 1e-12) [bestCross, b] = [v, i];
    }
    if (b < 0) continue;
    const G = frame(Q[a], Q[b])!;
    const target = angle(Q[a], Q[b]);
    const pairs: { j: number; k: number; d: number }[] = [];
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++) if (j !== k) pairs.push({ j, k, d: Math.abs(angle(P[j], P[k]) - target) });
    let chosen = pairs.filter((x) => x.d <= PAIR_ANGLE_WINDOW);
    if (chosen.length === 0) chosen = pairs;
    for (const { j, k } of chosen) {
      const F = frame(P[j], P[k]);
      if (F) out.push(frameRotation(F, G));
    }
  }
  return out.length ? out : [identity];
}
