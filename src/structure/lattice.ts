export type Vec3 = [number, number, number];
/** Row-major 3×3 matrix. For a lattice the rows are the cell vectors a, b, c in Å. */
export type Mat3 = [Vec3, Vec3, Vec3];

const DEG = Math.PI / 180;

export function dot(u: Vec3, v: Vec3): number {
  return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
}
export function cross(u: Vec3, v: Vec3): Vec3 {
  return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
}
export function sub(u: Vec3, v: Vec3): Vec3 {
  return [u[0] - v[0], u[1] - v[1], u[2] - v[2]];
}
export function add(u: Vec3, v: Vec3): Vec3 {
  return [u[0] + v[0], u[1] + v[1], u[2] + v[2]];
}
export function scale(u: Vec3, s: number): Vec3 {
  return [u[0] * s, u[1] * s, u[2] * s];
}
export function norm(u: Vec3): number {
  return Math.sqrt(dot(u, u));
}
export function det3(m: Mat3): number {
  return dot(m[0], cross(m[1], m[2]));
}
export function inv3(m: Mat3): Mat3 {
  const d = det3(m);
  const c0 = cross(m[1], m[2]);
  const c1 = cross(m[2], m[0]);
  const c2 = cross(m[0], m[1]);
  // inverse = transpose of the cofactor rows / det
  return [
    [c0[0] / d, c1[0] / d, c2[0] / d],
    [c0[1] / d, c1[1] / d, c2[1] / d],
    [c0[2] / d, c1[2] / d, c2[2] / d],
  ];
}
/** Row vector times matrix: v·M. */
export function vecMat(v: Vec3, m: Mat3): Vec3 {
  return [
    v[0] * m[0][0] + v[1] * m[1][0] + v[2] * m[2][0],
    v[0] * m[0][1] + v[1] * m[1][1] + v[2] * m[2][1],
    v[0] * m[0][2] + v[1] * m[1][2] + v[2] * m[2][2],
  ];
}
/** Matrix times column vector: M·v. */
export function matVec(m: Mat3, v: Vec3): Vec3 {
  return [dot(m[0], v), dot(m[1], v), dot(m[2], v)];
}
export function matMul(a: Mat3, b: Mat3): Mat3 {
  return [vecMat(a[0], b), vecMat(a[1], b), vecMat(a[2], b)];
}
/** Wrap a fractional coordinate into [0, 1); values within 1e-10 of 1 become 0. */
export function wrap01(x: number): number {
  let y = x - Math.floor(x);
  if (y >= 1 - 1e-10) y = 0;
  return y;
}
export function wrapFrac(f: Vec3): Vec3 {
  return [wrap01(f[0]), wrap01(f[1]), wrap01(f[2])];
}

/**
 * A periodic lattice. Fractional → Cartesian is r = f·M with M's rows the cell
 * vectors (pymatgen's convention).
 */
export class Lattice {
  readonly matrix: Mat3;
  readonly inverse: Mat3;

  constructor(matrix: Mat3) {
    this.matrix = [
      [...matrix[0]],
      [...matrix[1]],
      [...matrix[2]],
    ] as Mat3;
    const v = det3(this.matrix);
    if (!(Math.abs(v) > 1e-8)) throw new RangeError(`lattice volume ${v} is not positive`);
    this.inverse = inv3(this.matrix);
  }

  /** Standard orientation: a along x, b in the xy plane (as in CIF → Cartesian conventions). */
  static fromParameters(a: number, b: number, c: number, alpha: number, beta: number, gamma: number): Lattice {
    const ca = Math.cos(alpha * DEG);
    const cb = Math.cos(beta * DEG);
    const cg = Math.cos(gamma * DEG);
    const sg = Math.sin(gamma * DEG);
    const cx = c * cb;
    const cy = (c * (ca - cb * cg)) / sg;
    const cz2 = c * c - cx * cx - cy * cy;
    if (!(a > 0 && b > 0 && c > 0) || !(cz2 > 1e-12)) {
      throw new RangeError(
        `cell a=${a} b=${b} c=${c} alpha=${alpha} beta=${beta} gamma=${gamma} has no positive volume`,
      );
    }
    return new Lattice([
      [a, 0, 0],
      [b * cg, b * sg, 0],
      [cx, cy, Math.sqrt(cz2)],
    ]);
  }

  get a(): number {
    return norm(this.matrix[0]);
  }
  get b(): number {
    return norm(this.matrix[1]);
  }
  get c(): number {
    return norm(this.matrix[2]);
  }
  get alpha(): number {
    return angle(this.matrix[1], this.matrix[2]);
  }
  get beta(): number {
    return angle(this.matrix[0], this.matrix[2]);
  }
  get gamma(): number {
    return angle(this.matrix[0], this.matrix[1]);
  }
  get volume(): number {
    return Math.abs(det3(this.matrix));
  }
  get parameters() {
    return { a: this.a, b: this.b, c: this.c, alpha: this.alpha, beta: this.beta, gamma: this.gamma, volume: this.volume };
  }

  toCartesian(f: Vec3): Vec3 {
    return vecMat(f, this.matrix);
  }
  toFractional(r: Vec3): Vec3 {
    return vecMat(r, this.inverse);
  }
  /** Length in Å of a fractional displacement. */
  fracLength(df: Vec3): number {
    return norm(this.toCartesian(df));
  }
  /**
   * Shortest periodic image of a fractional displacement. Exact for any cell:
   * searches the 27 (or more for skewed cells) neighbouring translations.
   */
  minimumImage(df: Vec3): { vector: Vec3; image: Vec3; distance: number } {
    const base: Vec3 = [df[0] - Math.round(df[0]), df[1] - Math.round(df[1]), df[2] - Math.round(df[2])];
    let best = { vector: base, image: [0, 0, 0] as Vec3, distance: Infinity };
    for (let i = -1; i <= 1; i++)
      for (let j = -1; j <= 1; j++)
        for (let k = -1; k <= 1; k++) {
          const v: Vec3 = [base[0] + i, base[1] + j, base[2] + k];
          const d = this.fracLength(v);
          if (d < best.distance - 1e-12) best = { vector: v, image: [Math.round(v[0] - df[0]), Math.round(v[1] - df[1]), Math.round(v[2] - df[2])], distance: d };
        }
    return best;
  }
  /** Perpendicular heights of the cell (Å) — how many images a cutoff needs along each axis. */
  get heights(): Vec3 {
    const [a, b, c] = this.matrix;
    const v = this.volume;
    return [v / norm(cross(b, c)), v / norm(cross(c, a)), v / norm(cross(a, b))];
  }
}

/**
 * Thinnest cell a structure file may describe (Å between opposite faces). No
 * crystal has lattice planes closer than about an atom's radius; a thinner cell
 * is a typo in lengths or angles (pymatgen's "superflat" test cell has heights
 * of 1e-7 Å), and neighbour searches would visit ~(cutoff/height) images per atom.
 */
export const MIN_CELL_HEIGHT = 0.5;

/** Why a cell cannot be read as a crystal (nearly flat, or an edge longer than maxLength Å), or undefined. */
export function cellShapeProblem(lattice: Lattice, maxLength: number): string | undefined {
  const longest = Math.max(lattice.a, lattice.b, lattice.c);
  if (longest > maxLength) return `a cell edge of ${longest.toFixed(1)} Å is longer than the ${maxLength} Å cescreen reads (see README, Known limits)`;
  const h = lattice.heights;
  const k = h.indexOf(Math.min(...h));
  if (h[k] >= MIN_CELL_HEIGHT) return undefined;
  return `the cell is ${h[k].toPrecision(3)} Å thick across its ${['b,c', 'c,a', 'a,b'][k]} faces (expected at least ${MIN_CELL_HEIGHT} Å: wrong lengths or angles?)`;
}

function angle(u: Vec3, v: Vec3): number {
  const c = dot(u, v) / (norm(u) * norm(v));
  return Math.acos(Math.max(-1, Math.min(1, c))) / DEG;
}
