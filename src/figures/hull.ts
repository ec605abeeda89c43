// Convex hull of a coordination shell, as polygonal faces.
// Shells hold a few to a few dozen atoms, so a brute-force plane search is
// fast enough and, unlike incremental hulls, merges coplanar atoms into one
// polygon (a cube gives 6 squares, not 12 triangles) — which is what a
// crystallographer expects to see drawn.

export type P3 = readonly [number, number, number];

const sub = (a: P3, b: P3): [number, number, number] => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: P3, b: P3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: P3, b: P3): [number, number, number] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: P3) => Math.sqrt(dot(a, a));

/**
 * Faces of the convex hull of `points`, each a list of point indices ordered
 * counter-clockwise seen from outside. Points within `relTol`×size of a face
 * plane count as on it. Returns [] when the points span no volume.
 */
export function hullFaces(points: readonly P3[], relTol = 1e-3): number[][] {
  const n = points.length;
  if (n < 4) return [];
  if (n > 96) throw new Error(`hullFaces: ${n} points is more than a coordination shell`);
  const c = points.reduce<[number, number, number]>((s, p) => [s[0] + p[0] / n, s[1] + p[1] / n, s[2] + p[2] / n], [0, 0, 0]);
  const size = Math.max(...points.map((p) => norm(sub(p, c))));
  if (size === 0) return [];
  const tol = relTol * size;
  const seen = new Set<string>();
  const faces: number[][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = j + 1; k < n; k++) {
        let nrm = cross(sub(points[j], points[i]), sub(points[k], points[i]));
        const len = norm(nrm);
        if (len < tol * size) continue; // (nearly) collinear triple
        nrm = [nrm[0] / len, nrm[1] / len, nrm[2] / len];
        const d = dot(nrm, points[i]);
        let above = 0;
        let below = 0;
        for (const p of points) {
          const s = dot(nrm, p) - d;
          if (s > tol) above++;
          else if (s < -tol) below++;
        }
        if (above && below) continue; // plane cuts through the shell
        if (!above && !below) return []; // all points coplanar: no volume
        if (above) nrm = [-nrm[0], -nrm[1], -nrm[2]]; // make the normal point outwards
        const members: number[] = [];
        for (let m = 0; m < n; m++) if (Math.abs(dot(nrm, points[m]) - dot(nrm, points[i])) <= tol) members.push(m);
        const key = members.join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        faces.push(orderAround(points, members, nrm));
      }
    }
  }
  return faces;
}

/** Sort a face's points by angle about its centroid, counter-clockwise about the outward normal. */
function orderAround(points: readonly P3[], members: number[], outward: P3): number[] {
  const m = members.length;
  const c = members.reduce<[number, number, number]>((s, i) => [s[0] + points[i][0] / m, s[1] + points[i][1] / m, s[2] + points[i][2] / m], [0, 0, 0]);
  const u0 = sub(points[members[0]], c);
  const u = u0.map((x) => x / (norm(u0) || 1)) as unknown as P3;
  const v = cross(outward, u);
  const angle = (i: number) => {
    const r = sub(points[i], c);
    return Math.atan2(dot(v, r), dot(u, r));
  };
  return [...members].sort((a, b) => angle(a) - angle(b));
}

/** Fan triangulation of polygon faces (valid because hull faces are convex). */
export function triangulate(faces: readonly number[][]): [number, number, number][] {
  const tris: [number, number, number][] = [];
  for (const f of faces) for (let i = 1; i + 1 < f.length; i++) tris.push([f[0], f[i], f[i + 1]]);
  return tris;
}

/** Volume enclosed by the hull (divergence theorem over the fan triangles). */
export function hullVolume(points: readonly P3[], faces: readonly number[][]): number {
  let v = 0;
  for (const [a, b, c] of triangulate(faces)) v += dot(points[a], cross(points[b], points[c])) / 6;
  return v;
}
