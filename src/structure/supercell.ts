import { Lattice, type Mat3, type Vec3, cross, det3, matMul, vecMat } from './lattice.ts';
import { Structure, type Site } from './structure.ts';
import { InputError } from '../util/errors.ts';
import { MAX_SUPERCELL_DETERMINANT } from '../util/limits.ts';

/**
 * `2x2x1`, `2,2,1`, `2 2 1` (diagonal) or nine integers `2 0 0 0 2 0 0 0 1`
 * (rows = new cell vectors in the old basis) → integer matrix with det > 0.
 */
export function parseSupercellSpec(spec: string): Mat3 {
  const s = spec.trim();
  const bad = (why: string): never => {
    throw new InputError(`supercell '${spec}': ${why} (expected e.g. 2x2x1, 2,2,1 or nine integers '2 0 0 0 2 0 0 0 1')`);
  };
  const parts = s.split(/\s*[x×*,;\s]\s*/i).filter((p) => p !== '');
  if (parts.length !== 3 && parts.length !== 9) bad(`found ${parts.length} numbers`);
  const n = parts.map((p) => (/^[+-]?\d+$/.test(p) ? Number(p) : bad(`'${p}' is not an integer`)));
  const m: Mat3 =
    n.length === 3
      ? [
          [n[0], 0, 0],
          [0, n[1], 0],
          [0, 0, n[2]],
        ]
      : [
          [n[0], n[1], n[2]],
          [n[3], n[4], n[5]],
          [n[6], n[7], n[8]],
        ];
  checkMatrix(m, spec);
  return m;
}

function checkMatrix(m: Mat3, spec: string): number {
  if (!m.flat().every((x) => Number.isSafeInteger(x))) throw new InputError(`supercell matrix ${formatSupercell(m)} must have integer entries`);
  const d = det3(m);
  if (d <= 0) throw new InputError(`supercell '${spec}' has determinant ${d}; it must be positive (a right-handed cell of det copies)`);
  if (d > MAX_SUPERCELL_DETERMINANT) throw new InputError(`supercell '${spec}' has determinant ${d}, more than ${MAX_SUPERCELL_DETERMINANT} copies of the cell`);
  return d;
}

/** `2x2x1` for diagonal matrices, else the nine integers row by row. */
export function formatSupercell(m: Mat3): string {
  const diagonal = m.every((row, i) => row.every((x, j) => i === j || x === 0));
  return diagonal ? `${m[0][0]}x${m[1][1]}x${m[2][2]}` : m.flat().join(' ');
}

/**
 * The integer translations n (old basis) inside the new cell, i.e. with
 * n·M⁻¹ in [0,1)³: exactly det(M) of them. Tested in integers with the
 * adjugate, n·adj(M) ∈ [0, det)³, so no rounding can drop or double one.
 */
function latticePointsInside(m: Mat3, d: number): Vec3[] {
  const adj = adjugate(m);
  // Bounding box of the new cell's corners in the old basis.
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  for (let mask = 0; mask < 8; mask++) {
    for (let k = 0; k < 3; k++) {
      const v = (mask & 1 ? m[0][k] : 0) + (mask & 2 ? m[1][k] : 0) + (mask & 4 ? m[2][k] : 0);
      lo[k] = Math.min(lo[k], v);
      hi[k] = Math.max(hi[k], v);
    }
  }
  const points: Vec3[] = [];
  for (let a = lo[0]; a <= hi[0]; a++)
    for (let b = lo[1]; b <= hi[1]; b++)
      for (let c = lo[2]; c <= hi[2]; c++) {
        const p = vecMat([a, b, c], adj);
        if (p.every((x) => x >= 0 && x < d)) points.push([a, b, c]);
      }
  if (points.length !== d) throw new Error(`supercell: found ${points.length} lattice points for det ${d}`);
  return points;
}

/**
 * Supercell with lattice rows M·(old rows): every atom of the old cell copied
 * to each of the det(M) old-lattice translations inside the new cell; labels
 * and elements kept.
 */
export function supercell(structure: Structure, spec: string | Mat3): Structure {
  const m = typeof spec === 'string' ? parseSupercellSpec(spec) : spec;
  const d = checkMatrix(m, typeof spec === 'string' ? spec : formatSupercell(m));
  const lattice = new Lattice(matMul(m, structure.lattice.matrix));
  // Fractional coordinates transform as f_new = f_old·M⁻¹ (r = f_old·A = f_new·M·A).
  const mInv = adjugate(m).map((row) => row.map((x) => x / d)) as Mat3;
  const sites: Site[] = [];
  for (const n of latticePointsInside(m, d)) {
    for (const s of structure.sites) {
      const f: Vec3 = [s.frac[0] + n[0], s.frac[1] + n[1], s.frac[2] + n[2]];
      sites.push({ element: s.element, label: s.label, frac: vecMat(f, mInv) });
    }
  }
  const title = `${structure.title} ${formatSupercell(m)}`.trim();
  return new Structure(lattice, sites, title);
}

/** adj(M) with M·adj(M) = det(M)·I; exact for integer M. */
function adjugate(m: Mat3): Mat3 {
  const c0 = cross(m[1], m[2]);
  const c1 = cross(m[2], m[0]);
  const c2 = cross(m[0], m[1]);
  return [
    [c0[0], c1[0], c2[0]],
    [c0[1], c1[1], c2[1]],
    [c0[2], c1[2], c2[2]],
  ];
}
