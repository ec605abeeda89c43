/**
 * The `gp` family: a Gaussian process whose covariance has the form of a
 * substitution energy (src/model/learn/gp.ts builds it from latent components):
 *
 *   E(X@a, Y@b) = s(X@a) + s(Y@b) + I(X@a, Y@b) + noise
 *   s(X@a)      = g(u_X, v_a) − g(0, v_a) + z_a(X) − z_a(h_a) + o_a·[X ≠ h_a]
 *   I           = h(X,Y) − h(X,h_b) − h(h_a,Y) + h(h_a,h_b)
 *
 * - g: shared by all sites, a function of the host-relative element vector
 *   u = p(X) − p(host) and the site's environment descriptor v (host and shell
 *   properties, shell geometry): what carries over to a site never seen;
 * - z_a, o_a: each site's own deviation and offset, independent between sites:
 *   a site never seen gets their full prior variance, and its first few
 *   calculations teach them;
 * - h: an RBF over the pair's CE vector with one length scale per block
 *   (centre properties, shell properties, site geometry, pair descriptors) — the
 *   pair-descriptor scale comes out short: each configuration has its own coupling.
 * Every term is zero when both sites keep their host (pristine exactly 0); a single
 * substitution has one energy in every pair that lists it; nothing names a site
 * (a site is its host and rounded environment descriptor).
 *
 * Hyper-parameters by marginal likelihood on a seeded subsample of the training
 * calculations (all singles + pairs up to `optimizeOn`), in two stages: the
 * shared terms and noise first, without site terms (so the shared part explains
 * what it can — what transfers), then the site terms' scales on top. Measured on
 * α leave-site-out: fitting all at once lets z_a absorb the sites and the shared
 * part learns little (k = 0: 1.7 eV); an on-site + bond-energy decomposition
 * (E from element pair bonds over the AET shell) transferred worse than g
 * (0.76 vs 0.62 eV) and was dropped.
 * Calibration (nested, inside the training data): the predictive sd is scaled so
 * that 90 % intervals cover 90 % of held-out calculations — one factor from grouped
 * 5-fold CV (substitutions on training sites), one from leave-site-out (substitutions
 * touching a site never seen). Applicability domain: distance of a site's
 * environment descriptor to the nearest training site, over the largest such
 * distance among the training sites themselves.
 */
import type { PairEnumeration } from '../../substitution/pairs.ts';
import type { Substitution } from '../../substitution/substitution.ts';
import { featureBlocks, featurizerFor, type CeDefinition } from '../../features/ce.ts';
import { hostOf, type Distribution, type FamilyEntry, type FamilyJSON, type FamilySpec, type SubstitutionModel, type TrainingSample } from './contract.ts';
import { blockRbfKernel, DesignBuilder, fitHyper, LatentGP, NOISE, perKeyConstantKernel, perKeyRbfKernel, type Bounds, type Component, type GPInputs, type Hyper } from '../learn/gp.ts';
import { childSeed, createRng, shuffleInPlace } from '../learn/random.ts';
import { fitted, number, resolveParams } from '../../util/params.ts';
import { finiteNumber, finiteNumbers } from '../learn/estimator.ts';
import { rowProducts } from '../../util/linalg.ts';
import { InputError } from '../../util/errors.ts';
import { Z90 } from '../../util/normal.ts';

/** Largest training set: three 8000² float64 matrices are 1.5 GB, and the Cholesky grows as n³ (4000: 2.7 s, scripts/BENCHMARKS.md; 8000: ~22 s). */
export const MAX_GP_CALCULATIONS = 8000;


/** Geometry part of a site descriptor: CN, mean and spread of shell distances (Å), hull volume (Å³), each over a typical difference between sites. */
const GEOMETRY_SCALES = [2, 0.2, 0.1, 10];

interface Scales {
  /** Per element property. */
  property: number[];
  /** Interaction vector standardisation. */
  fMean: number[];
  fScale: number[];
}

/** What a fitted model is: its settings and training calculations (a model file stores them and refactors on load). */
interface GPState {
  hyper: Hyper;
  scales: Scales;
  /** sd multipliers: substitutions on training sites, and touching a site never seen. */
  /**
   * sd on training sites = inSite·sd; touching a site never seen =
   * newSite·sd^γ·s0^(1−γ) (γ = newSiteExponent, s0 = newSiteScale): the raw
   * spread of new-site variances is compressed as far as leave-site-out inside
   * the training data shows it should be.
   */
  calibration: { inSite: number; newSite: number; newSiteExponent: number; newSiteScale: number };
  /** Environment descriptors of the training sites (scaled) and the out-of-domain threshold. */
  domain: { sites: Record<string, number[]>; threshold: number };
  training: { samples: { cell: number; pair: number; a: string; b: string }[] };
  y: number[];
}

/**
 * The family's parameters, declared once: fit settings, and every hyper-parameter with the
 * bounds its kernel fits it in (by maximum marginal likelihood, unless a value is given).
 */
export const GP_PARAMS = {
  // 350: the hyper-parameters settle on it (α grouped fold 0: 73.3 meV at 350 and at 700)
  optimizeOn: number('calculations the hyper-parameters and calibration are fitted on (every single substitution, then pairs in seeded order)', 350, { min: 20, max: 8000, integer: true }),
  // 15 iterations per stage: the marginal likelihood has settled by then (fold-0 MAE 73.3 meV at 15, 25 and 40)
  iterations: number('L-BFGS iterations per stage of the marginal-likelihood fit', 15, { min: 1, max: 500, integer: true }),
  'smooth.sigma': fitted('amplitude of g, the single-site energy shared by all sites', 1e-3, 50, { unit: 'eV', start: 'the sd of the training energies' }),
  'smooth.ell1': fitted('length scale of g over the host-relative element properties', 0.1, 100, { start: '√(properties)' }),
  'smooth.ell2': fitted('length scale of g over the site environment (shell properties, geometry)', 0.1, 100, { start: '√(properties + 4)' }),
  'site.sigma': fitted("amplitude of each site's own deviation z_a", 1e-3, 10, { unit: 'eV', start: '0.3 eV, after the shared terms' }),
  'site.ell': fitted('length scale of z_a over the element properties', 0.1, 50, { start: '√(properties)' }),
  'offset.sigma': fitted("amplitude of each site's offset o_a", 1e-3, 10, { unit: 'eV', start: '0.2 eV, after the shared terms' }),
  'pair.sigma': fitted('amplitude of the interaction h', 1e-3, 10, { unit: 'eV', start: '0.5 eV' }),
  'pair.ell1': fitted('length scale of h over the centre properties', 0.3, 100, { start: '√(2·properties)' }),
  'pair.ell2': fitted('length scale of h over the shell properties', 0.3, 100, { start: '√(2·properties)' }),
  'pair.ell3': fitted('length scale of h over the site geometry', 0.3, 100, { start: '√8' }),
  'pair.ell4': fitted('length scale of h over the pair descriptors (distance, shell membership)', 0.03, 100, { start: '√3' }),
  [NOISE]: fitted('noise sd of one calculation', 0.01, 2, { unit: 'eV', start: '0.1 eV' }),
} as const;
type HyperName = Exclude<keyof typeof GP_PARAMS, 'optimizeOn' | 'iterations'>;
const bounds = (k: HyperName): Bounds => [GP_PARAMS[k].min!, GP_PARAMS[k].max!];

/** Columns of the pair vector by block kind, both sites together: centre, shell, geometry, pair descriptors (asked of features/ by name). */
function pairBlocks(def: CeDefinition): number[][] {
  const kinds = ['centre', 'shell', 'geometry', 'pair'];
  const blocks = featureBlocks(def, 'pair');
  return kinds.map((kind) => blocks.filter((b) => b.block.replace(/ [12]$/, '') === kind).flatMap((b) => b.features));
}

/** The smooth term's point: [u = p(X) − p(host) | v = the site's environment descriptor (host, shell, geometry)]; its kernel reads u and v without the host. */
const smoothBlocks = (P: number) => {
  const at = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);
  const u = at(0, P);
  const shellAndGeometry = at(2 * P, P + 4);
  return [u, shellAndGeometry];
};

const COMPONENTS = (P: number, def: CeDefinition): Component[] => [
  // the host block of v is left out: u already is host-relative, and with it leave-site-out was 0.56 → 0.52 eV without
  { name: 'smooth', kernel: blockRbfKernel(smoothBlocks(P), { sigma: bounds('smooth.sigma'), ell: [bounds('smooth.ell1'), bounds('smooth.ell2')] }) },
  { name: 'site', kernel: perKeyRbfKernel({ sigma: bounds('site.sigma'), ell: bounds('site.ell') }) },
  { name: 'offset', kernel: perKeyConstantKernel({ sigma: bounds('offset.sigma') }) },
  { name: 'pair', kernel: blockRbfKernel(pairBlocks(def), { sigma: bounds('pair.sigma'), ell: (['pair.ell1', 'pair.ell2', 'pair.ell3', 'pair.ell4'] as const).map(bounds) }) },
];
/** The site terms, fitted in the second stage. */
const SITE_TERMS = ['site.sigma', 'site.ell', 'offset.sigma'];
/** Position of a component's design among the inputs. */
const DESIGN = { smooth: 0, site: 1, offset: 2, pair: 3 } as const;

/** Builds the latent designs of substitutions of any cells. */
class InputBuilder {
  private smooth: DesignBuilder;
  private site: DesignBuilder;
  private offset: DesignBuilder;
  private pair: DesignBuilder;
  private readonly cells = new Map<PairEnumeration, number>();
  /** Scaled environment descriptor of each site seen, by site key. */
  readonly siteDescriptors = new Map<string, number[]>();
  private n = 0;

  private readonly atomKeys = new Map<string, string>();
  /** The training sites (key → scaled descriptor): a query's site equal to one of them gets its key. */
  private readonly known: Map<string, number[]>;

  constructor(
    private readonly spec: FamilySpec,
    private readonly scales: Scales,
    known: Record<string, number[]> = {},
  ) {
    this.known = new Map(Object.entries(known));
    const P = scales.property.length;
    this.smooth = new DesignBuilder(3 * P + 4);
    this.site = new DesignBuilder(P);
    this.offset = new DesignBuilder(1);
    this.pair = new DesignBuilder(scales.fMean.length);
  }

  private props(e: PairEnumeration, el: string): number[] {
    return featurizerFor(e, this.spec.endFeatures!).properties(el).map((v, q) => v / this.scales.property[q]);
  }

  /** Identity of a site: its host and rounded environment descriptor (equal in every cell of one phase). */
  siteKey(e: PairEnumeration, atom: number): string {
    const cacheKey = `${this.cellIndex(e)}:${atom}`;
    const cached = this.atomKeys.get(cacheKey);
    if (cached) return cached;
    const host = hostOf(e, atom);
    const P = this.scales.property.length;
    const v = featurizerFor(e, this.spec.endFeatures!)
      .environmentDescriptor(atom)
      .map((x, k) => x / (k < 2 * P ? this.scales.property[k % P] : GEOMETRY_SCALES[k - 2 * P]));
    // equal within round-off is the same site (a key made by rounding would split values that sit on a rounding boundary)
    const same = (w: readonly number[]) => w.every((x, k) => Math.abs(x - v[k]) <= 1e-7 * Math.max(1, Math.abs(x)));
    let key = [...this.known, ...this.siteDescriptors].find(([k, w]) => k.startsWith(`${host}|`) && same(w))?.[0];
    if (!key) {
      key = `${host}|${v.map((x) => x.toPrecision(6)).join(',')}`;
      while (this.known.has(key) || this.siteDescriptors.has(key)) key += "'";
    }
    if (!this.known.has(key)) this.siteDescriptors.set(key, v);
    else if (!this.siteDescriptors.has(key)) this.siteDescriptors.set(key, this.known.get(key)!);
    this.atomKeys.set(cacheKey, key);
    return key;
  }

  cellIndex(e: PairEnumeration): number {
    if (!this.cells.has(e)) this.cells.set(e, this.cells.size);
    return this.cells.get(e)!;
  }

  /** s(X@a): its terms in the smooth, site and offset designs (the host's points with −1 make s(host@a) = 0). */
  private end(e: PairEnumeration, atom: number, x: string, t: Record<'smooth' | 'site' | 'offset', [number, number][]>): void {
    const h = hostOf(e, atom);
    const key = this.siteKey(e, atom);
    const v = this.siteDescriptors.get(key)!;
    const px = this.props(e, x);
    const ph = this.props(e, h);
    t.smooth.push([this.smooth.point(`${key}|${x}`, key, () => [...px.map((p, q) => p - ph[q]), ...v]), 1], [this.smooth.point(`${key}|${h}`, key, () => [...px.map(() => 0), ...v]), -1]);
    t.site.push([this.site.point(`${key}|${x}`, key, () => px), 1], [this.site.point(`${key}|${h}`, key, () => ph), -1]);
    t.offset.push([this.offset.point(key, key, () => [0]), 1]);
  }

  private corner(e: PairEnumeration, s: Substitution): number {
    return this.pair.point(`${this.cellIndex(e)}:${s.pair.id}:${s.elementA}:${s.elementB}`, '', () =>
      featurizerFor(e, this.spec.features)
        .features(s)
        .map((v, q) => (v - this.scales.fMean[q]) / this.scales.fScale[q]),
    );
  }

  add(e: PairEnumeration, s: Substitution): void {
    const { pair, elementA: x, elementB: y } = s;
    const ha = hostOf(e, pair.atomA);
    const hb = hostOf(e, pair.atomB);
    const t: Record<'smooth' | 'site' | 'offset' | 'pair', [number, number][]> = { smooth: [], site: [], offset: [], pair: [] };
    if (x !== ha) this.end(e, pair.atomA, x, t);
    if (y !== hb) this.end(e, pair.atomB, y, t);
    if (x !== ha && y !== hb)
      t.pair.push([this.corner(e, s), 1], [this.corner(e, { pair, elementA: x, elementB: hb }), -1], [this.corner(e, { pair, elementA: ha, elementB: y }), -1], [this.corner(e, { pair, elementA: ha, elementB: hb }), 1]);
    this.smooth.row(t.smooth);
    this.site.row(t.site);
    this.offset.row(t.offset);
    this.pair.row(t.pair);
    this.n++;
  }

  inputs(): GPInputs {
    return { n: this.n, designs: [this.smooth.design(), this.site.design(), this.offset.design(), this.pair.design()] };
  }

  /** A builder that continues from this one's training data (its point sets extend these). */
  clone(): InputBuilder {
    const b = new InputBuilder(this.spec, this.scales, Object.fromEntries(this.known));
    b.smooth = this.smooth.clone();
    b.site = this.site.clone();
    b.offset = this.offset.clone();
    b.pair = this.pair.clone();
    for (const [k, v] of this.cells) b.cells.set(k, v);
    for (const [k, v] of this.siteDescriptors) b.siteDescriptors.set(k, v);
    for (const [k, v] of this.atomKeys) b.atomKeys.set(k, v);
    b.n = this.n;
    return b;
  }
}

function std(v: number[]): number {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

/** Property scales from the training elements; interaction standardisation from the training pairs. */
function trainingScales(spec: FamilySpec, samples: TrainingSample[]): Scales {
  const elements = new Map<string, number[]>();
  const F: number[][] = [];
  for (const s of samples) {
    const f = featurizerFor(s.enumeration, spec.endFeatures!);
    const { pair, elementA, elementB } = s.substitution;
    for (const el of [elementA, elementB, hostOf(s.enumeration, pair.atomA), hostOf(s.enumeration, pair.atomB)]) elements.set(el, f.properties(el));
    if (s.kind === 'pair') F.push(featurizerFor(s.enumeration, spec.features).features(s.substitution));
  }
  const P = [...elements.values()];
  const property = P[0].map((_, q) => std(P.map((p) => p[q])) || 1);
  const d = F[0]?.length ?? featurizerFor(samples[0].enumeration, spec.features).names.length;
  const fMean = Array.from({ length: d }, (_, q) => (F.length ? F.reduce((a, r) => a + r[q], 0) / F.length : 0));
  const fScale = Array.from({ length: d }, (_, q) => (F.length ? std(F.map((r) => r[q])) : 0) || 1);
  return { property, fMean, fScale };
}

/** The factor that makes 90 % of the z-scores fall inside ±Z90 (1 when there is nothing to calibrate on). */
export function calibrationScale(z: number[]): number {
  const a = z.filter(Number.isFinite).map(Math.abs).sort((p, q) => p - q);
  if (a.length < 10) return 1;
  return Math.max(0.5, a[Math.min(a.length - 1, Math.ceil(0.9 * a.length) - 1)] / Z90);
}

/**
 * New-site calibration from leave-site-out inside the training data: for each
 * compression γ ∈ {1, ¾, ½} of the raw sd (sd^γ·s0^(1−γ)), the factor that covers 90 % of the
 * held-out calculations; γ is the one whose per-site coverages lie closest to 90 %
 * (a pooled 90 % hiding 99 % on one site and 70 % on another is not calibration).
 */
function newSiteCalibration(held: { group: number; r: number; sd: number }[], groups: number): { newSite: number; newSiteExponent: number; newSiteScale: number } {
  const ok = held.filter((h) => Number.isFinite(h.r) && h.sd > 0);
  const sds = ok.map((h) => h.sd).sort((a, b) => a - b);
  const s0 = sds[sds.length >> 1];
  let best = { newSite: 1, newSiteExponent: 1, newSiteScale: s0, loss: Infinity };
  // γ stays ≥ ½: a constant sd (γ = 0) can calibrate per site yet says nothing about which predictions to trust
  for (const g of [1, 0.75, 0.5]) {
    const u = ok.map((h) => h.sd ** g * s0 ** (1 - g));
    const c = calibrationScale(ok.map((h, i) => h.r / u[i]));
    let loss = 0;
    for (let s = 0; s < groups; s++) {
      const these = ok.flatMap((h, i) => (h.group === s ? [Math.abs(h.r) <= Z90 * c * u[i] ? 1 : 0] : []));
      if (these.length) loss += (these.reduce((a, b) => a + b, 0) / these.length - 0.9) ** 2;
    }
    if (loss < best.loss - 1e-12) best = { newSite: c, newSiteExponent: g, newSiteScale: s0, loss };
  }
  const { loss: _, ...out } = best;
  return out;
}

/** Site keys substituted by each observation (from the offset design: one point per substituted site). */
function obsSites(inputs: GPInputs): string[][] {
  const d = inputs.designs[DESIGN.offset];
  return Array.from({ length: inputs.n }, (_, i) => [...new Set(Array.from(d.index.subarray(d.start[i], d.start[i + 1])).map((p) => d.points.keys[p]))]);
}

function distance(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0));
}

/** Nearest-site distance and the largest nearest-other-site distance among training sites (at least 1: one geometry scale). */
function domainThreshold(sites: number[][]): number {
  let worst = 0;
  sites.forEach((s, i) => {
    const others = sites.filter((_, j) => j !== i).map((t) => distance(s, t));
    if (others.length) worst = Math.max(worst, Math.min(...others));
  });
  return Math.max(1, worst);
}

export class GPFamilyModel implements SubstitutionModel {
  private readonly gp: LatentGP;
  private readonly components: Component[];

  private constructor(
    readonly spec: FamilySpec,
    private readonly state: GPState,
    /** The training data in latent form, kept to be continued (withMore). */
    private readonly builder: InputBuilder,
    /** A GP on the first of these observations, to extend rather than refactor. */
    base?: LatentGP,
  ) {
    this.components = COMPONENTS(state.scales.property.length, spec.features);
    const inputs = builder.inputs();
    const y = Float64Array.from(state.y);
    this.gp = base ? base.extendedBy(inputs, y) : new LatentGP(this.components, inputs, y, state.hyper);
  }

  static async fit(spec: FamilySpec, samples: TrainingSample[]): Promise<GPFamilyModel> {
    // exact GP algebra holds a few n × n matrices: refuse before allocating them
    if (samples.length > MAX_GP_CALCULATIONS) {
      throw new InputError(`the gp family fits at most ${MAX_GP_CALCULATIONS} calculations (exact GP algebra, n² memory: ${samples.length} would need ~${Math.round((3 * 8 * samples.length ** 2) / 2 ** 30)} GB); use --family site or transfer`);
    }
    const params = resolveParams(GP_PARAMS, spec.params, 'gp parameter');
    const given = new Set(Object.keys(spec.params));
    const scales = trainingScales(spec, samples);
    const components = COMPONENTS(scales.property.length, spec.features);
    const build = (subset: readonly TrainingSample[]) => {
      const b = new InputBuilder(spec, scales);
      for (const s of subset) b.add(s.enumeration, s.substitution);
      return b;
    };
    // hyper-parameters and calibration on a subsample: every single, then pairs in seeded order
    const singles = samples.filter((s) => s.kind !== 'pair');
    const pairs = shuffleInPlace(samples.filter((s) => s.kind === 'pair'), createRng(spec.seed));
    const sub = [...singles, ...pairs.slice(0, Math.max(0, params.optimizeOn - singles.length))];
    const subInputs = build(sub).inputs();
    const ySub = sub.map((s) => s.eds);
    const sy = std(ySub) || 1;
    const P = scales.property.length;
    // the starts GP_PARAMS documents; a given value replaces its start and stays fixed
    const fixedAt = (h: Hyper): Hyper => ({ ...h, ...Object.fromEntries([...given].filter((k) => k in h).map((k) => [k, params[k as HyperName]])) });
    const start = fixedAt({
      'smooth.sigma': sy,
      'smooth.ell1': Math.sqrt(P),
      'smooth.ell2': Math.sqrt(P + 4),
      'site.sigma': 1e-4,
      'site.ell': Math.sqrt(P),
      'offset.sigma': 1e-4,
      'pair.sigma': 0.5,
      'pair.ell1': Math.sqrt(2 * P),
      'pair.ell2': Math.sqrt(2 * P),
      'pair.ell3': Math.sqrt(8),
      'pair.ell4': Math.sqrt(3),
      [NOISE]: 0.1,
    });
    const noise = bounds(NOISE);
    const names = Object.keys(start);
    // stage 1: shared terms and noise, the site terms held at (almost) zero
    const shared = fitHyper(components, subInputs, ySub, start, { noise, fixed: new Set([...SITE_TERMS, ...given]), maxIterations: params.iterations }).hyper;
    // stage 2: the site terms on top of the shared ones
    const stage2 = fixedAt({ ...shared, 'site.sigma': 0.3, 'offset.sigma': 0.2 });
    const hyper = fitHyper(components, subInputs, ySub, stage2, { noise, fixed: new Set([...names.filter((k) => !SITE_TERMS.includes(k)), ...given]), maxIterations: params.iterations }).hyper;
    const subGP = new LatentGP(components, subInputs, Float64Array.from(ySub), hyper);

    // calibration on the subsample: grouped 5-fold (a sample is one calculation) and leave-site-out
    const order = shuffleInPlace(sub.map((_, i) => i), createRng(childSeed(spec.seed, 'calibration folds')));
    const folds = Array.from({ length: 5 }, (_, f) => order.filter((_, k) => k % 5 === f));
    const heldOut = (groups: number[][]) =>
      subGP.leaveGroupsOut(groups).flatMap((cv, g) => groups[g].map((i) => ({ group: g, r: ySub[i] - cv.mean[i], sd: cv.sd[i] })));
    const inSite = calibrationScale(heldOut(folds).map((h) => h.r / h.sd));
    const sitesOf = obsSites(subInputs);
    const siteKeys = [...new Set(sitesOf.flat())];
    const siteGroups = siteKeys.map((k) => sitesOf.flatMap((ss, i) => (ss.includes(k) ? [i] : []))).filter((g) => g.length > 0 && g.length < sub.length);
    const newSite = siteGroups.length > 1 ? newSiteCalibration(heldOut(siteGroups), siteGroups.length) : { newSite: inSite, newSiteExponent: 1, newSiteScale: 1 };

    const full = build(samples);
    const state: GPState = {
      hyper,
      scales,
      calibration: { inSite, ...newSite },
      domain: { sites: Object.fromEntries(full.siteDescriptors), threshold: domainThreshold([...full.siteDescriptors.values()]) },
      training: { samples: samples.map((s) => ({ cell: full.cellIndex(s.enumeration), pair: s.substitution.pair.id, a: s.substitution.elementA, b: s.substitution.elementB })) },
      y: samples.map((s) => s.eds),
    };
    return new GPFamilyModel(spec, state, full);
  }

  /** Hyper-parameters and calibration, for reports. */
  get summary(): { hyper: Hyper; calibration: GPState['calibration']; domainThreshold: number; sites: number } {
    return { hyper: this.state.hyper, calibration: this.state.calibration, domainThreshold: this.state.domain.threshold, sites: Object.keys(this.state.domain.sites).length };
  }

  get domainThreshold(): number {
    return this.state.domain.threshold;
  }

  /** Latent inputs of substitutions of a cell, built with this model's scales. */
  inputsFor(enumeration: PairEnumeration, subs: Substitution[]): { inputs: GPInputs; sites: Map<string, number[]> } {
    const b = new InputBuilder(this.spec, this.state.scales, this.state.domain.sites);
    for (const s of subs) b.add(enumeration, s);
    return { inputs: b.inputs(), sites: b.siteDescriptors };
  }

  predict(enumeration: PairEnumeration, subs: Substitution[]): number[] {
    if (subs.length === 0) return [];
    return Array.from(this.gp.predict(this.inputsFor(enumeration, subs).inputs, { variance: false }).mean);
  }

  /** Calibrated sd of each query observation from its raw predictive sd. */
  calibrate(inputs: GPInputs, sd: ArrayLike<number>): number[] {
    const known = this.state.domain.sites;
    const c = this.state.calibration;
    return obsSites(inputs).map((ss, i) => (ss.some((k) => !(k in known)) ? c.newSite * sd[i] ** c.newSiteExponent * c.newSiteScale ** (1 - c.newSiteExponent) : c.inSite * sd[i]));
  }

  predictDistribution(enumeration: PairEnumeration, subs: Substitution[]): Distribution {
    if (subs.length === 0) return { mean: [], sd: [], lo: [], hi: [], domain: [], outOfDomain: [] };
    const { inputs, sites } = this.inputsFor(enumeration, subs);
    const { mean, sd } = this.gp.predict(inputs);
    const training = Object.values(this.state.domain.sites);
    const siteDistance = new Map([...sites].map(([k, v]) => [k, Math.min(...training.map((t) => distance(v, t)))]));
    const calibrated = this.calibrate(inputs, sd!);
    const out: Distribution = { mean: Array.from(mean), sd: [], lo: [], hi: [], domain: [], outOfDomain: [] };
    obsSites(inputs).forEach((ss, i) => {
      const v = calibrated[i];
      const d = Math.max(0, ...ss.map((k) => siteDistance.get(k)!));
      out.sd.push(v);
      out.lo.push(mean[i] - Z90 * v);
      out.hi.push(mean[i] + Z90 * v);
      out.domain.push(d);
      out.outOfDomain.push(d > this.state.domain.threshold + 1e-9);
    });
    return out;
  }

  /**
   * The same model (hyper-parameters, scales, calibration) conditioned on more
   * calculations: what a few new ones teach it, without re-tuning. The training
   * data's distances are reused, only the new rows are computed.
   */
  withMore(extra: TrainingSample[]): GPFamilyModel {
    const b = this.builder.clone();
    const state: GPState = { ...this.state, training: { samples: [...this.state.training.samples] }, y: [...this.state.y, ...extra.map((s) => s.eds)] };
    for (const s of extra) {
      b.add(s.enumeration, s.substitution);
      state.training.samples.push({ cell: b.cellIndex(s.enumeration), pair: s.substitution.pair.id, a: s.substitution.elementA, b: s.substitution.elementB });
    }
    state.domain = { sites: { ...this.state.domain.sites, ...Object.fromEntries(b.siteDescriptors) }, threshold: this.state.domain.threshold };
    return new GPFamilyModel(this.spec, state, b, this.gp);
  }

  /**
   * Active learning: the k candidates whose calculation would teach the model
   * most, chosen greedily — each pick is the candidate of largest posterior
   * variance given the training data and the picks before it (the variance after
   * a pick does not depend on its outcome), so the k are spread out, not near-copies.
   * Returns candidate indices in pick order with the sd each had when picked.
   */
  suggest(enumeration: PairEnumeration, candidates: Substitution[], k: number): { index: number; sd: number }[] {
    const { inputs } = this.inputsFor(enumeration, candidates);
    const m = inputs.n;
    const V = this.gp.whitened(this.gp.cross(inputs), m);
    const S = this.gp.prior(inputs);
    const n = this.gp.n;
    // posterior covariance Σ = K_cc − VᵀV (the products of the columns of V)
    const Vt = new Float64Array(m * n);
    for (let j = 0; j < n; j++) for (let a = 0; a < m; a++) Vt[a * n + j] = V[j * m + a];
    const VtV = new Float64Array(m * m);
    rowProducts(Vt, m, Vt, m, n, VtV);
    for (let p = 0; p < m * m; p++) S[p] -= VtV[p];
    const noise = this.state.hyper.sigmaN ** 2;
    const picked: { index: number; sd: number }[] = [];
    const taken = new Uint8Array(m);
    for (let t = 0; t < Math.min(k, m); t++) {
      // the pick that lowers the summed variance of all candidates most: Σ_a Σ_aj² / (Σ_jj + σ_n²)
      let best = -1;
      let bestGain = -Infinity;
      for (let j = 0; j < m; j++) {
        if (taken[j]) continue;
        let g = 0;
        for (let a = 0; a < m; a++) g += S[a * m + j] ** 2;
        g /= S[j * m + j] + noise;
        if (g > bestGain) [best, bestGain] = [j, g];
      }
      const v = S[best * m + best] + noise;
      picked.push({ index: best, sd: Math.sqrt(Math.max(0, v)) });
      taken[best] = 1;
      const col = Float64Array.from({ length: m }, (_, a) => S[a * m + best]);
      for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) S[a * m + b] -= (col[a] * col[b]) / v;
    }
    return picked;
  }

  /**
   * Predictions of training calculations with groups of them held out, from the
   * one fit (hyper-parameters fixed): fast k-fold CV. Calibrated sd (in-site factor).
   */
  heldOut(groups: readonly number[][]): { mean: number[]; sd: number[] } {
    const mean = new Array<number>(this.gp.n).fill(NaN);
    const sd = new Array<number>(this.gp.n).fill(NaN);
    this.gp.leaveGroupsOut(groups).forEach((cv, g) => {
      for (const i of groups[g]) {
        mean[i] = cv.mean[i];
        sd[i] = cv.sd[i] * this.state.calibration.inSite;
      }
    });
    return { mean, sd };
  }

  /** The training GP, for active learning (posterior covariance of candidates). */
  get process(): LatentGP {
    return this.gp;
  }

  toJSON(): FamilyJSON {
    return { spec: this.spec, main: { kind: 'LatentGP', ...this.state }, single: null };
  }

  dispose(): void {}

  static fromJSON(json: FamilyJSON, cells: PairEnumeration[]): GPFamilyModel {
    const m = json.main as unknown as GPState & { kind: string };
    if (m.kind !== 'LatentGP') throw new Error(`expected a LatentGP, found '${m.kind}'`);
    for (const k of Object.keys(GP_PARAMS)) if (k !== 'optimizeOn' && k !== 'iterations') finiteNumber(m.hyper?.[k], `GP ${k}`, true);
    finiteNumbers(m.y, 'GP training energies', m.training?.samples?.length);
    finiteNumber(m.calibration?.inSite, 'GP calibration', true);
    finiteNumber(m.calibration?.newSite, 'GP calibration', true);
    finiteNumber(m.calibration?.newSiteScale, 'GP calibration', true);
    finiteNumber(m.calibration?.newSiteExponent, 'GP calibration');
    const b = new InputBuilder(json.spec, m.scales, m.domain.sites);
    for (const s of m.training.samples) {
      const e = cells[s.cell];
      if (!e) throw new Error(`GP: training cell ${s.cell} is missing`);
      const pair = e.pairs[s.pair - 1];
      if (!pair) throw new Error(`GP: training pair ${s.pair} is not a pair of its cell`);
      b.add(e, { pair, elementA: s.a, elementB: s.b });
    }
    return new GPFamilyModel(json.spec, m, b);
  }
}

export const GP_FAMILY: FamilyEntry = {
  name: 'gp',
  description: 'structured Gaussian process: shared single-site energy of element and environment + each site’s deviation + a vanishing interaction, with calibrated 90 % intervals; one energy per single substitution, for any phase',
  role: 'model',
  params: GP_PARAMS,
  capabilities: ['distribution', 'heldOut', 'withMore', 'suggest', 'newPhase'],
  minimum: { calculations: 20 },
  features: { values: 'absolute', aggregate: 'mean', geometry: true },
  endFeatures: { values: 'relative', aggregate: 'mean', geometry: true },
  defaults: {},
  fit: (spec, samples) => GPFamilyModel.fit(spec, samples),
  fromJSON: async (j, cells) => GPFamilyModel.fromJSON(j, cells),
};
