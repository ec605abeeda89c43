import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Vec3 } from '../src/structure/lattice.ts';
import {
  IDEAL_POLYHEDRA,
  convexHull,
  distanceFromOriginToHull,
  hungarian,
  nearestIdealPolyhedron,
  optimalRotation,
  polyhedronFaces,
  rankIdealPolyhedra,
  shapeMeasure,
  topologicalCode,
} from '../src/environment/polyhedron.ts';

// Deterministic pseudo-random numbers (LCG) so failures reproduce.
function rng(seed: number) {
  let s = seed;
  const uniform = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const gauss = () => {
    let u = 0;
    while (u === 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, gauss };
}

type Mat = number[][];
function randomRotation(g: () => number): Mat {
  const q = [g(), g(), g(), g()];
  const l = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / l);
  return [
    [w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z],
  ];
}
const apply = (R: Mat, v: Vec3): Vec3 => [0, 1, 2].map((i) => R[i][0] * v[0] + R[i][1] * v[1] + R[i][2] * v[2]) as Vec3;

/** Rotate, scale, translate and shuffle a vertex set. */
function disguise(vs: readonly Vec3[], centre: Vec3, scale: number, r: ReturnType<typeof rng>): Vec3[] {
  const R = randomRotation(r.gauss);
  const out = vs.map((v) => apply(R, v).map((x, i) => centre[i] + scale * x) as Vec3);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r.uniform() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Gaussian displacement with RMS length `rms` (absolute). */
function jitter(vs: readonly Vec3[], rms: number, r: ReturnType<typeof rng>): Vec3[] {
  const s = rms / Math.sqrt(3);
  return vs.map((v) => [v[0] + s * r.gauss(), v[1] + s * r.gauss(), v[2] + s * r.gauss()] as Vec3);
}

const ideal = (name: string) => {
  const p = IDEAL_POLYHEDRA.find((x) => x.name === name);
  assert.ok(p, `library has ${name}`);
  return p;
};

const unitCube: Vec3[] = [];
for (const x of [0, 1]) for (const y of [0, 1]) for (const z of [0, 1]) unitCube.push([x, y, z]);

test('unit cube: volume 1, area 6, 8 corners, 12 outward triangles, containment', () => {
  const hull = convexHull(unitCube);
  assert.equal(hull.degenerate, false);
  assert.ok(Math.abs(hull.volume - 1) < 1e-12, `volume ${hull.volume}`);
  assert.ok(Math.abs(hull.area - 6) < 1e-12, `area ${hull.area}`);
  assert.deepEqual(hull.vertices, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(hull.faces.length, 12);
  // Every triangle's normal points away from the cube centre.
  for (const [a, b, c] of hull.faces) {
    const u = unitCube[b].map((x, i) => x - unitCube[a][i]);
    const v = unitCube[c].map((x, i) => x - unitCube[a][i]);
    const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    const out = unitCube[a].map((x) => x - 0.5);
    assert.ok(n[0] * out[0] + n[1] * out[1] + n[2] * out[2] > 0);
  }
  assert.equal(hull.contains([0.5, 0.5, 0.5], { strict: true }), true);
  assert.equal(hull.contains([0.5, 0.5, 1], { strict: true }), false, 'on a face is not strictly inside');
  assert.equal(hull.contains([0.5, 0.5, 1]), true, 'on a face is inside non-strictly');
  assert.equal(hull.contains([0.5, 0.5, 1.01]), false);
  assert.equal(hull.contains([0.5, 0.5, 1.01], { tolerance: 0.02 }), true);
  assert.equal(topologicalCode(unitCube), '8^{0.3}');
});

test('points on a face or an edge are not corners; faces use corners only', () => {
  const withFaceCentre: Vec3[] = [...unitCube, [0.5, 0.5, 1]];
  const hull = convexHull(withFaceCentre);
  assert.equal(hull.vertices.includes(8), false);
  assert.equal(hull.vertices.length, 8);
  assert.ok(hull.faces.every((f) => !f.includes(8)));
  assert.ok(Math.abs(hull.volume - 1) < 1e-12);
  assert.equal(topologicalCode(withFaceCentre), '8^{0.3}');

  const withEdgeMidpoint: Vec3[] = [...unitCube, [0.5, 0, 0]];
  assert.equal(convexHull(withEdgeMidpoint).vertices.includes(8), false);
  const withInterior: Vec3[] = [...unitCube, [0.4, 0.5, 0.6]];
  assert.equal(convexHull(withInterior).vertices.includes(8), false);

  // Tolerance is relative to the RMS radius (√3/2 here): 1e-3·0.866 = 0.00087.
  const barelyOut: Vec3[] = [...unitCube, [0.5, 0.5, 1 + 0.0004]];
  assert.equal(convexHull(barelyOut).vertices.includes(8), false);
  const clearlyOut: Vec3[] = [...unitCube, [0.5, 0.5, 1 + 0.01]];
  const h2 = convexHull(clearlyOut);
  assert.equal(h2.vertices.includes(8), true);
  // A flat cap stays a cap: 4 triangles at the new corner, none swallowed into a face.
  assert.equal(topologicalCode(clearlyOut), '4^{2.2} 4^{0.3} 1^{4.0}');
});

test('duplicate points: only the first of a coincident pair is a corner', () => {
  const pts: Vec3[] = [...unitCube, [1, 1, 1]];
  const hull = convexHull(pts);
  assert.deepEqual(hull.vertices, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok(Math.abs(hull.volume - 1) < 1e-12);
});

test('regular octahedron of vertex distance 1 has volume 4/3 and code 6^{4.0}', () => {
  const oct: Vec3[] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
  const hull = convexHull(oct);
  assert.ok(Math.abs(hull.volume - 4 / 3) < 1e-12, `volume ${hull.volume}`);
  assert.ok(Math.abs(hull.area - 4 * Math.sqrt(3)) < 1e-12, `area ${hull.area}`);
  assert.equal(topologicalCode(oct), '6^{4.0}');
});

test('degenerate inputs: fewer than 4 points, coplanar, collinear', () => {
  const three = convexHull([[0, 0, 0], [1, 0, 0], [0, 1, 0]]);
  assert.equal(three.degenerate, true);
  assert.equal(three.volume, 0);
  assert.equal(three.contains([0.1, 0.1, 0]), false);
  const square = convexHull([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 0.5, 0]]);
  assert.equal(square.degenerate, true);
  assert.equal(square.volume, 0);
  const line = convexHull([[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]]);
  assert.equal(line.degenerate, true);
  assert.equal(topologicalCode([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]]), '');
});

test('distance from a point to a convex hull (Wolfe) matches geometry', () => {
  const from = (p: Vec3) => distanceFromOriginToHull(unitCube.map((c) => [c[0] - p[0], c[1] - p[1], c[2] - p[2]] as Vec3));
  assert.ok(Math.abs(from([2, 0.5, 0.5]) - 1) < 1e-12); // nearest a face
  assert.ok(Math.abs(from([2, 2, 0.5]) - Math.SQRT2) < 1e-12); // nearest an edge
  assert.ok(Math.abs(from([2, 2, 2]) - Math.sqrt(3)) < 1e-12); // nearest a corner
  assert.ok(from([0.3, 0.6, 0.9]) < 1e-9); // inside
});

test('topological codes of the canonical polyhedra (library codes are computed, not typed)', () => {
  const expected: Record<string, string> = {
    tetrahedron: '4^{3.0}',
    octahedron: '6^{4.0}',
    'trigonal prism': '6^{1.2}',
    cube: '8^{0.3}',
    'square antiprism': '8^{3.1}',
    'tricapped trigonal prism': '6^{5.0} 3^{4.0}',
    'bicapped square antiprism': '8^{5.0} 2^{4.0}',
    cuboctahedron: '12^{2.2}',
    anticuboctahedron: '12^{2.2}',
    icosahedron: '12^{5.0}',
    'rhombic dodecahedron': '8^{0.3} 6^{0.4}',
    'Frank-Kasper CN14': '12^{5.0} 2^{6.0}',
    'Frank-Kasper CN15': '12^{5.0} 3^{6.0}',
    'Frank-Kasper CN16': '12^{5.0} 4^{6.0}',
    'pentagonal prism': '10^{0.2.1}',
    'hexagonal prism': '12^{0.2.1}',
  };
  for (const [name, code] of Object.entries(expected)) {
    const p = ideal(name);
    assert.equal(p.code, code, name);
    assert.equal(topologicalCode(p.vertices), code, name);
    assert.equal(p.vertices.length, p.cn);
    assert.equal(convexHull(p.vertices).vertices.length, p.cn, `${name}: every vertex is a corner`);
    assert.equal(convexHull(p.vertices).contains([0, 0, 0], { strict: true }), true, `${name}: centre inside`);
  }
  // bcc: 6 second neighbours at 2/√3 of the first-shell distance.
  const rd = ideal('rhombic dodecahedron').vertices.map((v) => Math.hypot(...v)).sort((a, b) => a - b);
  assert.ok(Math.abs(rd[13] / rd[0] - 2 / Math.sqrt(3)) < 1e-12);
  // Friauf polyhedron of MgCu2: 12 Cu at √11/8 a, 4 Mg at √3/4 a.
  const fk16 = ideal('Frank-Kasper CN16').vertices.map((v) => Math.hypot(...v)).sort((a, b) => a - b);
  assert.ok(Math.abs(fk16[15] / fk16[0] - (Math.sqrt(3) / 4) / (Math.sqrt(11) / 8)) < 1e-12);
});

test('polyhedronFaces: cube gives 6 quadrilaterals, counter-clockwise from outside', () => {
  const hull = convexHull(unitCube);
  const faces = polyhedronFaces(unitCube, hull, 15);
  assert.equal(faces.length, 6);
  for (const f of faces) {
    assert.equal(f.length, 4);
    // Newell normal of the cycle points outward.
    const n = [0, 0, 0];
    for (let i = 0; i < f.length; i++) {
      const a = unitCube[f[i]];
      const b = unitCube[f[(i + 1) % f.length]];
      n[0] += (a[1] - b[1]) * (a[2] + b[2]);
      n[1] += (a[2] - b[2]) * (a[0] + b[0]);
      n[2] += (a[0] - b[0]) * (a[1] + b[1]);
    }
    const c = [0, 1, 2].map((k) => f.reduce((s, v) => s + unitCube[v][k], 0) / 4 - 0.5);
    assert.ok(n[0] * c[0] + n[1] * c[1] + n[2] * c[2] > 0);
  }
  // With zero tolerance nothing merges: 12 triangles.
  assert.equal(polyhedronFaces(unitCube, hull, 0).length, 12);
});

test('codes survive 1–2 % displacement noise; distinct faces never merge', () => {
  const r = rng(2024);
  for (const name of ['cube', 'cuboctahedron', 'rhombic dodecahedron', 'icosahedron', 'Frank-Kasper CN14', 'square antiprism']) {
    const p = ideal(name);
    for (const level of [0.01, 0.02]) {
      let changed = 0;
      for (let t = 0; t < 100; t++) if (topologicalCode(jitter(p.vertices, level, r)) !== p.code) changed++;
      assert.equal(changed, 0, `${name} at ${level * 100}% noise: ${changed}/100 codes changed`);
    }
  }
  // The icosahedron's adjacent faces are 41.8° apart: still 20 triangles at 2 % noise.
  const ico = ideal('icosahedron').vertices;
  for (let t = 0; t < 50; t++) {
    const pts = jitter(ico, 0.02, r);
    const faces = polyhedronFaces(pts, convexHull(pts), 15);
    assert.equal(faces.length, 20);
  }
  // A tolerance above 41.8° does merge them — the test above can fail.
  assert.notEqual(topologicalCode(ico, { angleTolerance: 45 }), '12^{5.0}');
});

test('hungarian solves assignment exactly (checked against brute force)', () => {
  const r = rng(7);
  const perms = (n: number): number[][] =>
    n === 0 ? [[]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
  const all = perms(6);
  for (let t = 0; t < 20; t++) {
    const cost = Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => Math.round(r.uniform() * 100)));
    const assign = hungarian(cost);
    const total = assign.reduce((s, j, i) => s + cost[i][j], 0);
    const best = Math.min(...all.map((p) => p.reduce((s, j, i) => s + cost[i][j], 0)));
    assert.equal(total, best);
    assert.equal(new Set(assign).size, 6);
  }
});

test('optimalRotation (Horn) recovers a known rotation', () => {
  const r = rng(11);
  const R = randomRotation(r.gauss);
  const p: Vec3[] = Array.from({ length: 7 }, () => [r.gauss(), r.gauss(), r.gauss()]);
  const q = p.map((v) => apply(R, v));
  const fit = optimalRotation(q, p);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(fit.R[i][j] - R[i][j]) < 1e-9);
  const pp = p.reduce((s, v) => s + v[0] ** 2 + v[1] ** 2 + v[2] ** 2, 0);
  assert.ok(Math.abs(fit.score - pp) < 1e-9);
});

test('shape-measure search finds the global optimum of all 720 assignments (CN6)', () => {
  const r = rng(77);
  const perms = (n: number): number[][] =>
    n === 0 ? [[]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
  const all = perms(6);
  const centred = (vs: Vec3[]): Vec3[] => {
    const c = [0, 1, 2].map((k) => vs.reduce((s, v) => s + v[k], 0) / vs.length);
    return vs.map((v) => v.map((x, k) => x - c[k]) as Vec3);
  };
  const sq = (vs: Vec3[]) => vs.reduce((s, v) => s + v[0] ** 2 + v[1] ** 2 + v[2] ** 2, 0);
  for (const name of ['octahedron', 'trigonal prism']) {
    const idealVs = ideal(name).vertices;
    for (let t = 0; t < 8; t++) {
      const pts = jitter(idealVs, 0.6, r); // heavily distorted
      const Q = centred([[0, 0, 0], ...pts]);
      const P = centred([[0, 0, 0], ...idealVs]);
      let best = -Infinity;
      for (const p of all) best = Math.max(best, optimalRotation(Q, [P[0], ...p.map((j) => P[j + 1])]).score);
      const brute = (100 * (sq(Q) - (best * best) / sq(P))) / sq(Q);
      const s = shapeMeasure(pts, [0, 0, 0], idealVs).deviation;
      assert.ok(Math.abs(s - brute) < 1e-9, `${name}: search ${s} vs brute force ${brute}`);
    }
  }
});

test('every library polyhedron, disguised, is itself with S < 1e-6', () => {
  const r = rng(31);
  for (const p of IDEAL_POLYHEDRA) {
    const centre: Vec3 = [3.1, -1.7, 0.4];
    const pts = disguise(p.vertices, centre, 2.6, r);
    const s = shapeMeasure(pts, centre, p.vertices);
    assert.ok(s.deviation < 1e-6, `${p.name}: S = ${s.deviation}`);
    assert.ok(s.rmsd < 1e-6, `${p.name}: rmsd = ${s.rmsd}`);
    const best = nearestIdealPolyhedron(pts, centre);
    assert.equal(best?.name, p.name);
    assert.equal(best?.code, p.code);
  }
});

test('shape measure reproduces SHAPE reference values and separates look-alikes', () => {
  // Octahedron vs regular trigonal prism: 16.737 (Alvarez et al., the Bailar-twist endpoints).
  const oct = ideal('octahedron').vertices;
  const s = shapeMeasure(oct, [0, 0, 0], ideal('trigonal prism').vertices);
  assert.ok(Math.abs(s.deviation - 16.737) < 1e-3, `S(OC-6, TPR-6) = ${s.deviation}`);

  // fcc vs hcp environments share 12^{2.2} but not their shape.
  const co = ideal('cuboctahedron').vertices;
  const aco = ideal('anticuboctahedron').vertices;
  const d = shapeMeasure(co, [0, 0, 0], aco).deviation;
  assert.ok(Math.abs(d - 7.362) < 1e-3, `S(cuboctahedron, anticuboctahedron) = ${d}`);
  assert.ok(Math.abs(shapeMeasure(aco, [0, 0, 0], co).deviation - d) < 1e-9, 'symmetric for equal-size shapes');
  assert.equal(nearestIdealPolyhedron(co, [0, 0, 0])?.name, 'cuboctahedron');
  assert.equal(nearestIdealPolyhedron(aco, [0, 0, 0])?.name, 'anticuboctahedron');

  // The centre atom counts: an off-centre octahedron is no longer perfect.
  const off = shapeMeasure(oct, [0.1, 0, 0], oct);
  assert.ok(off.deviation > 0.1 && off.deviation < 1, `off-centre S = ${off.deviation}`);
});

test('a 2 % noisy icosahedron is still nearest to the icosahedron', () => {
  const r = rng(5);
  const ico = ideal('icosahedron').vertices.map((v) => v.map((x) => 2.8 * x) as Vec3);
  for (let t = 0; t < 5; t++) {
    const pts = jitter(ico, 0.02 * 2.8, r);
    const ranking = rankIdealPolyhedra(pts, [0, 0, 0]);
    assert.equal(ranking[0].name, 'icosahedron');
    assert.ok(ranking[0].deviation < 0.1, `S = ${ranking[0].deviation}`);
    assert.ok(ranking[0].rmsd < 0.1, `rmsd = ${ranking[0].rmsd} Å`);
    assert.ok(ranking[1].deviation > 4, `runner-up ${ranking[1].name} S = ${ranking[1].deviation}`);
  }
});

test('shape measure is deterministic; unknown CN gives null', () => {
  const r = rng(9);
  const pts = jitter(ideal('Frank-Kasper CN16').vertices, 0.05, r);
  const a = shapeMeasure(pts, [0, 0, 0], ideal('Frank-Kasper CN16').vertices);
  const b = shapeMeasure(pts, [0, 0, 0], ideal('Frank-Kasper CN16').vertices);
  assert.deepEqual(a, b);
  const five: Vec3[] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1]];
  assert.equal(nearestIdealPolyhedron(five, [0, 0, 0]), null);
  assert.throws(() => shapeMeasure(five, [0, 0, 0], oct6()), RangeError);
});

function oct6(): Vec3[] {
  return ideal('octahedron').vertices;
}

test('convexHull + corner check stays well under 1 ms for a 16–20 atom shell', () => {
  const r = rng(3);
  const sets = Array.from({ length: 300 }, () => jitter(ideal('Frank-Kasper CN16').vertices, 0.03, r));
  for (const s of sets.slice(0, 50)) convexHull(s); // warm-up
  const t0 = performance.now();
  for (const s of sets) convexHull(s);
  const perHull = (performance.now() - t0) / sets.length;
  assert.ok(perHull < 1, `${perHull.toFixed(3)} ms per hull`);
});
