/**
 * The model engine's own measurements (scripts/BENCHMARKS.md, "Model engine"), on the site
 * family's CE matrix of the 1794 α samples at the default C = 100, ε = 0.01, γ = 0.3/d:
 *
 *   1. one SVR fit: our SMO (kernel + solver) against libsvm-js (WebAssembly libsvm), same data;
 *   2. fold-wise against global feature scaling in an R × 5-fold CV (paired per fold): does the
 *      shared, globally scaled kernel change the CV MAE beyond noise?
 *   3. alpha seeding (each fold started from a fit on all rows) and warm starts along a (C, ε)
 *      path: iterations, time, and the change in CV MAE;
 *   4. the CV on 1 and 2 worker threads;
 *   5. the dense kernels: row products in TypeScript (2×4 register tile) against the wasm SIMD
 *      module; the SMO loops in TypeScript against wasm.
 *
 *   node --import tsx scripts/bench-engine.ts [--repeats 20] [--only 1,2,3,4,5]
 *
 * Times: wall and CPU (process.cpuUsage) of this process; on a shared machine CPU time is the
 * steadier of the two. Nothing here is cached between runs.
 */
import { StandardScaler } from '../src/model/learn/scaler.ts';
import { denseRows, KernelMatrix, scaleColumns } from '../src/model/learn/kernel.ts';
import { solveSvrDual } from '../src/model/learn/smo.ts';
import { svrCrossValidate, svrCrossValidateParallel, type SvrCVOptions, type SvrCVResult } from '../src/model/learn/svrCV.ts';
import { trainRbfSVR } from '../src/model/learn/libsvm.ts';
import { kFold, repeatedKFold, trainTestSplit, take } from '../src/model/learn/splits.ts';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { familySpec } from '../src/model/families/index.ts';
import { featurizerFor } from '../src/features/ce.ts';
import { rowProducts } from '../src/util/linalg.ts';
import { ArenaLayout, wasmEngine } from '../src/util/wasm.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const repeats = Number(opt('repeats', '20'));
const only = new Set(opt('only', '1,2,3,4,5').split(',').map(Number));

function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = f();
  return { value, wall: (performance.now() - t) / 1000, cpu: process.cpuUsage(c).user / 1e6 };
}

const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1));

const { system, data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);
const f = featurizerFor(system.enumeration, familySpec('site').features);
const X = samples.map((s) => f.features(s.substitution));
const y = samples.map((s) => s.eds);
const d = X[0].length;
const site = familySpec('site').params as { C: number; epsilon: number; gammaScale: number };
const params = { C: site.C, epsilon: site.epsilon, gamma: site.gammaScale / d };
console.log(`α CE matrix ${X.length} × ${d}; C = ${params.C}, ε = ${params.epsilon}, γ = ${params.gamma.toPrecision(4)}; node ${process.version}`);

/** Per-split test MAE (meV) of one grid point. */
function foldMae(cv: SvrCVResult, splits: { test: number[] }[], point = 0): number[] {
  return splits.map((s, k) => (1000 * s.test.reduce((a, r, t) => a + Math.abs(cv.points[point].predictions[k][t] - y[r]), 0)) / s.test.length);
}

function paired(name: string, a: number[], b: number[], cvA: SvrCVResult, cvB: SvrCVResult): void {
  const diff = a.map((v, k) => v - b[k]);
  let maxPred = 0;
  cvA.points[0].predictions.forEach((p, k) => p.forEach((v, t) => (maxPred = Math.max(maxPred, Math.abs(v - cvB.points[0].predictions[k][t])))));
  console.log(
    `  ${name}: paired ΔMAE ${mean(diff).toFixed(3)} ± ${(sd(diff) / Math.sqrt(diff.length)).toFixed(3)} meV (standard error over ${diff.length} folds; ` +
      `sd of a fold's MAE ${sd(b).toFixed(2)} meV, of the CV mean ${(sd(b) / Math.sqrt(b.length)).toFixed(2)} meV); max |Δ prediction| ${(1000 * maxPred).toFixed(2)} meV`,
  );
}

if (only.has(1)) {
  console.log('\n1. One fit, seeded 80/20 split (1435 training rows)');
  const split = trainTestSplit(X.length, 0.2, 42);
  const scaler = new StandardScaler().fit(take(X, split.train));
  const Xs = scaleColumns(denseRows(X), scaler.mean, scaler.scale);
  const Xtr = denseRows(scaler.transform(take(X, split.train)));
  for (let r = 0; r < 3; r++) {
    const k = timed(() => KernelMatrix.rbf(Xtr, params.gamma));
    const train = Int32Array.from(split.train.keys());
    const s = timed(() => solveSvrDual(k.value, take(y, split.train), train, params));
    console.log(`  ours: kernel ${k.wall.toFixed(3)} s (cpu ${k.cpu.toFixed(3)}), SMO ${s.wall.toFixed(3)} s (cpu ${s.cpu.toFixed(3)}), ${s.value.iterations} iterations, objective ${s.value.objective.toFixed(6)}`);
  }
  for (let r = 0; r < 2; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await trainRbfSVR(scaler.transform(take(X, split.train)), take(y, split.train), params);
    console.log(`  libsvm-js: ${((performance.now() - t) / 1000).toFixed(3)} s (cpu ${(process.cpuUsage(c).user / 1e6).toFixed(3)})`);
  }
  void Xs;
}

const splits = repeatedKFold(X.length, 5, repeats, 7);
const grid1 = { C: [params.C], epsilon: [params.epsilon], gamma: [params.gamma] };
let foldCV: SvrCVResult | undefined;
let foldMaes: number[] = [];
const cvRun = (name: string, o: Partial<SvrCVOptions>): { cv: SvrCVResult; maes: number[] } => {
  const r = timed(() => svrCrossValidate({ X, y, splits, grid: grid1, ...o }));
  const maes = foldMae(r.value, splits);
  const it = r.value.points[0].iterations;
  console.log(
    `  ${name}: CV MAE ${mean(maes).toFixed(2)} meV, ${r.wall.toFixed(1)} s (cpu ${r.cpu.toFixed(1)}; kernels ${r.value.seconds.kernel.toFixed(1)} s), ` +
      `${Math.round(mean(it))} iterations per fold`,
  );
  return { cv: r.value, maes };
};

if (only.has(2) || only.has(3)) {
  console.log(`\n2. Feature scaling inside each fold or once on all rows: ${repeats} × 5-fold CV (${splits.length} folds)`);
  const fold = cvRun('fold-wise scaling (SVR.fit per fold)', { standardize: 'fold' });
  foldCV = fold.cv;
  foldMaes = fold.maes;
  if (only.has(2)) {
    const global = cvRun('global scaling, one shared kernel', { standardize: 'global' });
    paired('global − fold-wise', global.maes, foldMaes, global.cv, foldCV);
  }
}

if (only.has(3)) {
  console.log('\n3. Starting points');
  const seeded = cvRun('fold-wise, alpha seeding', { standardize: 'fold', alphaSeeding: true });
  paired('seeded − cold', seeded.maes, foldMaes, seeded.cv, foldCV!);
  const five = kFold(X.length, 5, 11);
  const grid = { C: [3, 10, 30, 100], epsilon: [0.01, 0.02, 0.05], gamma: [0.3, 0.6, 1.2].map((g) => g / d) };
  for (const warmStart of [false, true]) {
    const r = timed(() => svrCrossValidate({ X, y, splits: five, grid, standardize: 'fold', warmStart }));
    const its = r.value.points.reduce((s, p) => s + p.iterations.reduce((a, b) => a + b, 0), 0);
    const best = r.value.points.map((_, p) => mean(foldMae(r.value, five, p)));
    const k = best.indexOf(Math.min(...best));
    console.log(
      `  36-point grid × 5 folds, warm starts ${warmStart ? 'on ' : 'off'}: ${r.wall.toFixed(1)} s (cpu ${r.cpu.toFixed(1)}), ${its} iterations; ` +
        `best C ${r.value.points[k].C}, ε ${r.value.points[k].epsilon}, γ·d ${(r.value.points[k].gamma * d).toFixed(1)}: ${best[k].toFixed(2)} meV; MAE of every point: ${best.map((v) => v.toFixed(2)).join(' ')}`,
    );
  }
}

if (only.has(4)) {
  console.log('\n4. Worker threads (fold-wise scaling)');
  const sub = splits.slice(0, 20);
  for (const threads of [1, 2]) {
    const t = performance.now();
    await svrCrossValidateParallel({ X, y, splits: sub, grid: grid1, standardize: 'fold' }, threads);
    console.log(`  ${sub.length} folds on ${threads} thread(s): ${((performance.now() - t) / 1000).toFixed(1)} s wall`);
  }
}

if (only.has(5)) {
  console.log('\n5. Dense kernels and SMO loops: TypeScript against the wasm module (CPU time)');
  const n = 1435;
  const k = d;
  const A = Float64Array.from({ length: n * k }, (_, i) => Math.sin(i * 0.37));
  const out = new Float64Array(n * n);
  const tsTile = timed(() => {
    for (let r = 0; r < 3; r++) rowProductsTs(A, n, A, n, k, out);
  });
  const wasm = timed(() => {
    for (let r = 0; r < 3; r++) rowProducts(A, n, A, n, k, out);
  });
  const gf = (c: number) => ((3 * n * n * k) / c / 1e9).toFixed(2);
  console.log(`  row products ${n}×${n}×${k}: TypeScript 2×4 tile ${gf(tsTile.cpu)} GFlop/s (multiply-add), wasm SIMD ${gf(wasm.cpu)} GFlop/s (incl. copies)`);
  // the SMO's two loops on arrays shaped like a fit's (col a permutation, offsets ±ε)
  const L = new ArenaLayout();
  L.i32(n);
  for (let a = 0; a < 4; a++) L.f64(n);
  L.f64(n * n);
  const { offsets, views } = L.allocate();
  const [col, r, up, low, dg, K] = views as [Int32Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  col.forEach((_, i) => (col[i] = (i * 7) % n));
  r.forEach((_, i) => (r[i] = Math.sin(i)));
  up.fill(-0.01);
  low.fill(0.01);
  dg.fill(1);
  K.forEach((_, i) => (K[i] = 0.5 + 0.4 * Math.cos(i)));
  const w = wasmEngine();
  w.smo_arrays(offsets[0], offsets[1], offsets[2], offsets[3], offsets[4], offsets[5]);
  const N = 20000;
  const ts = timed(() => {
    let acc = 0;
    for (let it = 0; it < N; it++) acc += selectJTs(col, r, low, dg, K, 5 * n, n, 0) + updateTs(col, r, up, K, 5 * n, 9 * n, n, 1e-12);
    return acc;
  });
  const ws = timed(() => {
    let acc = 0;
    for (let it = 0; it < N; it++) acc += w.smo_select_j(n, 5 * n, 1, 0, 1e-12) + w.smo_update(n, 5 * n, 9 * n, 1e-12);
    return acc;
  });
  console.log(`  SMO select-j + update over ${n} rows: TypeScript ${((1e9 * ts.cpu) / N / n).toFixed(2)} ns per row, wasm ${((1e9 * ws.cpu) / N / n).toFixed(2)} ns per row`);
}

/** The 2×4 register tile in TypeScript: the best of the plain-TS variants tried (2×2, 3×3, 4×4 spill). */
function rowProductsTs(A: Float64Array, m: number, B: Float64Array, nB: number, k: number, out: Float64Array): void {
  for (let i = 0; i + 1 < m; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    for (let j = 0; j + 3 < nB; j += 4) {
      const b0 = j * k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p];
        const x1 = A[a1 + p];
        let v = B[b0 + p];
        s00 += x0 * v;
        s10 += x1 * v;
        v = B[b0 + k + p];
        s01 += x0 * v;
        s11 += x1 * v;
        v = B[b0 + 2 * k + p];
        s02 += x0 * v;
        s12 += x1 * v;
        v = B[b0 + 3 * k + p];
        s03 += x0 * v;
        s13 += x1 * v;
      }
      const o = i * nB + j;
      out[o] = s00;
      out[o + 1] = s01;
      out[o + 2] = s02;
      out[o + 3] = s03;
      out[o + nB] = s10;
      out[o + nB + 1] = s11;
      out[o + nB + 2] = s12;
      out[o + nB + 3] = s13;
    }
  }
}

function selectJTs(col: Int32Array, r: Float64Array, low: Float64Array, dg: Float64Array, K: Float64Array, ci: number, active: number, gmax: number): number {
  let M = Infinity;
  let best = 0;
  let jp = -1;
  for (let k = 0; k < active; k++) {
    const v = r[k] + low[k];
    if (v < M) M = v;
    const g = gmax - v;
    if (g > 0) {
      let q = 1 + dg[k] - 2 * K[ci + col[k]];
      if (!(q > 0)) q = 1e-12;
      const gain = (g * g) / q;
      if (gain >= best) {
        best = gain;
        jp = k;
      }
    }
  }
  return jp + M;
}

function updateTs(col: Int32Array, r: Float64Array, up: Float64Array, K: Float64Array, ci: number, cj: number, active: number, s: number): number {
  let g = -Infinity;
  let ip = -1;
  for (let k = 0; k < active; k++) {
    const c = col[k];
    const rk = r[k] - s * (K[ci + c] - K[cj + c]);
    r[k] = rk;
    const v = rk + up[k];
    if (v >= g) {
      g = v;
      ip = k;
    }
  }
  return ip + g;
}
