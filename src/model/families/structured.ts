/**
 * Structured Gaussian processes of substitution energies: a family is a list of
 * latent terms, each a kernel over latent points, and an observation (one
 * calculation) is the sum of the terms of its substituted sites:
 *
 *   E(X@a, Y@b) = Σ_terms [ t(X@a) − t(host@a) ] + [ same for b ] + I(X@a, Y@b) + noise,
 *
 * so the pristine cell is exactly zero and a single substitution has one energy
 * in every pair that lists it. A term sees a substituted site through `SiteRef`
 * (its element and host with their scaled properties, its environment
 * descriptor, its site and its phase) and adds latent points with coefficients.
 * The `gp` and `hierarchical` families are two term lists over this machinery
 * (src/model/families/gp.ts, hierarchical.ts).
 *
 * Fitting: hyper-parameters by maximum marginal likelihood on a seeded
 * subsample, stage by stage (a term's stage frees its hyper-parameters; terms of
 * later stages are held at a near-zero start, so the earlier, shared terms
 * explain what they can); exact GP algebra on every calculation after that.
 * Calibration inside the training data: the predictive sd is scaled so that
 * 90 % intervals cover 90 % of held-out calculations — one factor for
 * substitutions on known sites (grouped 5-fold), one for a site never seen
 * (leave-site-out) and, for a family that knows phases, one for a phase never
 * seen (leave-phase-out across the training phases, or a documented prior).
 */
import type { PairEnumeration } from '../../substitution/pairs.ts';
import type { Substitution } from '../../substitution/substitution.ts';
import { featurizerFor, type CeDefinition } from '../../features/ce.ts';
import { hostOf, type Distribution, type FamilyEntry, type FamilyJSON, type FamilySpec, type SubstitutionModel, type SuggestGoal, type TrainingSample } from './contract.ts';
import { DesignBuilder, fitHyper, LatentGP, NOISE, type Bounds, type Component, type GPInputs, type Hyper, type KernelType } from '../learn/gp.ts';
import { childSeed, createRng, shuffleInPlace } from '../learn/random.ts';
import { finiteNumber, finiteNumbers } from '../learn/estimator.ts';
import { rowProducts } from '../../util/linalg.ts';
import { InputError } from '../../util/errors.ts';
import { normalCdf, Z90 } from '../../util/normal.ts';
import { isFitted, number, resolveParams, type NumberParam, type ParamDefs } from '../../util/params.ts';

/** Largest training set: three 8000² float64 matrices are 1.5 GB, and the Cholesky grows as n³ (4000: 2.7 s, scripts/BENCHMARKS.md; 8000: ~22 s). */
export const MAX_GP_CALCULATIONS = 8000;

/** Geometry part of a site descriptor: CN, mean and spread of shell distances (Å), hull volume (Å³), each over a typical difference between sites. */
const GEOMETRY_SCALES = [2, 0.2, 0.1, 10];

/** One substituted site of an observation, as the terms see it. */
export interface SiteRef {
  /** Site identity (host and environment; for a family that knows phases, within its phase). */
  site: string;
  phase: string;
  host: string;
  element: string;
  /** Scaled property vectors of the element placed and of the host. */
  px: number[];
  ph: number[];
  /** Scaled environment descriptor: host properties, shell properties, geometry. */
  v: number[];
  /** The pristine shell by element: scaled properties and summed weight (r^m weights over their mean, so about the count). */
  neighbours: { element: string; p: number[]; weight: number }[];
}

/** Adds a latent point (identity, kernel key, features) with its coefficient to the observation. */
export type Push = (id: string, key: string, features: () => number[], coef: number) => void;

/** Sizes a term's kernel and points are made for. */
export interface TermShape {
  /** Element properties. */
  P: number;
  /** Pair vector definition (its blocks by name). */
  features: CeDefinition;
  /** Width of the pair vector. */
  F: number;
}

export interface Term {
  name: string;
  /** Width of its latent points. */
  dim(s: TermShape): number;
  kernel(s: TermShape): KernelType;
  /** The fitting stage that frees its hyper-parameters (1 = first). */
  stage: number;
  /** Values its hyper-parameters start from in their stage (by hyper-parameter name: sigma, ell, ell1 …). */
  start(s: TermShape & { sdY: number }): Record<string, number>;
  /** Values it is held at while an earlier stage is fitted (default: its start). */
  held?: Record<string, number>;
  /** Its latent points for one substituted site (the host's, with the opposite sign, make the pristine cell zero). */
  site?(r: SiteRef, push: Push): void;
  /** Its latent points for a double substitution: the pair vector of each corner of the double difference. */
  pair?(corner: (s: Substitution) => { id: string; features: () => number[] }, s: Substitution, hosts: [string, string], push: Push): void;
}

/** What distinguishes one structured family from another. */
export interface StructuredDefinition {
  name: string;
  terms: readonly Term[];
  /** Settings and hyper-parameters with their bounds (fitted unless given), declared once. */
  params: ParamDefs;
  /** Sites are identified within their phase (the family has phase-level terms). */
  phases: boolean;
  /**
   * Below this many training phases the phase-level hyper-parameters cannot be learned
   * from between-phase variation: they are fixed at their documented priors, and a new
   * phase's calibration is the prior one.
   */
  phasePrior?: { minPhases: number; hyper: Record<string, number>; calibration: Calibration; note: string };
}

/** sd multiplier of one kind of novelty: factor · sd^γ · s0^(1−γ). */
export interface Calibration {
  factor: number;
  exponent: number;
  scale: number;
}

interface Scales {
  property: number[];
  fMean: number[];
  fScale: number[];
}

/** What a fitted model is: its settings and training calculations (a model file stores them and refactors on load). */
interface StructuredState {
  hyper: Hyper;
  scales: Scales;
  /** sd multipliers: on a known site, on a new site of a known phase, on a new phase. */
  calibration: { site: Calibration; newSite: Calibration; newPhase: Calibration };
  /** Environment descriptors of the training sites (scaled), their phases, and the out-of-domain threshold. */
  domain: { sites: Record<string, number[]>; phases: Record<string, string>; threshold: number };
  /** The training phases, the phase of each training cell (by its index in the model file), and the calculations. */
  training: { phases: string[]; cellPhases: string[]; samples: { cell: number; pair: number; a: string; b: string }[] };
  /** Notes a prediction reports (e.g. that a prior stood in for between-phase variation). */
  notes: string[];
  /** sd of the training energies: the least width of an interval outside the applicability domain. */
  spread?: number;
  y: number[];
}

const componentsOf = (def: StructuredDefinition, shape: TermShape): Component[] => def.terms.map((t) => ({ name: t.name, kernel: t.kernel(shape) }));

/** Builds the latent designs of substitutions of any cells. */
class LatentBuilder {
  private designs: DesignBuilder[];
  private readonly cells = new Map<PairEnumeration, number>();
  private readonly cellPhase = new Map<PairEnumeration, string>();
  /** Scaled environment descriptor of each site seen, by site key, and its phase. */
  readonly siteDescriptors = new Map<string, number[]>();
  readonly sitePhase = new Map<string, string>();
  /** Site keys and phases each observation substitutes. */
  readonly observationSites: string[][] = [];
  readonly observationPhases: string[][] = [];
  private readonly atomKeys = new Map<string, string>();
  private n = 0;

  constructor(
    private readonly def: StructuredDefinition,
    private readonly spec: FamilySpec,
    private readonly scales: Scales,
    /** The training sites and their phases: a query's site equal to one of them gets its key. */
    private readonly known: { sites: Record<string, number[]>; phases: Record<string, string> } = { sites: {}, phases: {} },
  ) {
    const shape = shapeOf(spec, scales);
    this.designs = def.terms.map((t) => new DesignBuilder(t.dim(shape)));
  }

  private props(e: PairEnumeration, el: string): number[] {
    return featurizerFor(e, this.spec.endFeatures!).properties(el).map((v, q) => v / this.scales.property[q]);
  }

  private descriptor(e: PairEnumeration, atom: number): number[] {
    const P = this.scales.property.length;
    return featurizerFor(e, this.spec.endFeatures!)
      .environmentDescriptor(atom)
      .map((x, k) => x / (k < 2 * P ? this.scales.property[k % P] : GEOMETRY_SCALES[k - 2 * P]));
  }

  private neighbours(e: PairEnumeration, atom: number): SiteRef['neighbours'] {
    const site = featurizerFor(e, this.spec.endFeatures!).site(atom);
    const w = site.weights.reduce((a, b) => a + b, 0) / site.weights.length;
    const by = new Map<string, number>();
    site.shell.forEach((n, k) => {
      const el = e.cell.sites[n.index].element;
      by.set(el, (by.get(el) ?? 0) + site.weights[k] / w);
    });
    return [...by].map(([element, weight]) => ({ element, p: this.props(e, element), weight }));
  }

  cellIndex(e: PairEnumeration): number {
    if (!this.cells.has(e)) this.cells.set(e, this.cells.size);
    return this.cells.get(e)!;
  }

  /** The phase of a training cell is given; a query cell is the training phase it shares sites with, else a new phase. */
  setPhase(e: PairEnumeration, phase: string): void {
    this.cellPhase.set(e, phase);
  }

  phaseOf(e: PairEnumeration): string {
    let phase = this.cellPhase.get(e);
    if (phase !== undefined) return phase;
    if (!this.def.phases) phase = 'any';
    else {
      const orbits = [...new Set(e.symmetry.orbitOf)].map((o) => e.symmetry.orbitOf.indexOf(o));
      const descriptors = orbits.map((atom) => ({ host: hostOf(e, atom), v: this.descriptor(e, atom) }));
      // the training phase with which it shares the most sites (host and environment equal), if any
      const shared = new Map<string, number>();
      for (const d of descriptors)
        for (const [k, w] of Object.entries(this.known.sites)) {
          const p = this.known.phases[k];
          if (k.startsWith(`${p}|${d.host}|`) && sameDescriptor(w, d.v)) shared.set(p, (shared.get(p) ?? 0) + 1);
        }
      const match = [...shared].sort((a, b) => b[1] - a[1])[0]?.[0];
      // a new phase is named by its content, so every builder (training with shots, queries) names it alike
      phase = match ?? `new ${e.cell.formula()} ${digest(descriptors.map((d) => `${d.host}:${d.v.map((x) => x.toPrecision(5)).join(',')}`).sort().join(';'))}`;
    }
    this.cellPhase.set(e, phase);
    return phase;
  }

  /** Identity of a site: its host and environment descriptor (within its phase when the family knows phases). */
  siteKey(e: PairEnumeration, atom: number): string {
    const cacheKey = `${this.cellIndex(e)}:${atom}`;
    const cached = this.atomKeys.get(cacheKey);
    if (cached) return cached;
    const host = hostOf(e, atom);
    const v = this.descriptor(e, atom);
    const prefix = this.def.phases ? `${this.phaseOf(e)}|${host}|` : `${host}|`;
    // equal within round-off is the same site (a key made by rounding would split values that sit on a rounding boundary)
    let key = [...Object.entries(this.known.sites), ...this.siteDescriptors].find(([k, w]) => k.startsWith(prefix) && sameDescriptor(w, v))?.[0];
    if (!key) {
      key = `${prefix}${v.map((x) => x.toPrecision(6)).join(',')}`;
      while (key in this.known.sites || this.siteDescriptors.has(key)) key += "'";
    }
    if (!this.siteDescriptors.has(key)) {
      this.siteDescriptors.set(key, this.known.sites[key] ?? v);
      this.sitePhase.set(key, this.known.phases[key] ?? this.phaseOf(e));
    }
    this.atomKeys.set(cacheKey, key);
    return key;
  }

  add(e: PairEnumeration, s: Substitution): void {
    const { pair, elementA: x, elementB: y } = s;
    const ha = hostOf(e, pair.atomA);
    const hb = hostOf(e, pair.atomB);
    const terms = this.def.terms.map(() => [] as [number, number][]);
    const sites: string[] = [];
    const phases: string[] = [];
    const pushFor = (k: number): Push => (id, key, features, coef) => terms[k].push([this.designs[k].point(id, key, features), coef]);
    for (const [atom, element, host] of [
      [pair.atomA, x, ha],
      [pair.atomB, y, hb],
    ] as const) {
      if (element === host) continue;
      const site = this.siteKey(e, atom);
      const r: SiteRef = { site, phase: this.sitePhase.get(site)!, host, element, px: this.props(e, element), ph: this.props(e, host), v: this.siteDescriptors.get(site)!, neighbours: this.neighbours(e, atom) };
      sites.push(site);
      phases.push(r.phase);
      this.def.terms.forEach((t, k) => t.site?.(r, pushFor(k)));
    }
    if (x !== ha && y !== hb) {
      const cell = this.cellIndex(e);
      const corner = (c: Substitution) => ({
        id: `${cell}:${c.pair.id}:${c.elementA}:${c.elementB}`,
        features: () => featurizerFor(e, this.spec.features).features(c).map((v, q) => (v - this.scales.fMean[q]) / this.scales.fScale[q]),
      });
      this.def.terms.forEach((t, k) => t.pair?.(corner, s, [ha, hb], pushFor(k)));
    }
    this.designs.forEach((d, k) => d.row(terms[k]));
    this.observationSites.push([...new Set(sites)]);
    this.observationPhases.push([...new Set(phases)]);
    this.n++;
  }

  inputs(): GPInputs {
    return { n: this.n, designs: this.designs.map((d) => d.design()) };
  }

  /** A builder that continues from this one's training data (its point sets extend these). */
  clone(): LatentBuilder {
    const b = new LatentBuilder(this.def, this.spec, this.scales, this.known);
    b.designs = this.designs.map((d) => d.clone());
    for (const [k, v] of this.cells) b.cells.set(k, v);
    for (const [k, v] of this.cellPhase) b.cellPhase.set(k, v);
    for (const [k, v] of this.siteDescriptors) b.siteDescriptors.set(k, v);
    for (const [k, v] of this.sitePhase) b.sitePhase.set(k, v);
    for (const [k, v] of this.atomKeys) b.atomKeys.set(k, v);
    b.observationSites.push(...this.observationSites);
    b.observationPhases.push(...this.observationPhases);
    b.n = this.n;
    return b;
  }
}

/** A short, stable name for a text (FNV-1a, hex). */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

const sameDescriptor = (w: readonly number[], v: readonly number[]) => w.every((x, k) => Math.abs(x - v[k]) <= 1e-7 * Math.max(1, Math.abs(x)));

function std(v: number[]): number {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

const shapeOf = (spec: FamilySpec, scales: Scales): TermShape => ({ P: scales.property.length, features: spec.features, F: scales.fMean.length });

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
 * Calibration of a kind of novelty from held-out calculations grouped by what was
 * held out (sites, phases): for each compression γ ∈ {1, ¾, ½} of the raw sd
 * (sd^γ·s0^(1−γ)), the factor that covers 90 % of them; γ is the one whose
 * per-group coverages lie closest to 90 % (a pooled 90 % hiding 99 % on one
 * group and 70 % on another is not calibration).
 */
function groupCalibration(held: { group: number; r: number; sd: number }[], groups: number): Calibration {
  const ok = held.filter((h) => Number.isFinite(h.r) && h.sd > 0);
  const sds = ok.map((h) => h.sd).sort((a, b) => a - b);
  const s0 = sds[sds.length >> 1];
  let best = { factor: 1, exponent: 1, scale: s0, loss: Infinity };
  // γ stays ≥ ½: a constant sd (γ = 0) can calibrate per group yet says nothing about which predictions to trust
  for (const g of [1, 0.75, 0.5]) {
    const u = ok.map((h) => h.sd ** g * s0 ** (1 - g));
    const z = ok.map((h, i) => h.r / u[i]);
    const lossOf = (c: number) => {
      let loss = 0;
      for (let s = 0; s < groups; s++) {
        const these = ok.flatMap((h, i) => (h.group === s ? [Math.abs(z[i]) <= Z90 * c ? 1 : 0] : []));
        if (these.length) loss += (these.reduce((a, b) => a + b, 0) / these.length - 0.9) ** 2;
      }
      return loss;
    };
    // the factor: the pooled 90 % one, or the one of any group, whichever brings the groups' coverages nearest 90 %
    const candidates = [calibrationScale(z), ...Array.from({ length: groups }, (_, s) => calibrationScale(z.filter((_, i) => ok[i].group === s)))];
    for (const c of candidates) {
      const loss = lossOf(c);
      if (loss < best.loss - 1e-12) best = { factor: c, exponent: g, scale: s0, loss };
    }
  }
  const { loss: _, ...out } = best;
  return out;
}

const applyCalibration = (c: Calibration, sd: number) => c.factor * sd ** c.exponent * c.scale ** (1 - c.exponent);

/** Observations grouped by each key they carry (sites, phases), keeping groups that leave something to train on. */
function groupsBy(keysOf: readonly string[][], n: number): number[][] {
  const keys = [...new Set(keysOf.flat())];
  return keys.map((k) => keysOf.flatMap((ks, i) => (ks.includes(k) ? [i] : []))).filter((g) => g.length > 0 && g.length < n);
}

function distance(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0));
}

/** Largest nearest-other-site distance among training sites (at least 1: one geometry scale). */
function domainThreshold(sites: number[][]): number {
  let worst = 0;
  sites.forEach((s, i) => {
    const others = sites.filter((_, j) => j !== i).map((t) => distance(s, t));
    if (others.length) worst = Math.max(worst, Math.min(...others));
  });
  return Math.max(1, worst);
}

/** Settings every structured family declares beside its hyper-parameters. */
export const FIT_SETTINGS = {
  // 350: the hyper-parameters settle on it (α grouped fold 0: 73.3 meV at 350 and at 700)
  optimizeOn: number('calculations the hyper-parameters and calibration are fitted on (every single substitution, then pairs in seeded order)', 350, { min: 20, max: MAX_GP_CALCULATIONS, integer: true }),
  // 15 iterations per stage: the marginal likelihood has settled by then (fold-0 MAE 73.3 meV at 15, 25 and 40)
  iterations: number('L-BFGS iterations per stage of the marginal-likelihood fit', 15, { min: 1, max: 500, integer: true }),
} as const;

/** The bounds a declaration gives each of its hyper-parameters, by name. */
export const boundsFrom =
  (params: ParamDefs) =>
  (name: string): Bounds => {
    const p = params[name] as NumberParam | undefined;
    if (!p || !isFitted(p)) throw new Error(`${name} is not a declared hyper-parameter`);
    return [p.min!, p.max!];
  };

export class StructuredModel implements SubstitutionModel {
  private readonly gp: LatentGP;

  private constructor(
    private readonly def: StructuredDefinition,
    readonly spec: FamilySpec,
    private readonly state: StructuredState,
    /** The training data in latent form, kept to be continued (withMore). */
    private readonly builder: LatentBuilder,
    /** A GP on these observations already made, or on the first of them (to extend rather than refactor). */
    gp?: { made: LatentGP } | { base: LatentGP },
  ) {
    const inputs = builder.inputs();
    const y = Float64Array.from(state.y);
    this.gp = gp && 'made' in gp ? gp.made : gp ? gp.base.extendedBy(inputs, y) : new LatentGP(componentsOf(def, shapeOf(spec, state.scales)), inputs, y, state.hyper);
  }

  static async fit(def: StructuredDefinition, spec: FamilySpec, samples: TrainingSample[]): Promise<StructuredModel> {
    // exact GP algebra holds a few n × n matrices: refuse before allocating them
    if (samples.length > MAX_GP_CALCULATIONS) {
      throw new InputError(`the ${def.name} family fits at most ${MAX_GP_CALCULATIONS} calculations (exact GP algebra, n² memory: ${samples.length} would need ~${Math.round((3 * 8 * samples.length ** 2) / 2 ** 30)} GB); use --family site or transfer`);
    }
    const params = resolveParams(def.params, spec.params, `${def.name} parameter`) as Record<string, number>;
    const given = new Set(Object.keys(spec.params).filter((k) => isFitted(def.params[k])));
    const scales = trainingScales(spec, samples);
    const shape = shapeOf(spec, scales);
    const components = componentsOf(def, shape);
    const phaseNames = [...new Set(samples.map((s) => s.phase ?? ''))];
    const build = (subset: readonly TrainingSample[]) => {
      const b = new LatentBuilder(def, spec, scales);
      for (const s of subset) b.setPhase(s.enumeration, s.phase ?? '');
      for (const s of subset) b.add(s.enumeration, s.substitution);
      return b;
    };
    // hyper-parameters and calibration on a subsample: every single, then pairs in seeded order
    const singles = samples.filter((s) => s.kind !== 'pair');
    const pairs = shuffleInPlace(samples.filter((s) => s.kind === 'pair'), createRng(spec.seed));
    const sub = [...singles, ...pairs.slice(0, Math.max(0, params.optimizeOn - singles.length))];
    const subBuilder = build(sub);
    const subInputs = subBuilder.inputs();
    const ySub = sub.map((s) => s.eds);
    const sdY = std(ySub) || 1;

    // between-phase variation cannot be learned from too few phases: its documented prior stands in
    const prior = def.phasePrior && phaseNames.length < def.phasePrior.minPhases ? def.phasePrior : null;
    const fixedValues: Hyper = { ...(prior?.hyper ?? {}), ...Object.fromEntries([...given].map((k) => [k, params[k]])) };
    const fixedNames = new Set(Object.keys(fixedValues));
    const termStart = def.terms.map((t) => t.start({ ...shape, sdY }));
    const named = (k: number, values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([h, v]) => [`${def.terms[k].name}.${h}`, v]));
    const stages = [...new Set(def.terms.map((t) => t.stage))].sort((a, b) => a - b);
    let hyper: Hyper = {};
    for (const stage of stages) {
      const start: Hyper = { [NOISE]: hyper[NOISE] ?? 0.1 };
      def.terms.forEach((t, k) => Object.assign(start, t.stage < stage ? {} : named(k, t.stage === stage ? termStart[k] : { ...termStart[k], ...t.held })));
      Object.assign(start, Object.fromEntries(Object.entries(hyper).filter(([name]) => def.terms.some((t) => t.stage < stage && name.startsWith(`${t.name}.`)))), fixedValues);
      const free = new Set([...def.terms.filter((t) => t.stage === stage).flatMap((t) => t.kernel(shape).hyper.map((h) => `${t.name}.${h.name}`)), ...(stage === stages[0] ? [NOISE] : [])]);
      const fixed = new Set(Object.keys(start).filter((k) => !free.has(k) || fixedNames.has(k)));
      hyper = fitHyper(components, subInputs, ySub, start, { noise: boundsFrom(def.params)(NOISE), fixed, maxIterations: params.iterations }).hyper;
    }
    const subGP = new LatentGP(components, subInputs, Float64Array.from(ySub), hyper);

    // calibration on the subsample: grouped 5-fold (a sample is one calculation), leave-site-out, leave-phase-out
    const order = shuffleInPlace(sub.map((_, i) => i), createRng(childSeed(spec.seed, 'calibration folds')));
    const folds = Array.from({ length: 5 }, (_, f) => order.filter((_, k) => k % 5 === f));
    const heldOut = (groups: number[][]) =>
      subGP.leaveGroupsOut(groups).flatMap((cv, g) => groups[g].map((i) => ({ group: g, r: ySub[i] - cv.mean[i], sd: cv.sd[i] })));
    const site: Calibration = { factor: calibrationScale(heldOut(folds).map((h) => h.r / h.sd)), exponent: 1, scale: 1 };
    const siteGroups = groupsBy(subBuilder.observationSites, sub.length);
    const newSite = siteGroups.length > 1 ? groupCalibration(heldOut(siteGroups), siteGroups.length) : site;
    const full = build(samples);
    const y = samples.map((s) => s.eds);
    // a phase never seen, from the GP that predicts (its variances, not the subsample's, where a held-out phase still has most of the others)
    const phaseGroups = def.phases && !prior ? groupsBy(full.observationPhases, samples.length) : [];
    const fullGP = phaseGroups.length > 1 ? new LatentGP(components, full.inputs(), Float64Array.from(y), hyper) : null;
    const newPhase = prior
      ? prior.calibration
      : fullGP
        ? groupCalibration(fullGP.leaveGroupsOut(phaseGroups).flatMap((cv, g) => phaseGroups[g].map((i) => ({ group: g, r: y[i] - cv.mean[i], sd: cv.sd[i] }))), phaseGroups.length)
        : newSite;

    const state: StructuredState = {
      hyper,
      scales,
      calibration: { site, newSite, newPhase },
      domain: { sites: Object.fromEntries(full.siteDescriptors), phases: Object.fromEntries(full.sitePhase), threshold: domainThreshold([...full.siteDescriptors.values()]) },
      training: {
        phases: phaseNames,
        cellPhases: [...new Map(samples.map((s) => [full.cellIndex(s.enumeration), s.phase ?? ''])).entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p),
        samples: samples.map((s) => ({ cell: full.cellIndex(s.enumeration), pair: s.substitution.pair.id, a: s.substitution.elementA, b: s.substitution.elementB })),
      },
      notes: prior ? [prior.note] : [],
      spread: std(y),
      y,
    };
    return new StructuredModel(def, spec, state, full, fullGP ? { made: fullGP } : undefined);
  }

  /** Hyper-parameters and calibration, for reports. */
  get summary(): { hyper: Hyper; calibration: StructuredState['calibration']; domainThreshold: number; sites: number; phases: string[] } {
    return { hyper: this.state.hyper, calibration: this.state.calibration, domainThreshold: this.state.domain.threshold, sites: Object.keys(this.state.domain.sites).length, phases: this.state.training.phases };
  }

  get domainThreshold(): number {
    return this.state.domain.threshold;
  }

  get notes(): readonly string[] {
    return this.state.notes;
  }

  /** The training GP (its components, inputs and hyper-parameters). */
  get process(): LatentGP {
    return this.gp;
  }

  /** Latent inputs of substitutions of a cell, built with this model's scales and training sites. */
  inputsFor(enumeration: PairEnumeration, subs: Substitution[]): { inputs: GPInputs; builder: LatentBuilder } {
    const b = new LatentBuilder(this.def, this.spec, this.state.scales, this.state.domain);
    for (const s of subs) b.add(enumeration, s);
    return { inputs: b.inputs(), builder: b };
  }

  predict(enumeration: PairEnumeration, subs: Substitution[]): number[] {
    if (subs.length === 0) return [];
    return Array.from(this.gp.predict(this.inputsFor(enumeration, subs).inputs, { variance: false }).mean);
  }

  /** Calibrated sd of each observation from its raw predictive sd, by what it touches that training (not shots) never saw. */
  private calibrate(b: LatentBuilder, sd: ArrayLike<number>): number[] {
    const c = this.state.calibration;
    const sites = this.state.domain.sites;
    const phases = new Set(this.state.training.phases);
    return b.observationSites.map((ss, i) => {
      const cal = b.observationPhases[i].some((p) => this.def.phases && !phases.has(p)) ? c.newPhase : ss.some((k) => !(k in sites)) ? c.newSite : c.site;
      return applyCalibration(cal, sd[i]);
    });
  }

  predictDistribution(enumeration: PairEnumeration, subs: Substitution[]): Distribution {
    if (subs.length === 0) return { mean: [], sd: [], lo: [], hi: [], domain: [], outOfDomain: [] };
    const { inputs, builder } = this.inputsFor(enumeration, subs);
    const { mean, sd } = this.gp.predict(inputs);
    const training = Object.values(this.state.domain.sites);
    const siteDistance = new Map([...builder.siteDescriptors].map(([k, v]) => [k, Math.min(...training.map((t) => distance(v, t)))]));
    const calibrated = this.calibrate(builder, sd!);
    const out: Distribution = { mean: Array.from(mean), sd: [], lo: [], hi: [], domain: [], outOfDomain: [] };
    builder.observationSites.forEach((ss, i) => {
      const d = Math.max(0, ...ss.map((k) => siteDistance.get(k)!));
      const outside = d > this.state.domain.threshold + 1e-9;
      // outside the applicability domain the model's own variance is not trusted: the interval is at least
      // as wide as the spread of the training energies (what is known without the model)
      const v = outside && this.def.phases ? Math.max(calibrated[i], this.state.spread ?? 0) : calibrated[i];
      out.sd.push(v);
      out.lo.push(mean[i] - Z90 * v);
      out.hi.push(mean[i] + Z90 * v);
      out.domain.push(d);
      out.outOfDomain.push(outside);
    });
    return out;
  }

  /**
   * The same model (hyper-parameters, scales, calibration) conditioned on more
   * calculations: what a few new ones teach it, without re-tuning. Sites and
   * phases the shots bring stay new to the calibration: a few shots do not make
   * a site known. The training data's distances are reused, only the new rows are computed.
   */
  withMore(extra: TrainingSample[]): StructuredModel {
    const b = this.builder.clone();
    const state: StructuredState = { ...this.state, training: { ...this.state.training, samples: [...this.state.training.samples] }, y: [...this.state.y, ...extra.map((s) => s.eds)] };
    for (const s of extra) {
      b.add(s.enumeration, s.substitution);
      state.training.samples.push({ cell: b.cellIndex(s.enumeration), pair: s.substitution.pair.id, a: s.substitution.elementA, b: s.substitution.elementB });
    }
    return new StructuredModel(this.def, this.spec, state, b, { base: this.gp });
  }

  /**
   * Active learning, greedy: each pick is the candidate whose calculation would
   * most reduce, given the training data and the picks before it,
   * - 'variance': the summed posterior variance of all candidates;
   * - 'stabilising': the expected number of candidates whose side of E_DS = 0
   *   is misjudged (Σ_a min(P(E_a < 0), P(E_a > 0)), expectation over the
   *   outcome of the pick) — the uncertainty about *which* substitutions are
   *   stabilising, not about their energies.
   * The variance after a pick does not depend on its outcome, so the k are spread
   * out, not near-copies. Candidate indices in pick order with the sd each had when picked.
   */
  suggest(enumeration: PairEnumeration, candidates: Substitution[], k: number, o: { goal?: SuggestGoal } = {}): { index: number; sd: number }[] {
    const { inputs, builder } = this.inputsFor(enumeration, candidates);
    const m = inputs.n;
    const Ks = this.gp.cross(inputs);
    const V = this.gp.whitened(Ks, m);
    const S = this.gp.prior(inputs);
    const n = this.gp.n;
    // posterior covariance Σ = K_cc − VᵀV (the products of the columns of V)
    const Vt = new Float64Array(m * n);
    for (let j = 0; j < n; j++) for (let a = 0; a < m; a++) Vt[a * n + j] = V[j * m + a];
    const VtV = new Float64Array(m * m);
    rowProducts(Vt, m, Vt, m, n, VtV);
    for (let p = 0; p < m * m; p++) S[p] -= VtV[p];
    const noise = this.state.hyper[NOISE] ** 2;
    // the calibration's factor of each candidate scales its row and column (sd of a calculation, noise included)
    const raw = Array.from({ length: m }, (_, a) => Math.sqrt(Math.max(0, S[a * m + a]) + noise));
    const scale = this.calibrate(builder, raw).map((c, a) => c / raw[a]);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) S[a * m + b] *= scale[a] * scale[b];
    const mean = new Float64Array(m);
    for (let a = 0; a < m; a++) for (let j = 0; j < n; j++) mean[a] += Ks[a * n + j] * this.gp.alpha[j];
    const stabilising = (o.goal ?? 'variance') === 'stabilising';
    const picked: { index: number; sd: number }[] = [];
    const taken = new Uint8Array(m);
    const col = new Float64Array(m);
    for (let t = 0; t < Math.min(k, m); t++) {
      let best = -1;
      let bestGain = -Infinity;
      for (let j = 0; j < m; j++) {
        if (taken[j]) continue;
        const vj = S[j * m + j] + noise * scale[j] ** 2;
        let g = 0;
        if (stabilising) {
          for (let a = 0; a < m; a++) {
            if (taken[a]) continue;
            const s2 = S[a * m + a] + noise * scale[a] ** 2;
            const shift = (S[a * m + j] * S[a * m + j]) / vj;
            g += misjudged(mean[a], s2) - expectedMisjudged(mean[a], s2, shift);
          }
        } else {
          for (let a = 0; a < m; a++) g += S[a * m + j] ** 2;
          g /= vj;
        }
        if (g > bestGain) [best, bestGain] = [j, g];
      }
      const v = S[best * m + best] + noise * scale[best] ** 2;
      picked.push({ index: best, sd: Math.sqrt(Math.max(0, v)) });
      taken[best] = 1;
      for (let a = 0; a < m; a++) col[a] = S[a * m + best];
      for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) S[a * m + b] -= (col[a] * col[b]) / v;
      // the pick's outcome is not known: the means stay, their spread is what the expectation covers
    }
    return picked;
  }

  /**
   * Predictions of training calculations with groups of them held out, from the
   * one fit (hyper-parameters fixed): fast k-fold CV. Calibrated sd (known-site factor).
   */
  heldOut(groups: readonly number[][]): { mean: number[]; sd: number[] } {
    const mean = new Array<number>(this.gp.n).fill(NaN);
    const sd = new Array<number>(this.gp.n).fill(NaN);
    this.gp.leaveGroupsOut(groups).forEach((cv, g) => {
      for (const i of groups[g]) {
        mean[i] = cv.mean[i];
        sd[i] = applyCalibration(this.state.calibration.site, cv.sd[i]);
      }
    });
    return { mean, sd };
  }

  toJSON(): FamilyJSON {
    return { spec: this.spec, main: { kind: 'LatentGP', ...this.state }, single: null };
  }

  dispose(): void {}

  static fromJSON(def: StructuredDefinition, json: FamilyJSON, cells: PairEnumeration[]): StructuredModel {
    const m = json.main as unknown as StructuredState & { kind: string };
    if (m.kind !== 'LatentGP') throw new Error(`expected a LatentGP, found '${m.kind}'`);
    for (const [k, p] of Object.entries(def.params)) if (isFitted(p)) finiteNumber(m.hyper?.[k], `GP ${k}`, true);
    finiteNumbers(m.y, 'GP training energies', m.training?.samples?.length);
    for (const c of Object.values(m.calibration ?? {})) {
      finiteNumber(c?.factor, 'GP calibration', true);
      finiteNumber(c?.scale, 'GP calibration', true);
      finiteNumber(c?.exponent, 'GP calibration');
    }
    const b = new LatentBuilder(def, json.spec, m.scales, m.domain);
    m.training.cellPhases.forEach((phase, k) => cells[k] && b.setPhase(cells[k], phase));
    for (const s of m.training.samples) {
      const e = cells[s.cell];
      if (!e) throw new Error(`GP: training cell ${s.cell} is missing`);
      const pair = e.pairs[s.pair - 1];
      if (!pair) throw new Error(`GP: training pair ${s.pair} is not a pair of its cell`);
      b.add(e, { pair, elementA: s.a, elementB: s.b });
    }
    return new StructuredModel(def, json.spec, m, b);
  }
}

/** min(P(E < 0), P(E > 0)) for E ~ N(μ, s²): the chance of judging its sign wrong. */
function misjudged(mu: number, s2: number): number {
  return normalCdf(-Math.abs(mu) / Math.sqrt(s2));
}

// Gauss–Hermite nodes and weights (probabilists', 8 points) for an expectation over a normal outcome
const GH_X = [-2.9306374202572440, -1.9816567566958429, -1.1571937124467802, -0.3811869902073221, 0.3811869902073221, 1.1571937124467802, 1.9816567566958429, 2.9306374202572440].map((x) => x * Math.SQRT2);
const GH_W = [0.0001996040722113676, 0.01707798300741348, 0.2078023258148919, 0.6611470125582413, 0.6611470125582413, 0.2078023258148919, 0.01707798300741348, 0.0001996040722113676].map((w) => w / Math.sqrt(Math.PI));

/**
 * E[min(P(E < 0), P(E > 0))] after a calculation that moves the mean of E by a
 * normal amount of variance `shift` and leaves variance s2 − shift.
 */
function expectedMisjudged(mu: number, s2: number, shift: number): number {
  const after = Math.max(s2 - shift, 1e-12);
  const spread = Math.sqrt(Math.max(shift, 0));
  let e = 0;
  for (let q = 0; q < GH_X.length; q++) e += GH_W[q] * misjudged(mu + spread * GH_X[q], after);
  return e;
}

/** A family entry for a structured definition. */
export function structuredFamily(def: StructuredDefinition, o: { description: string; capabilities?: FamilyEntry['capabilities'] }): FamilyEntry {
  return {
    name: def.name,
    description: o.description,
    role: 'model',
    params: def.params,
    capabilities: o.capabilities ?? ['distribution', 'heldOut', 'withMore', 'suggest', 'newPhase'],
    minimum: { calculations: 20 },
    features: { values: 'absolute', aggregate: 'mean', geometry: true },
    endFeatures: { values: 'relative', aggregate: 'mean', geometry: true },
    defaults: {},
    fit: (spec, samples) => StructuredModel.fit(def, spec, samples),
    fromJSON: async (j, cells) => StructuredModel.fromJSON(def, j, cells),
  };
}
