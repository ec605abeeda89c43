import type { Mat3, Vec3 } from '../structure/lattice.ts';
import type { Structure } from '../structure/structure.ts';
import { InputError } from '../util/errors.ts';

/** A periodic neighbour of a centre atom: atom `index` of the cell translated by `image` (integer cell vector). */
export interface Neighbor {
  index: number;
  image: Vec3;
  distance: number;
  /** Cartesian vector from the centre to the neighbour, Å. */
  vector: Vec3;
}

/**
 * Every neighbour pair of a cell within a cutoff, as arrays (pymatgen's get_neighbor_list):
 * pair p is atom neighbors[p] translated by images[3p..3p+2], seen from atom centers[p], at
 * distances[p] Å; centers ascending, each centre's pairs in cell-list order (unsorted).
 */
export interface NeighborList {
  count: number;
  centers: Int32Array;
  neighbors: Int32Array;
  images: Int32Array;
  distances: Float64Array;
}

/** Growable pair arrays; the Cartesian vectors only when `withVectors`. */
class PairBuffer {
  readonly withVectors: boolean;
  count = 0;
  centers = new Int32Array(64);
  index = new Int32Array(64);
  image = new Int32Array(192);
  dist = new Float64Array(64);
  vec: Float64Array;

  constructor(withVectors = true) {
    this.withVectors = withVectors;
    this.vec = new Float64Array(withVectors ? 192 : 0);
  }

  reserve(extra: number): void {
    const need = this.count + extra;
    if (need <= this.index.length) return;
    const cap = Math.max(need, 2 * this.index.length);
    const grow = <T extends Int32Array | Float64Array>(a: T, width: number): T => {
      const b = new (a.constructor as new (n: number) => T)(width * cap);
      b.set(a.subarray(0, width * this.count));
      return b;
    };
    this.centers = grow(this.centers, 1);
    this.index = grow(this.index, 1);
    this.image = grow(this.image, 3);
    this.dist = grow(this.dist, 1);
    if (this.withVectors) this.vec = grow(this.vec, 3);
  }
}

/**
 * Cell-list neighbour search in a periodic crystal. Atoms are binned in fractional space
 * with bins at least the cutoff thick (perpendicular height), and a query visits only the
 * bin offsets whose nearest possible pair of points lies within the cutoff (exact minimum
 * over the two bins' parallelepipeds): building is O(N), a query O(1), all neighbours O(N);
 * for small cells the bins wrap and images are enumerated. Distances come from Cartesian
 * positions plus the Cartesian shift of the bin offset's image.
 * Measured against bins one cutoff thick without pruning (α supercells, all pairs ≤ 8 Å):
 * see scripts/BENCHMARKS.md.
 */
export class NeighborFinder {
  readonly structure: Structure;
  readonly cutoff: number;
  private readonly nbins: Vec3;
  /** Bin offsets (dx, dy, dz) that can hold a neighbour within the cutoff, flattened. */
  private readonly offsets: Int32Array;
  private readonly binStart: Int32Array;
  private readonly binAtoms: Int32Array;
  /** Cartesian positions, 3 per atom, in bin order (slot p of binAtoms): the inner loop reads them in sequence. */
  private readonly binCart: Float64Array;
  private readonly cart: Float64Array;
  private readonly binOf: Int32Array;
  private readonly scratch = new PairBuffer();

  constructor(structure: Structure, cutoff: number) {
    if (!(cutoff > 0) || !Number.isFinite(cutoff)) throw new RangeError(`cutoff must be positive, got ${cutoff}`);
    this.structure = structure;
    this.cutoff = cutoff;
    const n = structure.length;
    const h = structure.lattice.heights;
    // Bin thickness: the cutoff, or a half or third of it, whichever minimises the estimated cost
    // per atom = distance checks + 20 × bin offsets visited (the per-offset overhead measured on α
    // cells: a half cutoff is fastest at 256 atoms, a whole one at 1536 and 10 976).
    let best: { cost: number; nbins: Vec3; offsets: Int32Array } = { cost: Infinity, nbins: [1, 1, 1], offsets: new Int32Array(3) };
    for (const div of [1, 2, 3]) {
      const nbins = h.map((hk) => Math.max(1, Math.floor((hk * div) / cutoff))) as Vec3;
      const bins = nbins[0] * nbins[1] * nbins[2];
      if (bins > 4 * n + 64 && div > 1) break; // no more bins than ~4 per atom
      const offsets = reachableOffsets(structure.lattice.matrix, nbins, h, cutoff);
      const cost = (offsets.length / 3) * (n / bins + 20);
      if (cost < best.cost) best = { cost, nbins, offsets };
    }
    this.nbins = best.nbins;
    this.offsets = best.offsets;
    this.cart = new Float64Array(3 * n);
    this.binOf = new Int32Array(n);
    const [nx, ny, nz] = this.nbins;
    const m = structure.lattice.matrix;
    const counts = new Int32Array(nx * ny * nz + 1);
    structure.sites.forEach((s, i) => {
      const [f0, f1, f2] = s.frac;
      this.cart[3 * i] = f0 * m[0][0] + f1 * m[1][0] + f2 * m[2][0];
      this.cart[3 * i + 1] = f0 * m[0][1] + f1 * m[1][1] + f2 * m[2][1];
      this.cart[3 * i + 2] = f0 * m[0][2] + f1 * m[1][2] + f2 * m[2][2];
      const bx = Math.min(nx - 1, Math.floor(f0 * nx));
      const by = Math.min(ny - 1, Math.floor(f1 * ny));
      const bz = Math.min(nz - 1, Math.floor(f2 * nz));
      const b = (bx * ny + by) * nz + bz;
      this.binOf[i] = b;
      counts[b + 1]++;
    });
    for (let b = 0; b < nx * ny * nz; b++) counts[b + 1] += counts[b];
    this.binStart = counts.slice();
    this.binAtoms = new Int32Array(n);
    const fill = counts.slice();
    for (let i = 0; i < n; i++) this.binAtoms[fill[this.binOf[i]]++] = i;
    this.binCart = new Float64Array(3 * n);
    for (let p = 0; p < n; p++) this.binCart.set(this.cart.subarray(3 * this.binAtoms[p], 3 * this.binAtoms[p] + 3), 3 * p);
  }

  /** All neighbours of atom i within the cutoff, nearest first (ties by index, then image, so the order is reproducible). */
  neighbors(i: number, cutoff = this.cutoff): Neighbor[] {
    const buf = this.query(i, cutoff);
    const out: Neighbor[] = new Array(buf.count);
    for (let p = 0; p < buf.count; p++) {
      out[p] = {
        index: buf.index[p],
        image: [buf.image[3 * p], buf.image[3 * p + 1], buf.image[3 * p + 2]],
        distance: buf.dist[p],
        vector: [buf.vec[3 * p], buf.vec[3 * p + 1], buf.vec[3 * p + 2]],
      };
    }
    out.sort(compareNeighbors);
    return out;
  }

  /** Distances only, unsorted, for histograms over many atoms without allocating objects. */
  distances(i: number, cutoff = this.cutoff): number[] {
    const buf = this.query(i, cutoff);
    return Array.from(buf.dist.subarray(0, buf.count));
  }

  /** Every pair of the cell within the cutoff, as arrays (centres ascending). */
  neighborList(cutoff = this.cutoff): NeighborList {
    const buf = new PairBuffer(false);
    const n = this.structure.length;
    // room for the expected count (uniform density), so the arrays rarely grow
    buf.reserve(Math.ceil(1.1 * n * ((4 / 3) * Math.PI * cutoff ** 3 * n) / this.structure.lattice.volume) + 64);
    for (let i = 0; i < n; i++) this.collect(i, cutoff, buf);
    const c = buf.count;
    return { count: c, centers: buf.centers.slice(0, c), neighbors: buf.index.slice(0, c), images: buf.image.slice(0, 3 * c), distances: buf.dist.slice(0, c) };
  }

  private query(i: number, cutoff: number): PairBuffer {
    this.scratch.count = 0;
    this.collect(i, cutoff, this.scratch);
    return this.scratch;
  }

  /** Append the neighbours of atom i within `cutoff` to buf. */
  private collect(i: number, cutoff: number, buf: PairBuffer): void {
    if (cutoff > this.cutoff + 1e-12) throw new RangeError(`query cutoff ${cutoff} exceeds the finder's ${this.cutoff}`);
    const m = this.structure.lattice.matrix;
    const [nx, ny, nz] = this.nbins;
    const { offsets, binStart, binAtoms, binCart, cart } = this;
    const b = this.binOf[i];
    const bx = Math.floor(b / (ny * nz));
    const by = Math.floor(b / nz) % ny;
    const bz = b % nz;
    const xi = cart[3 * i], yi = cart[3 * i + 1], zi = cart[3 * i + 2];
    const c2 = cutoff * cutoff;
    for (let o = 0; o < offsets.length; o += 3) {
      const cx = bx + offsets[o];
      const cy = by + offsets[o + 1];
      const cz = bz + offsets[o + 2];
      const ix = Math.floor(cx / nx);
      const iy = Math.floor(cy / ny);
      const iz = Math.floor(cz / nz);
      const bin = ((cx - ix * nx) * ny + (cy - iy * ny)) * nz + (cz - iz * nz);
      const start = binStart[bin];
      const end = binStart[bin + 1];
      if (start === end) continue;
      // the image's Cartesian shift, minus the centre
      const tx = ix * m[0][0] + iy * m[1][0] + iz * m[2][0] - xi;
      const ty = ix * m[0][1] + iy * m[1][1] + iz * m[2][1] - yi;
      const tz = ix * m[0][2] + iy * m[1][2] + iz * m[2][2] - zi;
      const self = ix === 0 && iy === 0 && iz === 0;
      buf.reserve(end - start);
      let q = buf.count;
      const { centers, index, image, dist, vec, withVectors } = buf;
      for (let p = start; p < end; p++) {
        const x = binCart[3 * p] + tx;
        const y = binCart[3 * p + 1] + ty;
        const z = binCart[3 * p + 2] + tz;
        const d2 = x * x + y * y + z * z;
        if (d2 > c2) continue;
        const j = binAtoms[p];
        if (self && j === i) continue;
        centers[q] = i;
        index[q] = j;
        image[3 * q] = ix;
        image[3 * q + 1] = iy;
        image[3 * q + 2] = iz;
        dist[q] = Math.sqrt(d2);
        if (withVectors) {
          vec[3 * q] = x;
          vec[3 * q + 1] = y;
          vec[3 * q + 2] = z;
        }
        q++;
      }
      buf.count = q;
    }
  }
}

/**
 * Bin offsets o (integer, per axis within the reach ⌈cutoff / bin height⌉) for which two points
 * in bins o apart can be within the cutoff: min over u ∈ [−1, 1]³ of ‖(o + u)·B‖ ≤ cutoff, B the
 * bin's edge vectors. The minimum of this convex quadratic over the box is found exactly by
 * enumerating which coordinates sit on a face (27 cases, each a ≤ 3×3 linear solve).
 */
function reachableOffsets(matrix: Mat3, nbins: Vec3, heights: Vec3, cutoff: number): Int32Array {
  const B = matrix.map((row, k) => row.map((x) => x / nbins[k])) as Mat3;
  const G = B.map((r) => B.map((s) => r[0] * s[0] + r[1] * s[1] + r[2] * s[2]));
  const reach = heights.map((hk, k) => Math.ceil(cutoff / (hk / nbins[k])));
  const c2 = cutoff * cutoff * (1 + 1e-9) + 1e-12; // never drop a pair on the cutoff by round-off
  const out: number[] = [];
  for (let dx = -reach[0]; dx <= reach[0]; dx++)
    for (let dy = -reach[1]; dy <= reach[1]; dy++)
      for (let dz = -reach[2]; dz <= reach[2]; dz++) if (minSquaredNorm(G, [dx, dy, dz]) <= c2) out.push(dx, dy, dz);
  return Int32Array.from(out);
}

/** Per axis 0 (free), −1 or +1 (on that face of the box): the 27 cases of minSquaredNorm. */
const FACE_CASES: readonly (readonly number[])[] = Array.from({ length: 27 }, (_, m) => [m % 3, Math.floor(m / 3) % 3, Math.floor(m / 9)].map((s) => (s === 2 ? -1 : s)));

/**
 * min over u ∈ [−1, 1]³ of (o + u)ᵀ G (o + u), G symmetric positive definite: each axis is free
 * or on one of its two faces (27 cases); a case's free coordinates solve G_FF w_F = −G_FX w_X
 * (Cramer's rule) and count only when they stay inside the box. Zero when u = −o is in the box.
 */
function minSquaredNorm(G: number[][], o: Vec3): number {
  if (Math.abs(o[0]) <= 1 && Math.abs(o[1]) <= 1 && Math.abs(o[2]) <= 1) return 0;
  let best = Infinity;
  const w = [0, 0, 0];
  for (const face of FACE_CASES) {
    let nFree = 0;
    let a = -1;
    let b = -1;
    for (let k = 0; k < 3; k++) {
      if (face[k] === 0) {
        nFree++;
        if (a < 0) a = k;
        else b = k;
      } else w[k] = o[k] + face[k];
    }
    if (nFree === 3) continue; // interior minimum w = 0: only when u = −o is in the box, handled above
    // right-hand sides −G_FX w_X of the free axes
    const ra = a < 0 ? 0 : -(face[0] ? G[a][0] * w[0] : 0) - (face[1] ? G[a][1] * w[1] : 0) - (face[2] ? G[a][2] * w[2] : 0);
    const rb = b < 0 ? 0 : -(face[0] ? G[b][0] * w[0] : 0) - (face[1] ? G[b][1] * w[1] : 0) - (face[2] ? G[b][2] * w[2] : 0);
    if (nFree === 2) {
      const det = G[a][a] * G[b][b] - G[a][b] * G[b][a];
      w[a] = (ra * G[b][b] - G[a][b] * rb) / det;
      w[b] = (G[a][a] * rb - G[b][a] * ra) / det;
      if (Math.abs(w[a] - o[a]) > 1 || Math.abs(w[b] - o[b]) > 1) continue;
    } else if (nFree === 1) {
      w[a] = ra / G[a][a];
      if (Math.abs(w[a] - o[a]) > 1) continue;
    }
    let v = 0;
    for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) v += w[p] * G[p][q] * w[q];
    if (v < best) best = v;
  }
  return best;
}

function compareNeighbors(a: Neighbor, b: Neighbor): number {
  return (
    a.distance - b.distance ||
    a.index - b.index ||
    a.image[0] - b.image[0] ||
    a.image[1] - b.image[1] ||
    a.image[2] - b.image[2]
  );
}

/** Shortest interatomic distance from atom i (any image), searching outward until one is found. */
export function nearestDistance(structure: Structure, i: number): number {
  const h = structure.lattice.heights;
  let cutoff = Math.max(3, Math.min(...h) / 2);
  for (;;) {
    const d = new NeighborFinder(structure, cutoff).distances(i);
    if (d.length) return Math.min(...d);
    cutoff *= 2;
    if (cutoff > 1e4) throw new InputError(`atom ${i} has no neighbour within 10 000 Å: a structure needs at least two atoms or a finite cell`);
  }
}
