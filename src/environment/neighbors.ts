import type { Vec3 } from '../structure/lattice.ts';
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
 * Cell-list neighbour search in a periodic crystal. Atoms are binned in
 * fractional space with bins at least `cutoff` thick (perpendicular height),
 * so a query visits a fixed number of bins: building is O(N), a query O(1),
 * all neighbours O(N) — for small cells the bins wrap and images are enumerated.
 */
export class NeighborFinder {
  readonly structure: Structure;
  readonly cutoff: number;
  private readonly nbins: Vec3;
  private readonly reach: Vec3;
  private readonly binStart: Int32Array;
  private readonly binAtoms: Int32Array;
  private readonly frac: Float64Array;
  private readonly binOf: Int32Array;

  constructor(structure: Structure, cutoff: number) {
    if (!(cutoff > 0) || !Number.isFinite(cutoff)) throw new RangeError(`cutoff must be positive, got ${cutoff}`);
    this.structure = structure;
    this.cutoff = cutoff;
    const h = structure.lattice.heights;
    this.nbins = h.map((hk) => Math.max(1, Math.floor(hk / cutoff))) as Vec3;
    this.reach = h.map((hk, k) => Math.ceil(cutoff / (hk / this.nbins[k]))) as Vec3;
    const n = structure.length;
    this.frac = new Float64Array(3 * n);
    this.binOf = new Int32Array(n);
    const [nx, ny, nz] = this.nbins;
    const counts = new Int32Array(nx * ny * nz + 1);
    structure.sites.forEach((s, i) => {
      this.frac.set(s.frac, 3 * i);
      const bx = Math.min(nx - 1, Math.floor(s.frac[0] * nx));
      const by = Math.min(ny - 1, Math.floor(s.frac[1] * ny));
      const bz = Math.min(nz - 1, Math.floor(s.frac[2] * nz));
      const b = (bx * ny + by) * nz + bz;
      this.binOf[i] = b;
      counts[b + 1]++;
    });
    for (let b = 0; b < nx * ny * nz; b++) counts[b + 1] += counts[b];
    this.binStart = counts.slice();
    this.binAtoms = new Int32Array(n);
    const fill = counts.slice();
    for (let i = 0; i < n; i++) this.binAtoms[fill[this.binOf[i]]++] = i;
  }

  /** All neighbours of atom i within the cutoff, nearest first (ties by index, then image, so the order is reproducible). */
  neighbors(i: number, cutoff = this.cutoff): Neighbor[] {
    if (cutoff > this.cutoff + 1e-12) throw new RangeError(`query cutoff ${cutoff} exceeds the finder's ${this.cutoff}`);
    const out: Neighbor[] = [];
    this.visit(i, cutoff, (index, image, distance, vector) => out.push({ index, image, distance, vector }));
    out.sort(compareNeighbors);
    return out;
  }

  /** Distances only, unsorted, for histograms over many atoms without allocating objects. */
  distances(i: number, cutoff = this.cutoff): number[] {
    const out: number[] = [];
    this.visit(i, cutoff, (_j, _img, d) => out.push(d));
    return out;
  }

  private visit(i: number, cutoff: number, emit: (j: number, image: Vec3, d: number, v: Vec3) => void): void {
    const m = this.structure.lattice.matrix;
    const [nx, ny, nz] = this.nbins;
    const [rx, ry, rz] = this.reach;
    const b = this.binOf[i];
    const bx = Math.floor(b / (ny * nz));
    const by = Math.floor(b / nz) % ny;
    const bz = b % nz;
    const fi0 = this.frac[3 * i], fi1 = this.frac[3 * i + 1], fi2 = this.frac[3 * i + 2];
    const c2 = cutoff * cutoff;
    for (let dx = -rx; dx <= rx; dx++) {
      const cx = bx + dx;
      const ix = Math.floor(cx / nx);
      const wx = cx - ix * nx;
      for (let dy = -ry; dy <= ry; dy++) {
        const cy = by + dy;
        const iy = Math.floor(cy / ny);
        const wy = cy - iy * ny;
        for (let dz = -rz; dz <= rz; dz++) {
          const cz = bz + dz;
          const iz = Math.floor(cz / nz);
          const wz = cz - iz * nz;
          const bin = (wx * ny + wy) * nz + wz;
          for (let p = this.binStart[bin]; p < this.binStart[bin + 1]; p++) {
            const j = this.binAtoms[p];
            if (j === i && ix === 0 && iy === 0 && iz === 0) continue;
            const f0 = this.frac[3 * j] + ix - fi0;
            const f1 = this.frac[3 * j + 1] + iy - fi1;
            const f2 = this.frac[3 * j + 2] + iz - fi2;
            const x = f0 * m[0][0] + f1 * m[1][0] + f2 * m[2][0];
            const y = f0 * m[0][1] + f1 * m[1][1] + f2 * m[2][1];
            const z = f0 * m[0][2] + f1 * m[1][2] + f2 * m[2][2];
            const d2 = x * x + y * y + z * z;
            if (d2 <= c2) emit(j, [ix, iy, iz], Math.sqrt(d2), [x, y, z]);
          }
        }
      }
    }
  }
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
