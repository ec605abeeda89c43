import type { Structure } from '../structure/structure.ts';
import { atomicEnvironment, nearestNeighborShell, type ShellAtom } from '../environment/aet.ts';
import { NeighborFinder } from '../environment/neighbors.ts';
import { convexHull } from '../environment/polyhedron.ts';
import type { PairEnumeration } from '../substitution/pairs.ts';
import type { Substitution } from '../substitution/substitution.ts';
import { propertyMatrix } from './elements.ts';

/**
 * Center-Environment (CE) feature definition. Everything that changes a feature
 * vector is here, so a saved model can refuse features built another way.
 */
export interface CeDefinition {
  /** Shell of a site: its AET (CEAET) or its n nearest neighbours (CENN). */
  env: 'aet' | 'nn';
  nn: number;
  /** Environment weights r^m: −1, −0.5; 0 = composition only (CC). */
  weight: number;
  /** Weighted mean Σw·p/Σw, or the unnormalised sum Σw·p that keeps CN and bond lengths. */
  aggregate: 'mean' | 'sum';
  /** absolute p(element); relative p(element) − p(host) (pristine = zero vector); both. */
  values: 'absolute' | 'relative' | 'both';
  /** Site geometry: CN, mean and spread of shell distances (Å), hull volume (Å³). */
  geometry: boolean;
  /** Host element properties of each site (the site's chemistry, not its name). */
  host: boolean;
  /** Site-label one-hots: opt-in, they do not transfer between phases. */
  labels: string[] | null;
  properties: string[];
}

/**
 * Compact property set for CE vectors: position in the table (PN, GN, MN),
 * bonding (EN, IE, EC), size (AR, CR, MV), valence (TV, DV), stiffness (BM) and
 * the thermal neutron cross-section (TN, a nuclear-size proxy that ranks high in
 * the literature). With 30 properties per block the element identity swamps the
 * four geometry descriptors in an RBF kernel; 13 learn better on α (grouped CV).
 */
export const CE_PROPERTIES = ['PN', 'GN', 'MN', 'EN', 'IE', 'EC', 'AR', 'CR', 'MV', 'TV', 'DV', 'BM', 'TN'];

export const DEFAULT_CE: CeDefinition = {
  env: 'aet',
  nn: 12,
  weight: -1,
  aggregate: 'mean',
  values: 'absolute',
  geometry: true,
  host: false,
  labels: null,
  properties: CE_PROPERTIES,
};

/** What a site contributes, precomputed once per atom of the cell. */
export interface SiteDescriptor {
  atom: number;
  label: string;
  host: string;
  shell: ShellAtom[];
  weights: number[];
  cn: number;
  meanDistance: number;
  sdDistance: number;
  volume: number;
}

/**
 * Builds CE feature vectors for substitutions of one periodic cell. Shells are
 * taken in the pristine (unrelaxed) cell; the elements on them are those of the
 * substituted cell, so the partner and its periodic images count wherever they
 * fall inside a shell.
 */
export class CeFeaturizer {
  readonly definition: CeDefinition;
  readonly cell: Structure;
  readonly names: string[];
  private readonly sites = new Map<number, SiteDescriptor>();
  private readonly pvec = new Map<string, number[]>();
  private readonly finder: NeighborFinder;

  constructor(enumeration: PairEnumeration, definition: Partial<CeDefinition> = {}) {
    this.definition = { ...DEFAULT_CE, ...definition };
    this.cell = enumeration.cell;
    this.finder = new NeighborFinder(this.cell, 8);
    this.names = featureNames(this.definition);
  }

  site(atom: number): SiteDescriptor {
    let d = this.sites.get(atom);
    if (d) return d;
    const def = this.definition;
    const aet = atomicEnvironment(this.cell, atom, { identifyIdeal: false });
    const shell = def.env === 'aet' ? aet.shell : nearestNeighborShell(this.cell, atom, def.nn, this.finder);
    const dist = shell.map((s) => s.distance);
    const mean = dist.reduce((s, x) => s + x, 0) / dist.length;
    const sd = Math.sqrt(dist.reduce((s, x) => s + (x - mean) ** 2, 0) / dist.length);
    d = {
      atom,
      label: this.cell.sites[atom].label,
      host: this.cell.sites[atom].element,
      shell,
      weights: dist.map((r) => r ** def.weight),
      cn: shell.length,
      meanDistance: mean,
      sdDistance: sd,
      volume: def.env === 'aet' ? aet.volume : convexHull(shell.map((n) => n.vector)).volume,
    };
    this.sites.set(atom, d);
    return d;
  }

  /** Property vector of an element (imputed as documented in elements/README.md). */
  properties(element: string): number[] {
    let v = this.pvec.get(element);
    if (!v) {
      v = propertyMatrix([element], this.definition.properties, { impute: 'median' })[0];
      this.pvec.set(element, v);
    }
    return v;
  }

  /** Feature vector of X on atom a and Y on atom b (host elements mean no substitution there). */
  features(s: Substitution): number[] {
    return this.featuresOf(s.pair.atomA, s.elementA, s.pair.atomB, s.elementB, s.pair.distance);
  }

  featuresOf(atomA: number, x: string, atomB: number, y: string, distance: number): number[] {
    const a = this.site(atomA);
    const b = this.site(atomB);
    const occupant = (k: number): string => (k === atomA ? x : k === atomB ? y : this.cell.sites[k].element);
    let ends = [
      { site: a, element: x, partner: atomB },
      { site: b, element: y, partner: atomA },
    ];
    // Canonical order from physics, not labels: by site chemistry and geometry, then by element.
    if (compareEnds(ends[1], ends[0]) < 0) ends = [ends[1], ends[0]];
    const out: number[] = [];
    for (const e of ends) out.push(...this.siteBlock(e.site, e.element, occupant));
    const inShell = (s: SiteDescriptor, other: number) => s.shell.filter((n) => n.index === other).length;
    out.push(distance, inShell(ends[0].site, ends[1].site.atom), inShell(ends[1].site, ends[0].site.atom));
    return out;
  }

  /**
   * One substituted site on its own (the other site unsubstituted): the input of
   * the transfer family's single-site energy s(X@a).
   */
  endFeatures(atom: number, element: string): number[] {
    const site = this.site(atom);
    return this.siteBlock(site, element, (k) => (k === atom ? element : this.cell.sites[k].element));
  }

  private siteBlock(site: SiteDescriptor, element: string, occupant: (k: number) => string): number[] {
    const def = this.definition;
    const pc = this.properties(element);
    const ph = this.properties(site.host);
    const P = pc.length;
    const envAbs = new Array<number>(P).fill(0);
    const envRel = new Array<number>(P).fill(0);
    let wsum = 0;
    site.shell.forEach((n, k) => {
      const w = site.weights[k];
      wsum += w;
      const pe = this.properties(occupant(n.index));
      const p0 = this.properties(this.cell.sites[n.index].element);
      for (let q = 0; q < P; q++) {
        envAbs[q] += w * pe[q];
        envRel[q] += w * (pe[q] - p0[q]);
      }
    });
    if (def.aggregate === 'mean') for (let q = 0; q < P; q++) (envAbs[q] /= wsum), (envRel[q] /= wsum);
    const out: number[] = [];
    if (def.values !== 'relative') out.push(...pc, ...envAbs);
    if (def.values !== 'absolute') out.push(...pc.map((v, q) => v - ph[q]), ...envRel);
    if (def.host) out.push(...ph);
    if (def.geometry) out.push(site.cn, site.meanDistance, site.sdDistance, site.volume);
    if (def.labels) out.push(...def.labels.map((l) => (l === site.label ? 1 : 0)));
    return out;
  }
}

function compareEnds(
  p: { site: SiteDescriptor; element: string },
  q: { site: SiteDescriptor; element: string },
): number {
  const r = (x: number) => Math.round(x * 1e4);
  return (
    p.site.host.localeCompare(q.site.host) ||
    p.site.cn - q.site.cn ||
    r(p.site.meanDistance) - r(q.site.meanDistance) ||
    r(p.site.volume) - r(q.site.volume) ||
    p.element.localeCompare(q.element)
  );
}

/** Names of one site's block: `<code>_C` centre, `<code>_E` environment, `d` = host-relative, `_H` host. */
export function siteBlockNames(def: CeDefinition): string[] {
  const names: string[] = [];
  if (def.values !== 'relative') names.push(...def.properties.map((c) => `${c}_C`), ...def.properties.map((c) => `${c}_E`));
  if (def.values !== 'absolute') names.push(...def.properties.map((c) => `${c}_dC`), ...def.properties.map((c) => `${c}_dE`));
  if (def.host) names.push(...def.properties.map((c) => `${c}_H`));
  if (def.geometry) names.push('CN', 'DM', 'DS', 'VOL');
  if (def.labels) names.push(...def.labels.map((l) => `is_${l}`));
  return names;
}

/** Names of the substitution vector: both site blocks (suffix 1, 2 in canonical order) and the pair descriptors. */
export function featureNames(def: CeDefinition): string[] {
  const block = siteBlockNames(def);
  return [...block.map((n) => `${n}1`), ...block.map((n) => `${n}2`), 'D_12', 'N2_in_shell1', 'N1_in_shell2'];
}
