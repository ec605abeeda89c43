import { ENVIRONMENT_PARAMS } from '../environment/params.ts';
import type { Structure } from '../structure/structure.ts';
import { atomicEnvironment, nearestNeighborShell, type ShellAtom } from '../environment/aet.ts';
import { NeighborFinder } from '../environment/neighbors.ts';
import { convexHull } from '../environment/polyhedron.ts';
import type { PairEnumeration } from '../substitution/pairs.ts';
import type { Substitution } from '../substitution/substitution.ts';
import { ALLOYING_ELEMENTS, element, elementSymbols, propertyMatrix } from './elements.ts';
import { encodeSegments, segmentAtoms, segmentLabels, tokenFeatureNames, tokenLayout, DEFAULT_MAX_SHELL, type TokenLayout } from './tokens.ts';

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
  /**
   * 'tokens': the substitution as a token sequence (src/features/tokens.ts) instead of
   * aggregated blocks; `values`, `aggregate`, `geometry`, `host` and `labels` then do not apply.
   * Absent in every vector definition, so saved models keep their digest.
   */
  layout?: 'tokens';
  /** Tokens: longest shell a centre's segment holds (default 24). */
  maxShell?: number;
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
    // the CENN shell's search starts at the histogram's cutoff (the finder widens as it must)
    this.finder = new NeighborFinder(this.cell, ENVIRONMENT_PARAMS.cutoff.default);
    this.names = featureNames(this.definition);
  }

  site(atom: number): SiteDescriptor {
    let d = this.sites.get(atom);
    if (d) return d;
    const def = this.definition;
    // CENN never needs the AET, so a site without one cannot break it
    const aet = def.env === 'aet' ? atomicEnvironment(this.cell, atom, { identifyIdeal: false }) : null;
    const shell = aet ? aet.shell : nearestNeighborShell(this.cell, atom, def.nn, this.finder);
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
      volume: aet ? aet.volume : convexHull(shell.map((n) => n.vector)).volume,
    };
    this.sites.set(atom, d);
    return d;
  }

  /**
   * What a site is, independent of any label: the host's properties, the
   * r^m-weighted mean properties of its pristine shell, and the shell's CN,
   * mean and spread of distances (Å) and hull volume (Å³). Equal for every atom
   * of an orbit; comparable between phases.
   */
  environmentDescriptor(atom: number): number[] {
    const site = this.site(atom);
    const P = this.definition.properties.length;
    const shell = new Array<number>(P).fill(0);
    let wsum = 0;
    site.shell.forEach((n, k) => {
      const p = this.properties(this.cell.sites[n.index].element);
      for (let q = 0; q < P; q++) shell[q] += site.weights[k] * p[q];
      wsum += site.weights[k];
    });
    return [...this.properties(site.host), ...shell.map((x) => x / wsum), site.cn, site.meanDistance, site.sdDistance, site.volume];
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
    if (this.definition.layout === 'tokens') return encodeSegments(this.tokenLayout('pair'), this.definition.properties, this.tokenSegments(atomA, x, atomB, y));
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
    if (this.definition.layout === 'tokens') return encodeSegments(this.tokenLayout('single'), this.definition.properties, this.tokenSegments(atom, element, null, null));
    const site = this.site(atom);
    return this.siteBlock(site, element, (k) => (k === atom ? element : this.cell.sites[k].element));
  }

  /** Token layout of a substitution ('pair') or of one site ('single'). */
  tokenLayout(kind: 'pair' | 'single'): TokenLayout {
    return tokenLayout(this.definition.properties, kind === 'pair' ? 2 : 1, maxShellOf(this.definition));
  }

  /** Labels of the real tokens of X@a, Y@b in sequence order (`Ti@NbI`, `Si 2.58 Å (A)`). */
  tokenLabels(s: Substitution): string[] {
    return segmentLabels(this.tokenSegments(s.pair.atomA, s.elementA, s.pair.atomB, s.elementB));
  }

  /** Centre A then centre B in the canonical order of the CE vector; one segment when atomB is null. */
  private tokenSegments(atomA: number, x: string, atomB: number | null, y: string | null) {
    const occupant = (k: number): string => (k === atomA ? x : k === atomB ? y! : this.cell.sites[k].element);
    let ends = [{ site: this.site(atomA), element: x, partner: atomB }];
    if (atomB !== null) {
      ends.push({ site: this.site(atomB), element: y!, partner: atomA });
      if (compareEnds(ends[1], ends[0]) < 0) ends = [ends[1], ends[0]];
    }
    return ends.map((e) => ({ site: e.site, atoms: segmentAtoms(e.site, e.element, e.partner, occupant) }));
  }

  private siteBlock(site: SiteDescriptor, element: string, occupant: (k: number) => string): number[] {
    const def = this.definition;
    const pc = this.properties(element);
    const P = pc.length;
    const env = new Array<number>(P).fill(0);
    const envRel = new Array<number>(P).fill(0);
    let wsum = 0;
    site.shell.forEach((n, k) => {
      const w = site.weights[k];
      wsum += w;
      const pe = this.properties(occupant(n.index));
      const p0 = this.properties(this.cell.sites[n.index].element);
      for (let q = 0; q < P; q++) {
        env[q] += w * pe[q];
        envRel[q] += w * (pe[q] - p0[q]);
      }
    });
    if (def.aggregate === 'mean') for (let q = 0; q < P; q++) (env[q] /= wsum), (envRel[q] /= wsum);
    const c: SiteValues = { site, centre: pc, host: this.properties(site.host), env, envRel };
    return SITE_BLOCKS.filter((b) => b.when(def)).flatMap((b) => b.values(c, def));
  }
}

/** What the blocks of one site read: the centre's, host's and shell's property vectors. */
interface SiteValues {
  site: SiteDescriptor;
  centre: number[];
  host: number[];
  /** Σw·p over the shell of the substituted cell (or its weighted mean). */
  env: number[];
  /** The same of p − p(pristine occupant): zero in the pristine cell. */
  envRel: number[];
}

const suffixed = (def: CeDefinition, suffix: string) => def.properties.map((c) => `${c}${suffix}`);

/**
 * The blocks of one site's CE vector, in order, each with its names and values
 * side by side: `_C` centre, `_E` environment, `_dC`/`_dE` host-relative, `_H` host,
 * geometry, and the opt-in site-label one-hots.
 */
const SITE_BLOCKS: { block: string; when: (d: CeDefinition) => boolean; names: (d: CeDefinition) => string[]; values: (c: SiteValues, d: CeDefinition) => number[] }[] = [
  { block: 'centre', when: (d) => d.values !== 'relative', names: (d) => suffixed(d, '_C'), values: (c) => c.centre },
  { block: 'shell', when: (d) => d.values !== 'relative', names: (d) => suffixed(d, '_E'), values: (c) => c.env },
  { block: 'centre − host', when: (d) => d.values !== 'absolute', names: (d) => suffixed(d, '_dC'), values: (c) => c.centre.map((v, q) => v - c.host[q]) },
  { block: 'shell − pristine', when: (d) => d.values !== 'absolute', names: (d) => suffixed(d, '_dE'), values: (c) => c.envRel },
  { block: 'host', when: (d) => d.host, names: (d) => suffixed(d, '_H'), values: (c) => c.host },
  { block: 'geometry', when: (d) => d.geometry, names: () => ['CN', 'DM', 'DS', 'VOL'], values: ({ site: s }) => [s.cn, s.meanDistance, s.sdDistance, s.volume] },
  { block: 'site label', when: (d) => d.labels !== null, names: (d) => d.labels!.map((l) => `is_${l}`), values: (c, d) => d.labels!.map((l) => (l === c.site.label ? 1 : 0)) },
];

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
  if (def.layout === 'tokens') return tokenFeatureNames(tokenLayout(def.properties, 1, maxShellOf(def)));
  return SITE_BLOCKS.filter((b) => b.when(def)).flatMap((b) => b.names(def));
}

/** The pair descriptors that close the substitution vector: a–b distance, whether each lies in the other's shell. */
const PAIR_DESCRIPTORS = ['D_12', 'N2_in_shell1', 'N1_in_shell2'];

/** Names of the substitution vector: both site blocks (suffix 1, 2 in canonical order) and the pair descriptors. */
export function featureNames(def: CeDefinition): string[] {
  if (def.layout === 'tokens') return tokenFeatureNames(tokenLayout(def.properties, 2, maxShellOf(def)));
  const block = siteBlockNames(def);
  return [...block.map((n) => `${n}1`), ...block.map((n) => `${n}2`), ...PAIR_DESCRIPTORS];
}


/**
 * Feature indices of each block of a vector ('pair': the substitution vector, block names
 * suffixed with the site, 1 or 2, then the pair descriptors; 'single': one site's vector), in
 * vector order, from the table that names them. A token sequence is one block.
 */
export function featureBlocks(def: CeDefinition, kind: 'pair' | 'single' = 'pair'): { block: string; features: number[] }[] {
  const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);
  if (def.layout === 'tokens') return [{ block: 'all tokens', features: range(0, (kind === 'pair' ? featureNames(def) : siteBlockNames(def)).length) }];
  const site = SITE_BLOCKS.filter((b) => b.when(def)).map((b) => ({ block: b.block, n: b.names(def).length }));
  const out: { block: string; features: number[] }[] = [];
  let j = 0;
  for (const suffix of kind === 'pair' ? [' 1', ' 2'] : ['']) {
    for (const b of site) {
      out.push({ block: `${b.block}${suffix}`, features: range(j, b.n) });
      j += b.n;
    }
  }
  if (kind === 'pair') out.push({ block: 'pair', features: range(j, PAIR_DESCRIPTORS.length) });
  return out;
}

/** A CENN shell of n atoms needs n tokens after its centre. */
function maxShellOf(def: CeDefinition): number {
  return def.maxShell ?? (def.env === 'nn' ? Math.max(DEFAULT_MAX_SHELL, def.nn) : DEFAULT_MAX_SHELL);
}

/** What a definition gives a regressor: aggregated CE vectors or token sequences. */
export const inputOf = (def: Partial<CeDefinition>): 'vectors' | 'tokens' => (def.layout === 'tokens' ? 'tokens' : 'vectors');

/** Token layout of a definition, or null for the aggregated CE vector (what a regressor is told at creation). */
export function layoutOf(def: CeDefinition, kind: 'pair' | 'single'): TokenLayout | null {
  return def.layout === 'tokens' ? tokenLayout(def.properties, kind === 'pair' ? 2 : 1, maxShellOf(def)) : null;
}

/** Featurizers are cached per cell and definition: a cell's shells are computed once. */
const featurizers = new WeakMap<PairEnumeration, Map<string, CeFeaturizer>>();
export function featurizerFor(enumeration: PairEnumeration, def: CeDefinition): CeFeaturizer {
  let m = featurizers.get(enumeration);
  if (!m) featurizers.set(enumeration, (m = new Map()));
  const key = JSON.stringify(def);
  let f = m.get(key);
  if (!f) m.set(key, (f = new CeFeaturizer(enumeration, def)));
  return f;
}

/**
 * 40 screening elements: the 14 alloying elements of the DFT data, then the
 * lightest further elements (Z ≤ 83, halogens and chalcogens left out) whose
 * CE properties are all tabulated, so no value is imputed.
 */
export function screeningElements(n = 40): string[] {
  const complete = elementSymbols().filter((s) => {
    const e = element(s);
    if (e.Z > 83 || e.values.GN === 16 || e.values.GN === 17 || e.values.GN === 18) return false;
    try {
      propertyMatrix([s], CE_PROPERTIES, { impute: 'error' });
      return true;
    } catch {
      return false;
    }
  });
  const out = [...ALLOYING_ELEMENTS];
  for (const s of complete) if (out.length < n && !out.includes(s)) out.push(s);
  if (out.length < n) throw new Error(`only ${out.length} elements have every CE property`);
  return out;
}
