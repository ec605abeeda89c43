import type { Vec3 } from '../structure/lattice.ts';
import type { Structure } from '../structure/structure.ts';
import { analyzeSymmetry, type SymmetryInfo, type SymmetryOperation } from '../structure/symmetry.ts';
import { NeighborFinder } from '../environment/neighbors.ts';
import { SYSTEM_PARAMS } from './params.ts';

/** A symmetry-distinct pair of atoms of a periodic (super)cell: one DFT double-substitution geometry. */
export interface SitePair {
  id: number;
  /** Representative atoms (indices into the analysed cell); a is the lower-ranked site. */
  atomA: number;
  atomB: number;
  siteA: string;
  siteB: string;
  wyckoffA: string;
  wyckoffB: string;
  /** Minimum-image a–b distance, Å. */
  distance: number;
  /** Image vector (integer cell translation) of b at the minimum-image distance. */
  image: Vec3;
  /** Every a–b image distance up to the cutoff, ascending (the first is `distance`). */
  imageDistances: number[];
  /** Number of atom pairs of the cell in this configuration. */
  multiplicity: number;
  /** Some operation maps a→b and b→a: then X@a,Y@b and Y@a,X@b are one substitution. */
  swappable: boolean;
  fracA: Vec3;
  fracB: Vec3;
}

export interface PairEnumeration {
  /** The cell the pairs live in (the supercell). */
  cell: Structure;
  symmetry: SymmetryInfo;
  /** permutations[g][i] = image of atom i under operation g. */
  permutations: Int32Array[];
  pairs: SitePair[];
  /** Wyckoff position of an atom in the setting of the CIF cell (e.g. '4c'). */
  wyckoffOf(atom: number): string;
  /** Configuration id of any atom pair, or undefined when farther apart than maxDistance. */
  configOf(i: number, j: number): { id: number; reversed: boolean } | undefined;
}

/** Atom permutation induced by each space-group operation of the cell. */
export function atomPermutations(cell: Structure, operations: SymmetryOperation[], tolerance = 0.01): Int32Array[] {
  const n = cell.length;
  const key = (f: Vec3) => f.map((x) => Math.round((x - Math.floor(x)) * 1000) % 1000).join(',');
  const buckets = new Map<string, number[]>();
  cell.sites.forEach((s, i) => {
    const k = key(s.frac);
    if (!buckets.has(k)) buckets.set(k, []);
    buckets.get(k)!.push(i);
  });
  const lattice = cell.lattice;
  const find = (f: Vec3): number => {
    const k = key(f);
    for (const i of buckets.get(k) ?? []) if (lattice.minimumImage(sub3(cell.sites[i].frac, f)).distance < tolerance) return i;
    // rounding put it in a neighbouring bucket: fall back to a full scan
    for (let i = 0; i < n; i++) if (lattice.minimumImage(sub3(cell.sites[i].frac, f)).distance < tolerance) return i;
    throw new RangeError(`symmetry operation maps an atom to an empty position ${f.map((x) => x.toFixed(4))}`);
  };
  return operations.map(({ rotation: R, translation: t }) => {
    const perm = new Int32Array(n);
    cell.sites.forEach((s, i) => {
      const f = s.frac;
      perm[i] = find([
        R[0][0] * f[0] + R[0][1] * f[1] + R[0][2] * f[2] + t[0],
        R[1][0] * f[0] + R[1][1] * f[1] + R[1][2] * f[2] + t[1],
        R[2][0] * f[0] + R[2][1] * f[1] + R[2][2] * f[2] + t[2],
      ]);
    });
    return perm;
  });
}

/**
 * Wyckoff positions by site label, where a label names one orbit. Taken from the
 * cell a supercell was built from: moyo names positions in a setting of its own
 * choosing, whose origin (8a or 8b of Fd-3m …) can differ between a cell and its
 * supercells, so letters must come from one cell, the CIF's.
 */
function wyckoffOfLabels(symmetry: SymmetryInfo): Map<string, string> {
  const byLabel = new Map<string, string[]>();
  for (const o of symmetry.orbits) byLabel.set(o.label, [...(byLabel.get(o.label) ?? []), `${o.multiplicity}${o.wyckoff}`]);
  return new Map([...byLabel].filter(([, w]) => w.length === 1).map(([label, [w]]) => [label, w]));
}

function sub3(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

/**
 * Every symmetry-distinct unordered atom pair of `cell` whose minimum-image
 * distance is at most maxDistance. Two pairs are one configuration when an
 * operation of the cell's space group (its own translations included, so a
 * supercell's parent translations count) maps one onto the other, either end first.
 */
export function substitutionPairs(
  cell: Structure,
  /** parent: the cell `cell` was built from (a supercell's CIF cell), whose setting names the Wyckoff positions. */
  options: { maxDistance?: number; symprec?: number; parent?: Structure } = {},
): PairEnumeration {
  const maxDistance = options.maxDistance ?? SYSTEM_PARAMS.maxDistance.default;
  const symmetry = analyzeSymmetry(cell, { symprec: options.symprec });
  const wyckoff = wyckoffOfLabels(options.parent ? analyzeSymmetry(options.parent, { symprec: options.symprec }) : symmetry);
  const wyckoffOf = (atom: number) => {
    const o = symmetry.orbits[symmetry.orbitOf[atom]];
    return wyckoff.get(cell.sites[atom].label) ?? `${o.multiplicity}${o.wyckoff}`;
  };
  const permutations = atomPermutations(cell, symmetry.operations);
  const rank = siteRank(cell, symmetry);
  const finder = new NeighborFinder(cell, maxDistance);
  const n = cell.length;

  // Canonical key of an unordered pair: the smallest (min, max) over all operations.
  const canonical = (i: number, j: number): number => {
    let best = Infinity;
    for (const p of permutations) {
      const a = p[i], b = p[j];
      const k = a < b ? a * n + b : b * n + a;
      if (k < best) best = k;
    }
    return best;
  };

  const groups = new Map<number, { i: number; j: number; members: number }>();
  const pairKey = new Map<number, number>(); // pair (i<j) -> canonical key
  for (let i = 0; i < n; i++) {
    const partners = new Set<number>();
    for (const nb of finder.neighbors(i)) if (nb.index > i) partners.add(nb.index);
    for (const j of partners) {
      const k = canonical(i, j);
      pairKey.set(i * n + j, k);
      const g = groups.get(k);
      if (g) g.members++;
      else groups.set(k, { i, j, members: 1 });
    }
  }

  const drafts = [...groups.entries()].map(([key, g]) => {
    // Put the lower-ranked site first (NbI before NbII …, by CIF order), then the closer image.
    let [a, b] = [g.i, g.j];
    if (rank[b] < rank[a]) [a, b] = [b, a];
    const images = finder.neighbors(a).filter((nb) => nb.index === b);
    return { key, a, b, members: g.members, images };
  });
  // Distances equal within 1e-6 Å compare by site rank, keeping ids stable across platforms.
  drafts.sort((x, y) => {
    const dd = x.images[0].distance - y.images[0].distance;
    return Math.abs(dd) > 1e-6 ? dd : rank[x.a] - rank[y.a] || rank[x.b] - rank[y.b] || x.key - y.key;
  });

  const idOfKey = new Map<number, number>();
  const pairs: SitePair[] = drafts.map((d, k) => {
    idOfKey.set(d.key, k + 1);
    return {
      id: k + 1,
      atomA: d.a,
      atomB: d.b,
      siteA: cell.sites[d.a].label,
      siteB: cell.sites[d.b].label,
      wyckoffA: wyckoffOf(d.a),
      wyckoffB: wyckoffOf(d.b),
      distance: d.images[0].distance,
      image: d.images[0].image,
      imageDistances: d.images.map((nb) => nb.distance),
      multiplicity: d.members,
      swappable: permutations.some((p) => p[d.a] === d.b && p[d.b] === d.a),
      fracA: cell.sites[d.a].frac,
      fracB: cell.sites[d.b].frac,
    };
  });

  const configOf = (i: number, j: number) => {
    if (i === j) return undefined;
    const key = i < j ? pairKey.get(i * n + j) : pairKey.get(j * n + i);
    if (key === undefined) return undefined;
    const id = idOfKey.get(key)!;
    const p = pairs[id - 1];
    // reversed: (i, j) maps onto (b, a) of the representative but never onto (a, b)
    const forward = permutations.some((g) => g[i] === p.atomA && g[j] === p.atomB);
    return { id, reversed: !forward };
  };
  return { cell, symmetry, permutations, pairs, wyckoffOf, configOf };
}

/**
 * Each site's shortest distance to an atom of the same site (its own periodic
 * images included): the like pairs (X@s + Y@s) a --max-distance below it leaves
 * out. CaTiO3's Ca–Ca and Ti–Ti are 3.795 Å apart, beyond the 3.6 Å default.
 * `ownImage`: the nearest is the atom's own periodic image, so the cell holds
 * no such pair at any cutoff (a larger supercell does).
 */
export function nearestLikePairs(cell: Structure): { site: string; distance: number; ownImage: boolean }[] {
  const lattice = cell.lattice;
  let image = Infinity;
  for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) if (a || b || c) image = Math.min(image, lattice.fracLength([a, b, c]));
  return cell.labels().map((site) => {
    const i = cell.sites.findIndex((x) => x.label === site);
    const f = cell.sites[i].frac;
    let other = Infinity;
    cell.sites.forEach((x, j) => {
      if (x.label === site && j !== i) other = Math.min(other, lattice.minimumImage([x.frac[0] - f[0], x.frac[1] - f[1], x.frac[2] - f[2]]).distance);
    });
    return { site, distance: Math.min(other, image), ownImage: image < other - 1e-6 };
  });
}

/** Order of sites: by CIF label order of first appearance, then Wyckoff, so ids read NbI… before SiII. */
function siteRank(cell: Structure, symmetry: SymmetryInfo): number[] {
  const labels = cell.labels();
  return cell.sites.map((s, i) => labels.indexOf(s.label) * 1000 + symmetry.orbitOf[i]);
}
