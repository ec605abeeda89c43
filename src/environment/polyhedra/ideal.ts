/**
 * Library of ideal coordination polyhedra. Every shape is built from geometry
 * (or from the ideal crystal environment it is named after) with the central
 * atom at the origin; each `code` is computed by topologicalCode, not typed in.
 */
import { Lattice, type Vec3, norm, scale, sub } from '../../structure/lattice.ts';
import { topologicalCode } from './topology.ts';

export interface IdealPolyhedron {
  name: string;
  cn: number;
  code: string;
  /** Vertex positions relative to the central atom (origin), nearest-neighbour scale ~1. */
  vertices: Vec3[];
}

const SQ3 = Math.sqrt(3);
const PHI = (1 + Math.sqrt(5)) / 2;

/** n points on a horizontal circle of radius r at height z, the first at angle phase (rad). */
function ring(n: number, r: number, z: number, phase = 0): Vec3[] {
  return Array.from({ length: n }, (_, k) => {
    const a = phase + (2 * Math.PI * k) / n;
    return [r * Math.cos(a), r * Math.sin(a), z] as Vec3;
  });
}

/** All sign combinations of the non-zero components. */
function signs(v: Vec3): Vec3[] {
  const out: Vec3[] = [[...v]];
  for (let axis = 0; axis < 3; axis++) {
    if (v[axis] === 0) continue;
    for (const p of [...out]) {
      const q: Vec3 = [...p];
      q[axis] = -q[axis];
      out.push(q);
    }
  }
  return out;
}

/** Cyclic permutations (x,y,z), (y,z,x), (z,x,y). */
function cyclic(v: Vec3): Vec3[] {
  return [v, [v[1], v[2], v[0]], [v[2], v[0], v[1]]];
}

/**
 * Neighbours of fractional site `centre` within `cutoff` (Cartesian units of
 * `lattice`) in a crystal given by its full list of fractional positions.
 */
function crystalShell(lattice: Lattice, basis: Vec3[], centre: Vec3, cutoff: number): Vec3[] {
  const c = lattice.toCartesian(centre);
  const out: Vec3[] = [];
  for (const f of basis)
    for (let i = -2; i <= 2; i++)
      for (let j = -2; j <= 2; j++)
        for (let k = -2; k <= 2; k++) {
          const r = sub(lattice.toCartesian([f[0] + i, f[1] + j, f[2] + k]), c);
          const d = norm(r);
          if (d > 1e-9 && d <= cutoff) out.push(r);
        }
  return out;
}

function fcc(sites: Vec3[]): Vec3[] {
  const shifts: Vec3[] = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
  return sites.flatMap((s) => shifts.map((t) => [s[0] + t[0], s[1] + t[1], s[2] + t[2]] as Vec3));
}

/** Scale so that the shortest centre–vertex distance is 1 (keeps the library on one length scale). */
function normalise(vs: Vec3[]): Vec3[] {
  const r = Math.min(...vs.map(norm));
  return vs.map((v) => scale(v, 1 / r));
}

function tetrahedron(): Vec3[] {
  return [[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]];
}

function octahedron(): Vec3[] {
  return [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
}

/** D3h prism with all edges equal (edge a = 1): triangles of circumradius 1/√3 at z = ±1/2. */
function trigonalPrism(): Vec3[] {
  return [...ring(3, 1 / SQ3, 0.5), ...ring(3, 1 / SQ3, -0.5)];
}

/** Regular trigonal prism inscribed in the unit sphere (all edges equal). */
function sphericalPrism(): { top: Vec3[]; bottom: Vec3[]; a: number } {
  const a = Math.sqrt(12 / 7); // a²/3 + a²/4 = 1
  return { top: ring(3, a / SQ3, a / 2), bottom: ring(3, a / SQ3, -a / 2), a };
}

/** Cap directions over the square faces of a prism built with ring(3, …, phase 0). */
function squareFaceDirections(count: number): Vec3[] {
  return ring(3, 1, 0, Math.PI / 3).slice(0, count);
}

/** All-edges-equal square antiprism on the unit sphere: squares of side a = ρ√2 at z = ±h. */
function squareAntiprism(): { top: Vec3[]; bottom: Vec3[] } {
  // Lateral edge² = 2ρ²(1 − cos45°) + 4h² = a² = 2ρ²  →  h = ρ·2^{-3/4}; ρ² + h² = 1.
  const rho = 1 / Math.sqrt(1 + 2 ** -1.5);
  const h = rho * 2 ** -0.75;
  return { top: ring(4, rho, h), bottom: ring(4, rho, -h, Math.PI / 4) };
}

function cube(): Vec3[] {
  return signs([1, 1, 1]);
}

/** fcc environment: the 12 vectors (±1, ±1, 0) and permutations. */
function cuboctahedron(): Vec3[] {
  return cyclic([1, 1, 0]).flatMap(signs);
}

/** hcp environment (ideal c/a = √(8/3)): triangular orthobicupola — eclipsed triangles above and below. */
function anticuboctahedron(): Vec3[] {
  const c = Math.sqrt(8 / 3);
  return [...ring(6, 1, 0), ...ring(3, 1 / SQ3, c / 2, Math.PI / 6), ...ring(3, 1 / SQ3, -c / 2, Math.PI / 6)];
}

function icosahedron(): Vec3[] {
  return cyclic([0, 1, PHI]).flatMap(signs);
}

/** bcc first + second shell: 8 at (±½,±½,±½), 6 at (±1,0,0) — ratio 2/√3 as in bcc. */
function rhombicDodecahedron(): Vec3[] {
  return [...signs([0.5, 0.5, 0.5]), ...cyclic([1, 0, 0]).flatMap(signs)];
}

/** Spherical TCTPR-9: regular prism and three caps over the square faces, all on the unit sphere. */
function tricappedTrigonalPrism(): Vec3[] {
  const { top, bottom } = sphericalPrism();
  return [...top, ...bottom, ...squareFaceDirections(3)];
}

function cappedTrigonalPrism(): Vec3[] {
  const { top, bottom } = sphericalPrism();
  return [...top, ...bottom, ...squareFaceDirections(1)];
}

function bicappedTrigonalPrism(): Vec3[] {
  const { top, bottom } = sphericalPrism();
  return [...top, ...bottom, ...squareFaceDirections(2)];
}

/** Regular square antiprism and two axial caps, all on the unit sphere. */
function bicappedSquareAntiprism(): Vec3[] {
  const { top, bottom } = squareAntiprism();
  return [...top, ...bottom, [0, 0, 1], [0, 0, -1]];
}

/** Regular pentagon on the unit circle and two apices on the unit sphere (D5h). */
function pentagonalBipyramid(): Vec3[] {
  return [...ring(5, 1, 0), [0, 0, 1], [0, 0, -1]];
}

/** Prism on the unit sphere with all edges equal: n-gon of edge a at z = ±a/2. */
function regularPrism(n: number): Vec3[] {
  const rOverA = 1 / (2 * Math.sin(Math.PI / n));
  const a = 1 / Math.sqrt(rOverA * rOverA + 0.25);
  return [...ring(n, a * rOverA, a / 2), ...ring(n, a * rOverA, -a / 2)];
}

/** A15 Cr3Si (Pm-3n, a = 1): the Cr 6c site (¼,0,½) has 2 Cr + 4 Si + 8 Cr within 0.62a (next shell > 0.7a). */
function frankKasper14(): Vec3[] {
  const basis: Vec3[] = [
    [0, 0, 0], [0.5, 0.5, 0.5],
    [0.25, 0, 0.5], [0.75, 0, 0.5], [0.5, 0.25, 0], [0.5, 0.75, 0], [0, 0.5, 0.25], [0, 0.5, 0.75],
  ];
  return crystalShell(new Lattice([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), basis, [0.25, 0, 0.5], 0.7);
}

/**
 * Zr4Al3 (Frank–Kasper Z phase, P6/mmm, c/a = 5.390/5.433): Zr 2c (⅓,⅔,0),
 * Zr 2e (0,0,±z), Al 3g (½,0,½). The 2c site is the Z15 polyhedron: 3 Zr(2c)
 * in the equatorial plane (the six-fold corners) + 6 Al + 6 Zr(2e). z is set
 * to ¼ — equal spacing along the CN14 chain, as in A15 — so the shape is the
 * idealised one rather than one refinement's.
 */
function frankKasper15(): Vec3[] {
  const c = 5.39 / 5.433;
  const lattice = Lattice.fromParameters(1, 1, c, 90, 90, 120);
  const z = 0.25;
  const basis: Vec3[] = [
    [1 / 3, 2 / 3, 0], [2 / 3, 1 / 3, 0],
    [0, 0, z], [0, 0, -z],
    [0.5, 0, 0.5], [0, 0.5, 0.5], [0.5, 0.5, 0.5],
  ];
  return crystalShell(lattice, basis, [1 / 3, 2 / 3, 0], 0.7);
}

/** MgCu2 (C15, Fd-3m origin 2, a = 1): Mg 8a (⅛,⅛,⅛) has 12 Cu at √11/8 and 4 Mg at √3/4 — the Friauf polyhedron. */
function frankKasper16(): Vec3[] {
  const mg: Vec3[] = [[0.125, 0.125, 0.125], [0.875, 0.875, 0.875]];
  const cu: Vec3[] = [[0.5, 0.5, 0.5], [0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.25, 0.25, 0.5]];
  const basis = [...fcc(mg), ...fcc(cu)];
  return crystalShell(new Lattice([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), basis, [0.125, 0.125, 0.125], 0.45);
}

const BUILDERS: { name: string; build: () => Vec3[] }[] = [
  { name: 'tetrahedron', build: tetrahedron },
  { name: 'octahedron', build: octahedron },
  { name: 'trigonal prism', build: trigonalPrism },
  { name: 'pentagonal bipyramid', build: pentagonalBipyramid },
  { name: 'capped trigonal prism', build: cappedTrigonalPrism },
  { name: 'cube', build: cube },
  { name: 'square antiprism', build: () => { const s = squareAntiprism(); return [...s.top, ...s.bottom]; } },
  { name: 'bicapped trigonal prism', build: bicappedTrigonalPrism },
  { name: 'tricapped trigonal prism', build: tricappedTrigonalPrism },
  { name: 'bicapped square antiprism', build: bicappedSquareAntiprism },
  { name: 'pentagonal prism', build: () => regularPrism(5) },
  { name: 'cuboctahedron', build: cuboctahedron },
  { name: 'anticuboctahedron', build: anticuboctahedron },
  { name: 'icosahedron', build: icosahedron },
  { name: 'hexagonal prism', build: () => regularPrism(6) },
  { name: 'rhombic dodecahedron', build: rhombicDodecahedron },
  { name: 'Frank-Kasper CN14', build: frankKasper14 },
  { name: 'Frank-Kasper CN15', build: frankKasper15 },
  { name: 'Frank-Kasper CN16', build: frankKasper16 },
];

export const IDEAL_POLYHEDRA: readonly IdealPolyhedron[] = BUILDERS.map(({ name, build }) => {
  const vertices = normalise(build());
  return { name, cn: vertices.length, code: topologicalCode(vertices), vertices };
});
