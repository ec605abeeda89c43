/**
 * The GP core (src/model/learn/gp.ts) checked as mathematics, on a small
 * substitution-shaped problem written out term by term (the components of the
 * gp family: a shared smooth single-site energy, a per-site function, a per-site
 * offset, a vanishing pair interaction; ±1 coefficients) and on the gp family's
 * own inputs for a subsample of the α data:
 * - the log marginal likelihood against a dense computation with K built
 *   element by element from the kernel definitions;
 * - its gradient against central differences, for every hyper-parameter;
 * - predictions against the dense conditional Gaussian;
 * - leave-group-out against refits on the remaining observations;
 * - `extendedBy` against a GP built on the extended data directly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockRbfKernel, DesignBuilder, hyperNames, LatentGP, logMarginalLikelihood, perKeyConstantKernel, perKeyRbfKernel, type Component, type GPInputs } from '../src/model/learn/gp.ts';
import { createRng, shuffleInPlace, type Rng } from '../src/model/learn/random.ts';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { familySpec, fitFamily } from '../src/model/families/index.ts';
import type { StructuredModel as GPFamilyModel } from '../src/model/families/structured.ts';
import { substitutedSites } from '../src/model/evaluation/protocols.ts';

// ---------------------------------------------------------------------------
// Dense reference algebra (plain loops, independent of src/util/linalg.ts)

/** Lower Cholesky factor of a symmetric positive-definite n × n matrix. */
function denseCholesky(A: number[][]): number[][] {
  const n = A.length;
  const L = A.map(() => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let d = A[j][j];
    for (let p = 0; p < j; p++) d -= L[j][p] ** 2;
    assert.ok(d > 0, 'reference matrix not positive definite');
    L[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = A[i][j];
      for (let p = 0; p < j; p++) s -= L[i][p] * L[j][p];
      L[i][j] = s / L[j][j];
    }
  }
  return L;
}

/** A⁻¹ b from the factor of A. */
function denseSolve(L: number[][], b: readonly number[]): number[] {
  const n = L.length;
  const z = [...b];
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < i; p++) z[i] -= L[i][p] * z[p];
    z[i] /= L[i][i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let p = i + 1; p < n; p++) z[i] -= L[p][i] * z[p];
    z[i] /= L[i][i];
  }
  return z;
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const sqdist = (a: readonly number[], b: readonly number[], cols: readonly number[]) => cols.reduce((s, k) => s + (a[k] - b[k]) ** 2, 0);
const range = (a: number, n: number) => Array.from({ length: n }, (_, k) => a + k);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  return Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};

// ---------------------------------------------------------------------------
// A substitution-shaped problem: P element properties, sites with a host and a
// descriptor; an observation is X@a alone or X@a + Y@b, written as the latent
// terms of each component (as src/model/families/gp.ts writes them).

const P = 3;
const BLOCKS = {
  smooth: [range(0, P), range(P, 2)], // host-relative element vector u, site descriptor v
  pair: [range(0, P), range(P, P), [2 * P]], // X's properties, Y's properties, distance
};

/** Bounds play no part in these tests (no fit): wide ones. */
const WIDE = { sigma: [1e-6, 1e6], ell: [1e-6, 1e6] } as const;

/** The components with their kernel definitions written out: k(s, t, h) for latent points s, t. */
const MODEL: { component: Component; dim: number; k: (s: Term, t: Term, h: Record<string, number>) => number }[] = [
  {
    component: { name: 'smooth', kernel: blockRbfKernel(BLOCKS.smooth, WIDE) },
    dim: P + 2,
    k: (s, t, h) => h['smooth.sigma'] ** 2 * Math.exp(-0.5 * (sqdist(s.x, t.x, BLOCKS.smooth[0]) / h['smooth.ell1'] ** 2 + sqdist(s.x, t.x, BLOCKS.smooth[1]) / h['smooth.ell2'] ** 2)),
  },
  {
    component: { name: 'site', kernel: perKeyRbfKernel(WIDE) },
    dim: P,
    k: (s, t, h) => (s.key === t.key ? h['site.sigma'] ** 2 * Math.exp(-0.5 * sqdist(s.x, t.x, range(0, P)) / h['site.ell'] ** 2) : 0),
  },
  {
    component: { name: 'offset', kernel: perKeyConstantKernel(WIDE) },
    dim: 1,
    k: (s, t, h) => (s.key === t.key ? h['offset.sigma'] ** 2 : 0),
  },
  {
    component: { name: 'pair', kernel: blockRbfKernel(BLOCKS.pair, WIDE) },
    dim: 2 * P + 1,
    k: (s, t, h) => h['pair.sigma'] ** 2 * Math.exp(-0.5 * BLOCKS.pair.reduce((e, cols, b) => e + sqdist(s.x, t.x, cols) / h[`pair.ell${b + 1}`] ** 2, 0)),
  },
];
const COMPONENTS = MODEL.map((m) => m.component);
const NAMES = hyperNames(COMPONENTS);

interface Term {
  id: string;
  key: string;
  x: number[];
  coef: number;
}
/** An observation: its latent terms per component. */
type Observation = Term[][];

interface World {
  elements: Record<string, number[]>;
  sites: { key: string; host: string; v: number[] }[];
  distance: (a: number, b: number) => number;
}

function randomWorld(rng: Rng): World {
  const names = ['Nb', 'Si', 'Ti', 'Hf', 'Cr', 'B', 'Al', 'Mo'];
  const elements = Object.fromEntries(names.map((e) => [e, range(0, P).map(() => rng.normal())]));
  const sites = [
    { key: 'NbI', host: 'Nb' },
    { key: 'NbII', host: 'Nb' },
    { key: 'SiI', host: 'Si' },
    { key: 'SiII', host: 'Si' },
    { key: 'SiIII', host: 'Si' },
  ].map((s) => ({ ...s, v: [rng.normal(), rng.normal()] }));
  const D = sites.map(() => sites.map(() => 2.5 + 2 * rng.next()));
  return { elements, sites, distance: (a, b) => D[Math.min(a, b)][Math.max(a, b)] };
}

/** X@a, or X@a + Y@b: each substituted end s(X@a) − s(host@a) + offset, and the pair's four corners. */
function observation(w: World, a: number, x: string, b?: number, y?: string): Observation {
  const terms: Observation = MODEL.map(() => []);
  const end = (s: number, el: string) => {
    const { key, host, v } = w.sites[s];
    const [p, ph] = [w.elements[el], w.elements[host]];
    terms[0].push({ id: `${key}|${el}`, key, x: [...p.map((q, k) => q - ph[k]), ...v], coef: 1 }, { id: `${key}|${host}`, key, x: [...p.map(() => 0), ...v], coef: -1 });
    terms[1].push({ id: `${key}|${el}`, key, x: p, coef: 1 }, { id: `${key}|${host}`, key, x: ph, coef: -1 });
    terms[2].push({ id: key, key, x: [0], coef: 1 });
  };
  end(a, x);
  if (b === undefined || y === undefined) return terms;
  end(b, y);
  const corner = (ex: string, ey: string, coef: number) => terms[3].push({ id: `${a}:${b}:${ex}:${ey}`, key: '', x: [...w.elements[ex], ...w.elements[ey], w.distance(a, b)], coef });
  const [ha, hb] = [w.sites[a].host, w.sites[b].host];
  corner(x, y, 1);
  corner(x, hb, -1);
  corner(ha, y, -1);
  corner(ha, hb, 1);
  return terms;
}

function randomObservations(w: World, rng: Rng, count: number): Observation[] {
  const solutes = Object.keys(w.elements).filter((e) => e !== 'Nb' && e !== 'Si');
  const pick = <T>(a: readonly T[]) => a[rng.int(a.length)];
  return Array.from({ length: count }, (_, k) => {
    const a = rng.int(w.sites.length);
    if (k % 3 === 0) return observation(w, a, pick(solutes));
    const b = (a + 1 + rng.int(w.sites.length - 1)) % w.sites.length;
    return observation(w, a, pick(solutes), b, pick(solutes));
  });
}

/** Designs of observations, continued from `from` (its points first, as a model conditioned on more data). */
class Designs {
  readonly builders: DesignBuilder[];
  n = 0;
  constructor(from?: Designs) {
    this.builders = from ? from.builders.map((b) => b.clone()) : MODEL.map((m) => new DesignBuilder(m.dim));
    this.n = from?.n ?? 0;
  }
  add(obs: readonly Observation[]): this {
    for (const o of obs) {
      o.forEach((terms, c) => this.builders[c].row(terms.map((t) => [this.builders[c].point(t.id, t.key, () => t.x), t.coef])));
      this.n++;
    }
    return this;
  }
  inputs(): GPInputs {
    return { n: this.n, designs: this.builders.map((b) => b.design()) };
  }
}
const inputsOf = (obs: readonly Observation[]) => new Designs().add(obs).inputs();

/** Σ_c Σ_s Σ_t coef_s coef_t k_c(s, t): the covariance of two lists of observations, element by element. */
function denseCovariance(A: readonly Observation[], B: readonly Observation[], h: Record<string, number>): number[][] {
  return A.map((oa) => B.map((ob) => MODEL.reduce((sum, m, c) => sum + oa[c].reduce((s1, s) => s1 + ob[c].reduce((s2, t) => s2 + s.coef * t.coef * m.k(s, t, h), 0), 0), 0)));
}

function withNoise(K: number[][], h: Record<string, number>): number[][] {
  return K.map((row, i) => row.map((v, j) => v + (i === j ? h.sigmaN ** 2 : 0)));
}

function denseLogMarginal(obs: readonly Observation[], y: readonly number[], h: Record<string, number>): number {
  const L = denseCholesky(withNoise(denseCovariance(obs, obs, h), h));
  const logDet = 2 * L.reduce((s, row, i) => s + Math.log(row[i]), 0);
  return -0.5 * dot(y, denseSolve(L, y)) - 0.5 * logDet - 0.5 * y.length * Math.log(2 * Math.PI);
}

/** Hyper-parameters log-uniform in plausible ranges (eV and feature units). */
function randomHyper(rng: Rng): Record<string, number> {
  const logUniform = (lo: number, hi: number) => lo * (hi / lo) ** rng.next();
  return Object.fromEntries(NAMES.map((k) => [k, k === 'sigmaN' ? logUniform(0.03, 0.3) : k.endsWith('sigma') ? logUniform(0.1, 2) : logUniform(0.5, 4)]));
}

/** Energies drawn from the model's prior at `h` (y = L z), so that the likelihood sees data of its own kind. */
function drawEnergies(obs: readonly Observation[], h: Record<string, number>, rng: Rng): number[] {
  const L = denseCholesky(withNoise(denseCovariance(obs, obs, h), h));
  const z = obs.map(() => rng.normal());
  return L.map((row) => dot(row, z));
}

const rng = createRng(17);
const world = randomWorld(rng);
const trueHyper = randomHyper(rng);
const observations = randomObservations(world, rng, 45);
const energies = drawEnergies(observations, trueHyper, rng);
const inputs = inputsOf(observations);

// ---------------------------------------------------------------------------

test('the designs hold every term: 45 observations, the latent points deduplicated by identity', () => {
  assert.equal(inputs.n, 45);
  inputs.designs.forEach((d, c) => {
    const ids = new Set(observations.flatMap((o) => o[c].map((t) => t.id)));
    assert.equal(d.points.n, ids.size, COMPONENTS[c].name);
    assert.equal(d.start[inputs.n], observations.reduce((s, o) => s + o[c].length, 0), COMPONENTS[c].name);
  });
  assert.equal(NAMES.length, 11);
});

test('log marginal likelihood equals −½yᵀK⁻¹y − ½log|K| − n/2·log 2π with K built element by element, at random hyper-parameters', () => {
  const r = createRng(3);
  for (let t = 0; t < 4; t++) {
    const h = t === 0 ? trueHyper : randomHyper(r);
    const want = denseLogMarginal(observations, energies, h);
    const got = logMarginalLikelihood(COMPONENTS, inputs, energies, h).value;
    // both exact algebra: measured agreement 3e-13 relative
    assert.ok(Math.abs(got - want) < 1e-11 * Math.max(1, Math.abs(want)), `point ${t}: ${got} vs ${want}`);
  }
});

/**
 * Central differences in log h, fourth order ((8[f(δ) − f(−δ)] − [f(2δ) − f(−2δ)])/12δ,
 * δ = 1e-3): the second-order one is no good here, since at the α fit log ℓ has
 * |f'''| ~ 300 (error 5e-7 at δ = 1e-4) and round-off in f (~1e-12) takes over
 * below δ = 3e-5. Measured worst error 8e-10 of the gradient's scale (its largest
 * component, at least 1); the tolerance 1e-7 leaves two orders of margin, while a
 * wrong factor or a dropped term (errors of order 1) cannot pass.
 */
function checkGradient(components: readonly Component[], x: GPInputs, y: ArrayLike<number>, h: Record<string, number>, label: string): void {
  const names = hyperNames(components);
  const { gradient } = logMarginalLikelihood(components, x, y, h);
  assert.deepEqual(Object.keys(gradient).sort(), [...names].sort());
  const scale = Math.max(1, ...names.map((k) => Math.abs(gradient[k])));
  const delta = 1e-3;
  for (const k of names) {
    const at = (s: number) => logMarginalLikelihood(components, x, y, { ...h, [k]: h[k] * Math.exp(s * delta) }).value;
    const fd = (8 * (at(1) - at(-1)) - (at(2) - at(-2))) / (12 * delta);
    assert.ok(Math.abs(fd - gradient[k]) < 1e-7 * scale, `${label}, ${k}: analytic ${gradient[k]}, central difference ${fd}`);
  }
}

test('the gradient in log hyper-parameters matches central differences for all 11 hyper-parameters, noise included', () => {
  const r = createRng(5);
  for (let t = 0; t < 3; t++) checkGradient(COMPONENTS, inputs, energies, randomHyper(r), `point ${t}`);
});

test('predictions equal the dense conditional Gaussian: mean K*K⁻¹y, variance k** − K*K⁻¹K*ᵀ + σn²', () => {
  const gp = new LatentGP(COMPONENTS, inputs, Float64Array.from(energies), trueHyper);
  const queries = randomObservations(world, createRng(8), 12);
  const { mean, sd } = gp.predict(inputsOf(queries));
  const L = denseCholesky(withNoise(denseCovariance(observations, observations, trueHyper), trueHyper));
  const Ks = denseCovariance(queries, observations, trueHyper);
  const Kss = denseCovariance(queries, queries, trueHyper);
  const alpha = denseSolve(L, energies);
  queries.forEach((_, i) => {
    const m = dot(Ks[i], alpha);
    const v = Kss[i][i] - dot(Ks[i], denseSolve(L, Ks[i])) + trueHyper.sigmaN ** 2;
    assert.ok(Math.abs(mean[i] - m) < 1e-11 * Math.max(1, Math.abs(m)), `query ${i}: mean ${mean[i]} vs ${m}`);
    assert.ok(Math.abs(sd![i] - Math.sqrt(v)) < 1e-11, `query ${i}: sd ${sd![i]} vs ${Math.sqrt(v)}`);
  });
});

/** The observations `rows` of `x`, sharing its point sets. */
function subset(x: GPInputs, rows: readonly number[]): GPInputs {
  return {
    n: rows.length,
    designs: x.designs.map((d) => {
      const start = [0];
      const index: number[] = [];
      const coef: number[] = [];
      for (const i of rows) {
        for (let p = d.start[i]; p < d.start[i + 1]; p++) (index.push(d.index[p]), coef.push(d.coef[p]));
        start.push(index.length);
      }
      return { points: d.points, start: Int32Array.from(start), index: Int32Array.from(index), coef: Float64Array.from(coef) };
    }),
  };
}

/**
 * leaveGroupsOut gives, for each held-out observation, the mean and sd of y_i
 * given all observations outside its group (noise included: the scatter of the
 * calculation itself), from the one factor. A GP refitted on the rest with the
 * same hyper-parameters predicts exactly that.
 */
function checkLeaveGroupsOut(gp: LatentGP, groups: number[][], label: string): void {
  const cv = gp.leaveGroupsOut(groups);
  groups.forEach((G, g) => {
    const held = new Set(G);
    const rest = range(0, gp.n).filter((i) => !held.has(i));
    const refit = new LatentGP(gp.components, subset(gp.inputs, rest), Float64Array.from(rest, (i) => gp.y[i]), gp.hyper);
    const { mean, sd } = refit.predict(subset(gp.inputs, G));
    G.forEach((i, a) => {
      assert.ok(Math.abs(cv[g].mean[i] - mean[a]) < 1e-10 * Math.max(1, Math.abs(mean[a])), `${label}, group ${g}, observation ${i}: mean ${cv[g].mean[i]} vs refit ${mean[a]}`);
      assert.ok(Math.abs(cv[g].sd[i] - sd![a]) < 1e-10 * Math.max(1, sd![a]), `${label}, group ${g}, observation ${i}: sd ${cv[g].sd[i]} vs refit ${sd![a]}`);
    });
    // observations outside the group are not predicted
    assert.ok(rest.every((i) => Number.isNaN(cv[g].mean[i]) && Number.isNaN(cv[g].sd[i])));
  });
}

test('leave-group-out from one factor equals refits on the remaining observations: means and sd (noise included)', () => {
  const gp = new LatentGP(COMPONENTS, inputs, Float64Array.from(energies), trueHyper);
  // every observation touching a site (a site never seen), and a random 5-fold split
  const bySite = world.sites.map((s) => range(0, inputs.n).filter((i) => observations[i][2].some((t) => t.key === s.key)));
  checkLeaveGroupsOut(gp, bySite, 'leave-site-out');
  const order = shuffleInPlace(range(0, inputs.n), createRng(4));
  checkLeaveGroupsOut(gp, range(0, 5).map((f) => order.filter((_, k) => k % 5 === f)), '5-fold');
  // a single held-out observation: the classic LOO identity, y_i − α_i/[K⁻¹]_ii
  checkLeaveGroupsOut(gp, [[0], [7], [44]], 'leave-one-out');
});

test('extendedBy equals a GP built on the extended data: the same factor, weights, predictions and sd', () => {
  // 30 observations, then the other 15 and 6 new ones (new points among them)
  const base = observations.slice(0, 30);
  const unseen = randomObservations(world, createRng(21), 6);
  const extra = [...observations.slice(30), ...unseen];
  const y = [...energies, ...drawEnergies(unseen, trueHyper, createRng(22))];
  const first = new Designs().add(base);
  const baseInputs = first.inputs();
  const gp0 = new LatentGP(COMPONENTS, baseInputs, Float64Array.from(y.slice(0, 30)), trueHyper);
  const extendedInputs = new Designs(first).add(extra).inputs();
  // the point sets continue the base ones (their distances are extended, not recomputed) and grow where there are new points
  extendedInputs.designs.forEach((d, c) => assert.equal(d.points.parent, baseInputs.designs[c].points));
  assert.deepEqual(extendedInputs.designs.map((d, c) => d.points.n > baseInputs.designs[c].points.n), [true, true, false, true]); // no site is new
  const extended = gp0.extendedBy(extendedInputs, Float64Array.from(y));
  // built directly, on the same point sets and on freshly built ones (distances not carried over)
  const direct = new LatentGP(COMPONENTS, extendedInputs, Float64Array.from(y), trueHyper);
  const fresh = new LatentGP(COMPONENTS, inputsOf([...base, ...extra]), Float64Array.from(y), trueHyper);
  const queries = new Designs().add(randomObservations(world, createRng(23), 10)).inputs();
  for (const [name, other] of [['direct', direct], ['fresh', fresh]] as const) {
    assert.equal(extended.n, other.n);
    assert.ok(maxDiff(extended.L, other.L) < 1e-12 * maxAbs(other.L), `${name}: factor differs by ${maxDiff(extended.L, other.L)}`);
    assert.ok(maxDiff(extended.alpha, other.alpha) < 1e-11 * maxAbs(other.alpha), `${name}: weights differ by ${maxDiff(extended.alpha, other.alpha)}`);
    const [a, b] = [extended.predict(queries), other.predict(queries)];
    assert.ok(maxDiff(a.mean, b.mean) < 1e-11 * Math.max(1, maxAbs(b.mean)), `${name}: means differ by ${maxDiff(a.mean, b.mean)}`);
    assert.ok(maxDiff(a.sd!, b.sd!) < 1e-11, `${name}: sd differ by ${maxDiff(a.sd!, b.sd!)}`);
  }
  // the extended factor is a factor of the extended covariance
  const K = withNoise(denseCovariance([...base, ...extra], [...base, ...extra], trueHyper), trueHyper);
  const N = extended.n;
  let err = 0;
  for (let i = 0; i < N; i++) for (let j = 0; j <= i; j++) err = Math.max(err, Math.abs(dot(range(0, j + 1).map((p) => extended.L[i * N + p]), range(0, j + 1).map((p) => extended.L[j * N + p])) - K[i][j]));
  assert.ok(err < 1e-10 * Math.max(...K.map((r, i) => r[i])), `L Lᵀ − K: ${err}`);
});

// ---------------------------------------------------------------------------
// The gp family's own inputs on the α data (every 12th calculation: ~130)

const { system, data } = trainingData(DEFAULT_DATA);
const alphaSamples = collapseByKey(data.rows);
const trainSamples = alphaSamples.filter((_, k) => k % 12 === 0);
const family = fitFamily(familySpec('gp', undefined, { seed: 0 }), trainSamples) as Promise<GPFamilyModel>;

test('α, gp family inputs: the gradient matches central differences for all 12 hyper-parameters, at the fit and away from it', async () => {
  const gp = (await family).process;
  assert.equal(hyperNames(gp.components).length, 12);
  checkGradient(gp.components, gp.inputs, gp.y, gp.hyper, 'fitted');
  const r = createRng(9);
  checkGradient(gp.components, gp.inputs, gp.y, Object.fromEntries(Object.entries(gp.hyper).map(([k, v]) => [k, v * Math.exp(r.normal() * 0.5)])), 'perturbed');
});

test('α, gp family: leave-site-out and 5-fold from one factor equal refits on the rest', async () => {
  const gp = (await family).process;
  const sites = [...new Set(trainSamples.flatMap((s) => substitutedSites(s)))];
  assert.equal(sites.length, 4);
  const bySite = sites.map((s) => range(0, gp.n).filter((i) => substitutedSites(trainSamples[i]).includes(s)));
  assert.ok(bySite.every((g) => g.length > 0 && g.length < gp.n));
  checkLeaveGroupsOut(gp, bySite, 'α leave-site-out');
  checkLeaveGroupsOut(gp, range(0, 5).map((f) => range(0, gp.n).filter((i) => i % 5 === f)), 'α 5-fold');
});

test('α, gp family: withMore (extendedBy) equals a GP built on all its calculations, on predictions of a third of the α set', async () => {
  const m = await family;
  const extra = alphaSamples.filter((_, k) => k % 12 === 6).slice(0, 40);
  const extended = m.withMore(extra).process;
  const direct = new LatentGP(extended.components, extended.inputs, extended.y, extended.hyper);
  assert.equal(extended.n, trainSamples.length + extra.length);
  assert.ok(maxDiff(extended.L, direct.L) < 1e-12 * maxAbs(direct.L), `factor differs by ${maxDiff(extended.L, direct.L)}`);
  assert.ok(maxDiff(extended.alpha, direct.alpha) < 1e-11 * maxAbs(direct.alpha), `weights differ by ${maxDiff(extended.alpha, direct.alpha)}`);
  const { inputs: Q } = m.inputsFor(system.enumeration, alphaSamples.filter((_, k) => k % 3 === 0).map((s) => s.substitution));
  const [a, b] = [extended.predict(Q), direct.predict(Q)];
  assert.ok(maxDiff(a.mean, b.mean) < 1e-10, `means differ by ${maxDiff(a.mean, b.mean)} eV`);
  assert.ok(maxDiff(a.sd!, b.sd!) < 1e-10, `sd differ by ${maxDiff(a.sd!, b.sd!)} eV`);
});
