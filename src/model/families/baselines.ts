/**
 * Simple baselines every model is reported beside, on the same splits:
 * - `mean`: the training mean;
 * - `additive`: least squares E ≈ e(X@a) + e(Y@b), one parameter per substituted
 *   (site, element); an (element, site) never seen in training takes the mean of
 *   that element's parameters on training sites with the same host, else 0;
 * - `additive-pairs`: the same plus ridge pair terms w_XY + v_XY·d for each
 *   unordered element pair (a cluster-expansion-like model), λ chosen by grouped
 *   5-fold CV inside the training data;
 * - `lookup` (meaningful on the leaky `paper` protocol only): copy the energy of a
 *   training row of the same calculation, else the additive model — what random
 *   row splits buy.
 * They name sites (orbits of the training cells): fine for a baseline, useless for a new phase.
 */
import type { PairEnumeration } from '../../substitution/pairs.ts';
import type { Substitution } from '../../substitution/substitution.ts';
import { calculationKey } from '../../substitution/substitution.ts';
import type { FamilyEntry, FamilyJSON, FamilySpec, SubstitutionModel, TrainingSample } from './contract.ts';
import { groupKFold, take } from '../learn/splits.ts';
import { solveLinear } from '../../util/linalg.ts';

/** A substituted end: site identity (cell + orbit), its host and the element placed. */
interface End {
  site: string;
  host: string;
  element: string;
}

/** Sites are told apart by cell and orbit; cells by object identity, numbered per model. */
class SiteIds {
  private readonly cells = new Map<PairEnumeration, number>();
  ends(e: PairEnumeration, s: Substitution): End[] {
    if (!this.cells.has(e)) this.cells.set(e, this.cells.size);
    const c = this.cells.get(e)!;
    const out: End[] = [];
    for (const [atom, el] of [
      [s.pair.atomA, s.elementA],
      [s.pair.atomB, s.elementB],
    ] as const) {
      const host = e.cell.sites[atom].element;
      if (el !== host) out.push({ site: `${c}:${e.symmetry.orbitOf[atom]}`, host, element: el });
    }
    return out;
  }
}

const notSaved = async (): Promise<SubstitutionModel> => {
  throw new Error('baselines are for evaluation and are not saved');
};

abstract class Baseline implements SubstitutionModel {
  constructor(readonly spec: FamilySpec) {}
  abstract predict(enumeration: PairEnumeration, subs: Substitution[]): number[];
  toJSON(): FamilyJSON {
    throw new Error('baselines are for evaluation and are not saved');
  }
  dispose(): void {}
}

class MeanModel extends Baseline {
  constructor(spec: FamilySpec, private readonly mean: number) {
    super(spec);
  }
  predict(_e: PairEnumeration, subs: Substitution[]): number[] {
    return subs.map(() => this.mean);
  }
}

/** Unordered element pair of a double substitution. */
const pairKey = (ends: End[]) => (ends.length === 2 ? [ends[0].element, ends[1].element].sort().join('-') : null);

/** Least squares on site-element indicators (+ ridge pair terms), solved by normal equations. */
class AdditiveModel extends Baseline {
  private readonly ids = new SiteIds();
  private site = new Map<string, number>();
  private pair = new Map<string, [number, number]>();
  private hostOfSite = new Map<string, string>();

  static fit(spec: FamilySpec, samples: TrainingSample[], lambda: number | null): AdditiveModel {
    const m = new AdditiveModel(spec);
    const rows = samples.map((s) => ({ ends: m.ids.ends(s.enumeration, s.substitution), d: s.substitution.pair.distance, y: s.eds }));
    const siteCols = new Map<string, number>();
    const pairCols = new Map<string, number>();
    for (const r of rows) {
      for (const e of r.ends) {
        const k = `${e.site}|${e.element}`;
        if (!siteCols.has(k)) siteCols.set(k, siteCols.size);
        m.hostOfSite.set(e.site, e.host);
      }
      const pk = pairKey(r.ends);
      if (lambda !== null && pk && !pairCols.has(pk)) pairCols.set(pk, pairCols.size);
    }
    const nS = siteCols.size;
    const p = nS + 2 * pairCols.size;
    const dScale = rows.reduce((a, r) => a + r.d, 0) / rows.length;
    const AtA = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const Aty = new Array<number>(p).fill(0);
    for (const r of rows) {
      const x = new Map<number, number>();
      for (const e of r.ends) {
        const j = siteCols.get(`${e.site}|${e.element}`)!;
        x.set(j, (x.get(j) ?? 0) + 1);
      }
      const pk = pairKey(r.ends);
      if (lambda !== null && pk) {
        const j = nS + 2 * pairCols.get(pk)!;
        x.set(j, 1);
        x.set(j + 1, r.d / dScale);
      }
      for (const [i, xi] of x) {
        Aty[i] += xi * r.y;
        for (const [j, xj] of x) AtA[i][j] += xi * xj;
      }
    }
    // a whisper of ridge keeps site parameters identifiable (e.g. X@a and Y@a always together)
    for (let j = 0; j < p; j++) AtA[j][j] += j < nS ? 1e-6 : lambda!;
    const beta = solveLinear(AtA, Aty, 0)!;
    for (const [k, j] of siteCols) m.site.set(k, beta[j]);
    for (const [k, j] of pairCols) m.pair.set(k, [beta[nS + 2 * j], beta[nS + 2 * j + 1] / dScale]);
    return m;
  }

  /** e(X@site), or the element's mean on training sites with the same host, or 0. */
  private e(end: End): number {
    const v = this.site.get(`${end.site}|${end.element}`);
    if (v !== undefined) return v;
    const same = [...this.site].filter(([k]) => {
      const [site, el] = k.split('|');
      return el === end.element && this.hostOfSite.get(site) === end.host;
    });
    return same.length ? same.reduce((a, [, x]) => a + x, 0) / same.length : 0;
  }

  predict(enumeration: PairEnumeration, subs: Substitution[]): number[] {
    return subs.map((s) => {
      const ends = this.ids.ends(enumeration, s);
      const pk = pairKey(ends);
      const w = pk ? this.pair.get(pk) : undefined;
      return ends.reduce((a, e) => a + this.e(e), 0) + (w ? w[0] + w[1] * s.pair.distance : 0);
    });
  }
}

/** λ of the pair terms by grouped 5-fold CV inside the training data (MAE). */
function chooseLambda(spec: FamilySpec, samples: TrainingSample[]): number {
  const grid = [1e-3, 1e-2, 0.1, 1, 10];
  const keys = samples.map((s) => calculationKey(s.enumeration, s.substitution));
  const folds = groupKFold(keys, Math.min(5, new Set(keys).size), spec.seed);
  let best = grid[0];
  let bestMae = Infinity;
  for (const lambda of grid) {
    let err = 0;
    for (const f of folds) {
      const m = AdditiveModel.fit(spec, take(samples, f.train), lambda);
      const test = take(samples, f.test);
      test.forEach((s) => (err += Math.abs(m.predict(s.enumeration, [s.substitution])[0] - s.eds)));
    }
    if (err < bestMae) [best, bestMae] = [lambda, err];
  }
  return best;
}

/**
 * The training data's mean energy per substituted element set, told apart by the host each
 * element replaces (its environment class): X@h + Y@h' for a pair, X@h for a single. A set never
 * seen with those hosts takes the mean of its elements alone, then the mean of each element's
 * calculations, then the training mean: on a new phase, what other phases say of these elements.
 */
class ElementMeanModel extends Baseline {
  private readonly means = new Map<string, number>();
  private readonly overall: number;

  constructor(spec: FamilySpec, samples: TrainingSample[]) {
    super(spec);
    const sums = new Map<string, number[]>();
    const add = (k: string, y: number) => sums.set(k, [...(sums.get(k) ?? []), y]);
    for (const s of samples) for (const k of ElementMeanModel.keys(s.enumeration, s.substitution)) add(k, s.eds);
    for (const [k, v] of sums) this.means.set(k, v.reduce((a, b) => a + b, 0) / v.length);
    this.overall = samples.reduce((a, s) => a + s.eds, 0) / samples.length;
  }

  /** Most to least specific: elements with their hosts, elements alone, then each element. */
  private static keys(e: PairEnumeration, s: Substitution): string[] {
    const ends: [string, string][] = [];
    if (s.elementA !== e.cell.sites[s.pair.atomA].element) ends.push([s.elementA, e.cell.sites[s.pair.atomA].element]);
    if (s.elementB !== e.cell.sites[s.pair.atomB].element) ends.push([s.elementB, e.cell.sites[s.pair.atomB].element]);
    return [ends.map(([x, h]) => `${x}@${h}`).sort().join('+'), ends.map(([x]) => x).sort().join('+'), ...ends.map(([x]) => `${x}:any`)];
  }

  predict(enumeration: PairEnumeration, subs: Substitution[]): number[] {
    return subs.map((s) => {
      const [withHosts, elements, ...each] = ElementMeanModel.keys(enumeration, s);
      const known = each.map((k) => this.means.get(k)).filter((v): v is number => v !== undefined);
      return this.means.get(withHosts) ?? this.means.get(elements) ?? (known.length ? known.reduce((a, b) => a + b, 0) / known.length : this.overall);
    });
  }
}

class LookupModel extends Baseline {
  constructor(
    spec: FamilySpec,
    private readonly known: Map<string, number>,
    private readonly fallback: AdditiveModel,
  ) {
    super(spec);
  }
  predict(enumeration: PairEnumeration, subs: Substitution[]): number[] {
    const back = this.fallback.predict(enumeration, subs);
    return subs.map((s, k) => this.known.get(calculationKey(enumeration, s)) ?? back[k]);
  }
}

const baseline = (name: string, description: string, fit: FamilyEntry['fit'], minimum = 1): FamilyEntry => ({
  name,
  description,
  role: 'baseline',
  params: {},
  capabilities: [],
  minimum: { calculations: minimum },
  features: {},
  endFeatures: null,
  defaults: {},
  fit,
  fromJSON: notSaved,
});

export const BASELINE_FAMILIES: readonly FamilyEntry[] = [
  baseline('mean', 'baseline: the training mean', async (spec, samples) => new MeanModel(spec, samples.reduce((a, s) => a + s.eds, 0) / samples.length)),
  baseline('additive', 'baseline: least squares e(X@a) + e(Y@b), one parameter per (site, element)', async (spec, samples) => AdditiveModel.fit(spec, samples, null), 2),
  baseline('additive-pairs', 'baseline: additive + ridge pair terms per element pair (cluster-expansion-like; λ by inner CV)', async (spec, samples) =>
    AdditiveModel.fit(spec, samples, chooseLambda(spec, samples)), 5,
  ),
  baseline('element-mean', 'baseline: the training mean per substituted element set and the hosts they replace, else per element set, else per element (on a new phase: what other phases say of these elements)', async (spec, samples) => new ElementMeanModel(spec, samples)),
  baseline('lookup', 'baseline for the leaky paper protocol: a training row of the same calculation, else additive', async (spec, samples) => {
    const sums = new Map<string, number[]>();
    for (const s of samples) {
      const k = calculationKey(s.enumeration, s.substitution);
      sums.set(k, [...(sums.get(k) ?? []), s.eds]);
    }
    const known = new Map([...sums].map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length]));
    return new LookupModel(spec, known, AdditiveModel.fit(spec, samples, null));
  }),
];
