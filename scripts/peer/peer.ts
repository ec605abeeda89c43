/**
 * cescreen side of the peer benchmark (scripts/bench-peer.sh). Each step times
 * its work in-process (best of 3, module loading excluded), dumps what the
 * Python reference needs into DIR, and writes DIR/ts-<step>.json.
 *
 *   node --import tsx scripts/peer/peer.ts <noop|symmetry|neighbors|features|svr|svr-cv|svr-grid|cholesky> DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructure } from '../../src/structure/io.ts';
import { analyzeSymmetry } from '../../src/structure/symmetry.ts';
import { supercell } from '../../src/structure/supercell.ts';
import type { Mat3 } from '../../src/structure/lattice.ts';
import { NeighborFinder } from '../../src/environment/neighbors.ts';
import { substitutionPairs } from '../../src/substitution/pairs.ts';
import { expandSubstitutions } from '../../src/substitution/substitution.ts';
import { CeFeaturizer, DEFAULT_CE } from '../../src/features/ce.ts';
import { ALLOYING_ELEMENTS } from '../../src/features/elements.ts';
import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { collapseByKey } from '../../src/substitution/dataset.ts';
import { familySpec } from '../../src/model/families/index.ts';
import { featurizerFor } from '../../src/features/ce.ts';
import { SVR } from '../../src/model/learn/svr.ts';
import { svrCrossValidate, type SvrGrid } from '../../src/model/learn/svrCV.ts';
import { repeatedKFold, kFold } from '../../src/model/learn/splits.ts';
import { cholesky, choleskyLogDet, choleskySolve, squaredDistances } from '../../src/util/linalg.ts';

const root = new URL('../../', import.meta.url).pathname;
export const STRUCTURES = {
  alpha: join(root, 'structures/alpha-Nb5Si3/structure.cif'),
  beta: join(root, 'structures/beta-Nb5Si3/structure.cif'),
};
/** α supercells of step 2: 32 to 10 976 atoms. */
export const NEIGHBOR_SIZES: [number, number, number][] = [[1, 1, 1], [2, 2, 1], [2, 2, 2], [3, 3, 2], [4, 4, 3], [6, 6, 4], [7, 7, 7]];
export const CUTOFF = 8;

/** Best (smallest) wall time of `runs` calls, seconds, and the last result. */
function best<T>(runs: number, f: () => T): { s: number; first: number; value: T } {
  let s = Infinity;
  let first = 0;
  let value!: T;
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    value = f();
    const dt = (performance.now() - t) / 1000;
    if (k === 0) first = dt;
    s = Math.min(s, dt);
  }
  return { s, first, value };
}

async function bestAsync<T>(runs: number, f: () => Promise<T>): Promise<{ s: number; value: T }> {
  let s = Infinity;
  let value!: T;
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    value = await f();
    s = Math.min(s, (performance.now() - t) / 1000);
  }
  return { s, value };
}

const diag = ([a, b, c]: [number, number, number]): Mat3 => [[a, 0, 0], [0, b, 0], [0, 0, c]];

function symmetryStep() {
  return Object.entries(STRUCTURES).map(([name, path]) => {
    const r = best(3, () => {
      const s = readStructure(path, {});
      return { s, sym: analyzeSymmetry(s) };
    });
    const { s, sym } = r.value;
    return {
      name,
      natoms: s.length,
      seconds: r.s,
      first_seconds: r.first,
      spacegroup: sym.number,
      // element + Wyckoff position of every orbit: the set both codes must agree on
      wyckoff: sym.orbits.map((o) => `${o.element} ${o.multiplicity}${o.wyckoff}`).sort(),
    };
  });
}

function neighborStep(dir: string) {
  const alpha = readStructure(STRUCTURES.alpha, {});
  return NEIGHBOR_SIZES.map((size) => {
    const cell = supercell(alpha, diag(size));
    const r = best(3, () => {
      const finder = new NeighborFinder(cell, CUTOFF);
      const all: number[][] = [];
      for (let i = 0; i < cell.length; i++) all.push(finder.distances(i));
      return all;
    });
    // the array API (pymatgen's get_neighbor_list): best of 5, it is the quick one
    const list = best(5, () => new NeighborFinder(cell, CUTOFF).neighborList());
    let count = 0;
    for (const d of r.value) count += d.length;
    const flat = new Float64Array(count);
    let k = 0;
    for (const d of r.value) for (const x of d) flat[k++] = x;
    flat.sort();
    const listSorted = list.value.distances.slice().sort();
    let listDiff = listSorted.length === flat.length ? 0 : Infinity;
    for (let q = 0; q < flat.length && listDiff < Infinity; q++) listDiff = Math.max(listDiff, Math.abs(listSorted[q] - flat[q]));
    let sum = 0;
    for (const x of flat) sum += x;
    const file = `ts-distances-${size.join('x')}.f64`;
    writeFileSync(join(dir, file), new Uint8Array(flat.buffer));
    return { size, natoms: cell.length, seconds: r.s, seconds_list: list.s, list_count: list.value.count, list_max_diff: listDiff, count, sum, file };
  });
}

function featureStep(dir: string) {
  const alpha = readStructure(STRUCTURES.alpha, {});
  const enumeration = substitutionPairs(alpha, { maxDistance: 3.6 });
  const elements = [...ALLOYING_ELEMENTS];
  const subs = expandSubstitutions(enumeration, elements);
  // Full: shells (AET of every atom involved) + arithmetic, a fresh featurizer each run.
  const full = best(3, () => {
    const f = new CeFeaturizer(enumeration, DEFAULT_CE);
    return subs.map((s) => f.features(s));
  });
  // Arithmetic only: shells already cached, as the Python side gets them from the dump.
  const f = new CeFeaturizer(enumeration, DEFAULT_CE);
  const atoms = [...new Set(enumeration.pairs.flatMap((p) => [p.atomA, p.atomB]))];
  for (const a of atoms) f.site(a);
  const arith = best(3, () => subs.map((s) => f.features(s)));
  const cell = enumeration.cell;
  const dump = {
    definition: f.definition,
    names: f.names,
    cell: cell.sites.map((s) => s.element),
    shells: Object.fromEntries(
      atoms.map((a) => {
        const d = f.site(a);
        return [a, { host: d.host, cn: d.cn, shell: d.shell.map((n) => ({ index: n.index, distance: n.distance, vector: n.vector })), volume: d.volume }];
      }),
    ),
    substitutions: subs.map((s) => ({ atomA: s.pair.atomA, elementA: s.elementA, atomB: s.pair.atomB, elementB: s.elementB, distance: s.pair.distance })),
    X: arith.value,
  };
  writeFileSync(join(dir, 'ts-features-data.json'), JSON.stringify(dump));
  return { pairs: enumeration.pairs.length, elements: elements.length, substitutions: subs.length, features: f.names.length, seconds_full: full.s, seconds_arithmetic: arith.s };
}

/** Deterministic 80/20 split (mulberry32 shuffle), written so both sides test the same rows. */
function split(n: number, seed: number): { train: number[]; test: number[] } {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const nTest = Math.round(0.2 * n);
  return { test: idx.slice(0, nTest).sort((x, y) => x - y), train: idx.slice(nTest).sort((x, y) => x - y) };
}

/** The site family's CE matrix of the 1612 α calculations and the default (C, ε, γ): the SVR steps' data. */
function svrData() {
  const { system, data } = trainingData(DEFAULT_DATA);
  const samples = collapseByKey(data.rows);
  const spec = familySpec('site');
  const f = featurizerFor(system.enumeration, spec.features);
  const X = samples.map((s) => f.features(s.substitution));
  const y = samples.map((s) => s.eds);
  const p = familySpec('site').params as { C: number; epsilon: number; gammaScale: number };
  return { X, y, params: { C: p.C, epsilon: p.epsilon, gamma: p.gammaScale / X[0].length } };
}

async function svrStep(dir: string) {
  const { X, y, params } = svrData();
  const { train, test } = split(X.length, 42);
  const Xtr = train.map((i) => X[i]);
  const ytr = train.map((i) => y[i]);
  const Xte = test.map((i) => X[i]);
  let model!: SVR;
  const fit = await bestAsync(3, async () => {
    model = new SVR(params);
    await model.fit(Xtr, ytr);
  });
  const pred = best(3, () => model.predict(Xte));
  const mae = test.reduce((s, i, k) => s + Math.abs(pred.value[k] - y[i]), 0) / test.length;
  writeFileSync(join(dir, 'ts-svr-data.json'), JSON.stringify({ X, y, train, test, params, pred: pred.value }));
  return { n: X.length, d: X[0].length, train: train.length, test: test.length, params, nSV: model.nSupportVectors, seconds_fit: fit.s, seconds_predict: pred.s, mae };
}

/** Mean absolute error of every split's test predictions. */
function foldMaes(y: number[], splits: { test: number[] }[], predictions: Float64Array[]): number[] {
  return splits.map((s, k) => s.test.reduce((a, r, t) => a + Math.abs(predictions[k][t] - y[r]), 0) / s.test.length);
}

/** 20 × 5-fold CV at the default hyper-parameters on all 1612 calculations, features scaled inside each fold (as a Pipeline). */
function svrCvStep(dir: string) {
  const { X, y, params } = svrData();
  const splits = repeatedKFold(X.length, 5, 20, 7);
  const grid: SvrGrid = { C: [params.C], epsilon: [params.epsilon], gamma: [params.gamma] };
  const t = performance.now();
  const cv = svrCrossValidate({ X, y, splits, grid, standardize: 'fold' });
  const seconds = (performance.now() - t) / 1000;
  const maes = foldMaes(y, splits, cv.points[0].predictions);
  writeFileSync(join(dir, 'ts-svr-cv-data.json'), JSON.stringify({ X, y, params, splits: splits.map((s) => [s.train, s.test]), maes }));
  return { n: X.length, folds: splits.length, params, seconds, seconds_kernel: cv.seconds.kernel, mae: maes.reduce((a, b) => a + b) / maes.length };
}

/** A 36-point (C, ε, γ) grid, 5-fold CV on the same folds as scikit-learn's GridSearchCV. */
export const GRID = { C: [3, 10, 30, 100], epsilon: [0.01, 0.02, 0.05], gammaScale: [0.3, 0.6, 1.2] };

function svrGridStep(dir: string) {
  const { X, y } = svrData();
  const d = X[0].length;
  const splits = kFold(X.length, 5, 11);
  const grid: SvrGrid = { C: GRID.C, epsilon: GRID.epsilon, gamma: GRID.gammaScale.map((g) => g / d) };
  const t = performance.now();
  const cv = svrCrossValidate({ X, y, splits, grid, standardize: 'fold' });
  const seconds = (performance.now() - t) / 1000;
  const points = cv.points.map((p) => {
    const maes = foldMaes(y, splits, p.predictions);
    return { C: p.C, epsilon: p.epsilon, gamma: p.gamma, mae: maes.reduce((a, b) => a + b) / maes.length };
  });
  const bestPoint = points.reduce((a, b) => (b.mae < a.mae ? b : a));
  writeFileSync(join(dir, 'ts-svr-grid-data.json'), JSON.stringify({ splits: splits.map((s) => [s.train, s.test]), grid, points }));
  return { n: X.length, points: points.length, folds: splits.length, seconds, seconds_kernel: cv.seconds.kernel, best: bestPoint };
}

/** Cholesky factorisation of an RBF kernel + noise (a Gaussian process's) of n random points in 8-d, then solve and log det. */
export const CHOLESKY_SIZES = [500, 1000, 2000, 4000];

function choleskyStep(dir: string) {
  return CHOLESKY_SIZES.map((n) => {
    const k = 8;
    let a = 12345 + n;
    const rand = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
    const X = Float64Array.from({ length: n * k }, rand);
    const K = new Float64Array(n * n);
    squaredDistances(X, n, k, K);
    for (let i = 0; i < n * n; i++) K[i] = Math.exp(-0.5 * K[i]);
    for (let i = 0; i < n; i++) K[i * n + i] += 1e-2;
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    writeFileSync(join(dir, `ts-chol-K-${n}.f64`), new Uint8Array(K.buffer));
    const L = new Float64Array(n * n);
    const fact = best(3, () => {
      L.set(K);
      cholesky(L, n);
    });
    const x = Float64Array.from(b);
    const solve = best(3, () => {
      x.set(b);
      choleskySolve(L, n, x);
    });
    writeFileSync(join(dir, `ts-chol-L-${n}.f64`), new Uint8Array(L.buffer));
    writeFileSync(join(dir, `ts-chol-x-${n}.f64`), new Uint8Array(x.buffer));
    return { n, seconds_factor: fact.s, seconds_solve: solve.s, logdet: choleskyLogDet(L, n) };
  });
}

const [step, dir] = process.argv.slice(2);
if (!step || !dir) {
  console.error('usage: peer.ts <noop|symmetry|neighbors|features|svr|svr-cv|svr-grid|cholesky> DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const started = performance.now() / 1000; // seconds since process start: start-up + module graph
const steps: Record<string, () => unknown> = {
  noop: () => ({}),
  symmetry: symmetryStep,
  neighbors: () => neighborStep(dir),
  features: () => featureStep(dir),
  svr: () => svrStep(dir),
  'svr-cv': () => svrCvStep(dir),
  'svr-grid': () => svrGridStep(dir),
  cholesky: () => choleskyStep(dir),
};
if (!steps[step]) {
  console.error(`unknown step ${step}`);
  process.exit(2);
}
const result = await steps[step]();
writeFileSync(join(dir, `ts-${step}.json`), JSON.stringify({ step, startup_seconds: started, result }, null, 1));
