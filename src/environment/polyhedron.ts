/**
 * Geometry of coordination polyhedra for Atomic Environment Types (Daams &
 * Villars): convex hull with a geometric corner test (the convex-volume rule),
 * polygonal faces, the topological code, the ideal-polyhedron library and the
 * continuous shape measure. Inputs are plain Cartesian point sets (Å), centred
 * anywhere.
 */
import type { Vec3 } from '../structure/lattice.ts';
import { IDEAL_POLYHEDRA, type IdealPolyhedron } from './polyhedra/ideal.ts';
import { shapeMeasure } from './polyhedra/shape.ts';

export {
  type ConvexHull,
  type ContainsOptions,
  type HullOptions,
  type Triangle,
  DEFAULT_HULL_REL_TOLERANCE,
  convexHull,
  distanceFromOriginToHull,
} from './polyhedra/hull.ts';
export {
  type TopologyOptions,
  type VertexFaceCount,
  DEFAULT_FACE_ANGLE_TOLERANCE,
  polyhedronFaces,
  topologicalCode,
  vertexFaceCounts,
} from './polyhedra/topology.ts';
export { type IdealPolyhedron, IDEAL_POLYHEDRA } from './polyhedra/ideal.ts';
export { type ShapeResult, hungarian, optimalRotation, shapeMeasure } from './polyhedra/shape.ts';

export interface IdealMatch {
  name: string;
  cn: number;
  /** Topological code of the ideal polyhedron. */
  code: string;
  /** Continuous shape measure S (0 = perfect). */
  deviation: number;
  /** RMS deviation in Å after optimal rotation and scaling. */
  rmsd: number;
}

/** Every library polyhedron with as many vertices as `points`, best (lowest S) first; ties keep library order. */
export function rankIdealPolyhedra(
  points: readonly Vec3[],
  centre: Vec3,
  library: readonly IdealPolyhedron[] = IDEAL_POLYHEDRA,
): IdealMatch[] {
  return library
    .filter((ideal) => ideal.cn === points.length)
    .map((ideal) => {
      const { deviation, rmsd } = shapeMeasure(points, centre, ideal.vertices);
      return { name: ideal.name, cn: ideal.cn, code: ideal.code, deviation, rmsd };
    })
    .sort((a, b) => a.deviation - b.deviation);
}

/**
 * The library polyhedron closest in shape to `points` around `centre`, among
 * those with the same coordination number. Returns null when the library has
 * no polyhedron of that CN: comparing shells of different size would need
 * vertex deletion and says little about the environment.
 */
export function nearestIdealPolyhedron(points: readonly Vec3[], centre: Vec3): IdealMatch | null {
  return rankIdealPolyhedra(points, centre)[0] ?? null;
}
