/**
 * Cross-validation of ε-SVR on shared kernel matrices, on one thread or on worker
 * threads (each runs svrCVWorker.ts).
 */
import { Worker } from 'node:worker_threads';
import { checkXy } from './estimator.ts';
import { StandardScaler } from './scaler.ts';
import { denseRows, KernelMatrix, scaleColumns, SquaredDistances, type DenseRows } from './kernel.ts';
import { fitSVRPrecomputed, restrictDual, solveSvrDual, type SvrDual } from './smo.ts';

/** One hyper-parameter point; γ absolute, on the scaled features. */
export interface SvrPoint {
  C: number;
  epsilon: number;
  gamma: number;
}

/** The (C, ε, γ) values of a grid; every combination is one point. */
export interface SvrGrid {
  C: readonly number[];
  epsilon: readonly number[];
  /** Absolute γ on the scaled features. */
  gamma: readonly number[];
}

export interface SvrCVOptions {
  /** Every row any split trains on or predicts (samples, anchor rows, extra rows to predict). */
  X: readonly (readonly number[])[];
  /** Targets by row; rows that are never in a training list may be NaN. */
  y: readonly number[];
  /**
   * Targets by row for split k, when they differ between splits (e.g. the transfer family's
   * interaction model learns residuals of a per-fold single-site model); overrides `y` for that
   * split. The kernels do not depend on the targets, so they are still shared.
   */
  splitTargets?: readonly (readonly number[])[];
  /** Index lists into X: each split trains on `train` and predicts `test`. */
  splits: readonly { readonly train: readonly number[]; readonly test: readonly number[] }[];
  /** Every combination of these values is a point … */
  grid?: SvrGrid;
  /** … or these points, in this order (e.g. the survivors of a successive-halving rung). One of the two. */
  points?: readonly SvrPoint[];
  /**
   * 'fold' (default, = SVR.fit per fold): features standardised on each split's training
   * rows, one distance matrix per split; 'global': standardised once on all rows of X, one
   * distance matrix for everything (on the α data, 20 × 5 CV: CV MAE −0.008 ± 0.016 meV
   * against 'fold', i.e. no change beyond noise, and 12 % less CPU); 'none': raw features.
   */
  standardize?: 'fold' | 'global' | 'none';
  tolerance?: number;
  /**
   * Start each (C, ε) of a split from its neighbour on the path (C ascending). Default false:
   * on the α data it saved 9 % of the iterations of a 36-point grid and no CPU time (the SMO's
   * tail, not its start, is the cost), and without it every point equals an independent SVR.fit.
   */
  warmStart?: boolean;
  /**
   * Start each split's first fit from a fit on the union of all training rows restricted
   * to the split (restrictDual). Default false: the start holds information on the split's
   * test rows, bounded by the solver tolerance; on the α data (20 × 5 CV) it saved 15 % of
   * the CPU time and moved the CV MAE by +0.030 ± 0.003 meV (scripts/BENCHMARKS.md).
   */
  alphaSeeding?: boolean;
  /** Run only these splits (indices into `splits`); the others' predictions stay empty. For svrCrossValidateParallel. */
  only?: readonly number[];
  onProgress?: (done: number, total: number) => void;
}

export interface SvrCVPoint {
  C: number;
  epsilon: number;
  gamma: number;
  /** Per split, the predictions of its `test` rows in that order. */
  predictions: Float64Array[];
  /** Per split: SMO iterations and fit seconds (kernel excluded). */
  iterations: number[];
  seconds: number[];
}

export interface SvrCVResult {
  /** One per point: `points` in their order, or the grid's combinations with C outermost, then γ, then ε (search.ts expandGrid order of {C, gamma, epsilon}). */
  points: SvrCVPoint[];
  /** Seconds in distance and kernel matrices, in fits and predictions, in all. */
  seconds: { kernel: number; fit: number; total: number };
}

/**
 * Cross-validated ε-SVR over a (C, ε, γ) grid or list of points on shared kernel matrices: per γ
 * one kernel (per split with 'fold' scaling), every split and (C, ε) trains on index lists into it.
 * Anchor rows (e.g. pristine cells at energy 0) go in every split's `train`; extra rows to
 * predict go in its `test`: all are rows of X.
 */
export function svrCrossValidate(o: SvrCVOptions): SvrCVResult {
  const t0 = performance.now();
  const mode = o.standardize ?? 'fold';
  const warm = o.warmStart ?? false;
  const { splits, y } = o;
  if (o.X.length !== y.length) throw new RangeError(`svrCrossValidate: ${o.X.length} rows but ${y.length} targets`);
  if (o.splitTargets) {
    if (o.splitTargets.length !== splits.length) throw new RangeError(`svrCrossValidate: ${o.splitTargets.length} target lists for ${splits.length} splits`);
    o.splitTargets.forEach((t, k) => {
      if (t.length !== o.X.length) throw new RangeError(`svrCrossValidate: split ${k} has ${t.length} targets for ${o.X.length} rows`);
    });
    if (o.alphaSeeding) throw new RangeError('svrCrossValidate: alpha seeding needs one target per row for all splits');
  }
  checkXy(o.X);
  const points = cvPoints(o);
  const raw = denseRows(o.X);
  // per γ, its points along the path: C ascending, ε in order of appearance
  const gammas = [...new Set(points.map((p) => p.gamma))];
  const path = new Map(gammas.map((g) => [g, points.filter((p) => p.gamma === g).sort((a, b) => a.C - b.C)]));
  const run = o.only ? [...o.only] : splits.map((_, i) => i);
  const total = points.length * run.length;
  let done = 0;
  let kernelSeconds = 0;
  let fitSeconds = 0;
  const scaled = (rows: readonly number[] | null): DenseRows => {
    if (mode === 'none') return raw;
    const s = new StandardScaler().fit(rows ? rows.map((i) => o.X[i]) : o.X);
    return scaleColumns(raw, s.mean, s.scale);
  };
  let K: KernelMatrix | undefined;
  const seeds = new Map<number, SvrDual>();
  const unionTrain = o.alphaSeeding ? [...new Set(splits.flatMap((s) => s.train))].sort((a, b) => a - b) : [];
  /** All points of one γ on the splits `which`, on kernel K. */
  const runSplits = (gamma: number, which: number[]): void => {
    const along = path.get(gamma)!;
    for (const si of which) {
      const split = splits[si];
      let seed: SvrDual | undefined;
      if (o.alphaSeeding) {
        // one fit on the union of the training rows per γ, on the first kernel of that γ
        let full = seeds.get(gamma);
        if (!full) {
          const t = performance.now();
          full = solveSvrDual(K!, y, unionTrain, { C: along[0].C, epsilon: along[0].epsilon, tolerance: o.tolerance });
          fitSeconds += (performance.now() - t) / 1000;
          seeds.set(gamma, full);
        }
        seed = restrictDual(full, split.train) ?? undefined;
      }
      const lastAtEps = new Map<number, SvrDual>();
      let previous: SvrDual | undefined = seed;
      for (const p of along) {
        const t = performance.now();
        const start = warm ? (lastAtEps.get(p.epsilon) ?? previous) : seed;
        const m = fitSVRPrecomputed(K!, o.splitTargets?.[si] ?? y, split.train, { C: p.C, epsilon: p.epsilon, tolerance: o.tolerance }, start);
        const pred = m.predictRows(split.test);
        const dt = (performance.now() - t) / 1000;
        fitSeconds += dt;
        p.predictions[si] = pred;
        p.iterations[si] = m.dual.iterations;
        p.seconds[si] = dt;
        lastAtEps.set(p.epsilon, m.dual);
        previous = m.dual;
        o.onProgress?.(++done, total);
      }
    }
  };
  const timeKernel = <T>(f: () => T): T => {
    const t = performance.now();
    const v = f();
    kernelSeconds += (performance.now() - t) / 1000;
    return v;
  };
  if (mode === 'fold') {
    for (const si of run) {
      const D2 = timeKernel(() => SquaredDistances.of(scaled(splits[si].train as number[])));
      for (const gamma of gammas) {
        K = timeKernel(() => KernelMatrix.fromSquaredDistances(D2, gamma, K));
        runSplits(gamma, [si]);
      }
    }
  } else {
    const D2 = timeKernel(() => SquaredDistances.of(scaled(null)));
    for (const gamma of gammas) {
      K = timeKernel(() => KernelMatrix.fromSquaredDistances(D2, gamma, K));
      runSplits(gamma, run);
    }
  }
  return { points, seconds: { kernel: kernelSeconds, fit: fitSeconds, total: (performance.now() - t0) / 1000 } };
}

/** The result points of a CV: the explicit list or the grid's combinations; distinct and valid. */
function cvPoints(o: SvrCVOptions): SvrCVPoint[] {
  if (!o.grid === !o.points) throw new RangeError('svrCrossValidate: give either a grid or a list of points');
  const list: SvrPoint[] = [];
  if (o.grid) {
    for (const [name, v] of Object.entries(o.grid)) if ((v as number[]).length === 0) throw new RangeError(`svrCrossValidate: grid ${name} is empty`);
    for (const C of o.grid.C) for (const gamma of o.grid.gamma) for (const epsilon of o.grid.epsilon) list.push({ C, epsilon, gamma });
  } else list.push(...o.points!);
  if (list.length === 0) throw new RangeError('svrCrossValidate: no points');
  const seen = new Set<string>();
  for (const p of list) {
    const key = `${p.C} ${p.epsilon} ${p.gamma}`;
    if (seen.has(key)) throw new RangeError(`svrCrossValidate: point C=${p.C}, ε=${p.epsilon}, γ=${p.gamma} given twice`);
    seen.add(key);
  }
  return list.map((p) => ({ C: p.C, epsilon: p.epsilon, gamma: p.gamma, predictions: [], iterations: [], seconds: [] }));
}

/**
 * svrCrossValidate with the splits shared round-robin among `threads` worker threads (each its
 * own kernels and wasm memory). Every split is computed exactly as on one thread, so the
 * predictions do not depend on the thread count. `onProgress` is not called.
 */
export async function svrCrossValidateParallel(o: SvrCVOptions, threads: number): Promise<SvrCVResult> {
  const W = Math.min(Math.max(1, Math.floor(threads)), o.splits.length);
  if (W <= 1) return svrCrossValidate(o);
  const t0 = performance.now();
  const { onProgress: _, ...job } = o;
  // workers do not inherit tsx's loader: register it inside, then load the worker module (as src/predict/parallel.ts)
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./svrCVWorker.ts', import.meta.url).href)}); })`;
  const parts = await Promise.all(
    Array.from({ length: W }, (_, k) => {
      const only = o.splits.map((_s, i) => i).filter((i) => i % W === k);
      return new Promise<SvrCVResult>((resolve, reject) => {
        const w = new Worker(boot, { eval: true, workerData: { svrCV: { ...job, only } } });
        w.once('message', (m: SvrCVResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
        w.once('error', reject);
      });
    }),
  );
  const merged = parts[0];
  for (const part of parts.slice(1))
    part.points.forEach((p, pi) => {
      const into = merged.points[pi];
      p.predictions.forEach((pred, si) => {
        if (!pred) return;
        into.predictions[si] = pred;
        into.iterations[si] = p.iterations[si];
        into.seconds[si] = p.seconds[si];
      });
    });
  return {
    points: merged.points,
    seconds: {
      kernel: parts.reduce((s, p) => s + p.seconds.kernel, 0),
      fit: parts.reduce((s, p) => s + p.seconds.fit, 0),
      total: (performance.now() - t0) / 1000,
    },
  };
}
