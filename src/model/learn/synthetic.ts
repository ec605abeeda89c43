/** Synthetic regression data for tests and benchmarks: a smooth function of the first two features plus noise. */
import { createRng } from './random.ts';

export interface SyntheticData {
  X: number[][];
  y: number[];
  /** Noise-free target. */
  f: number[];
}

/**
 * x ~ U(−2, 2)^d, y = sin(x0) + 0.5·x1² + N(0, noise²); features 2..d−1 are
 * pure noise. Var(f) ≈ 0.66, so predicting the mean gives MAE ≈ 0.66.
 */
export function smoothFunctionData(n: number, d: number, noise = 0.05, seed = 0): SyntheticData {
  if (d < 2) throw new Error('need d ≥ 2');
  const rng = createRng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  const f: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: d }, () => 4 * rng.next() - 2);
    const v = Math.sin(x[0]) + 0.5 * x[1] * x[1];
    X.push(x);
    f.push(v);
    y.push(v + noise * rng.normal());
  }
  return { X, y, f };
}

/** The tests' standard split of smoothFunctionData(400, 5, 0.05, 1): 300 train, 100 test, and the MAE of predicting the mean. */
export function smoothFunctionSplit() {
  const { X, y } = smoothFunctionData(400, 5, 0.05, 1);
  const ytr = y.slice(0, 300);
  const yte = y.slice(300);
  const m = ytr.reduce((a, b) => a + b, 0) / ytr.length;
  return { Xtr: X.slice(0, 300), ytr, Xte: X.slice(300), yte, meanMae: yte.reduce((a, v) => a + Math.abs(v - m), 0) / yte.length };
}
