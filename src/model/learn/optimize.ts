/**
 * L-BFGS minimisation (Nocedal & Wright, Alg. 7.4) with a backtracking
 * Armijo line search, for the handful of GP hyper-parameters (log scale).
 * Box bounds are enforced by clipping each trial point.
 */
export interface Minimum {
  x: number[];
  f: number;
  iterations: number;
  evaluations: number;
}

export function lbfgs(
  fg: (x: number[]) => { f: number; g: number[] },
  x0: number[],
  o: { lower?: number[]; upper?: number[]; maxIterations?: number; memory?: number; tolerance?: number } = {},
): Minimum {
  const n = x0.length;
  const clip = (x: number[]) => x.map((v, i) => Math.min(o.upper?.[i] ?? Infinity, Math.max(o.lower?.[i] ?? -Infinity, v)));
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
  let x = clip(x0);
  let { f, g } = fg(x);
  let evaluations = 1;
  const S: number[][] = [];
  const Y: number[][] = [];
  const m = o.memory ?? 6;
  let it = 0;
  for (; it < (o.maxIterations ?? 60); it++) {
    // two-loop recursion for the search direction −H g
    const q = [...g];
    const alpha: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      const a = dot(S[k], q) / dot(Y[k], S[k]);
      alpha[k] = a;
      for (let i = 0; i < n; i++) q[i] -= a * Y[k][i];
    }
    const gamma = S.length ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let i = 0; i < n; i++) q[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const b = dot(Y[k], q) / dot(Y[k], S[k]);
      for (let i = 0; i < n; i++) q[i] += S[k][i] * (alpha[k] - b);
    }
    let d = q.map((v) => -v);
    if (dot(d, g) >= 0) d = g.map((v) => -v); // not a descent direction: steepest descent
    let step = 1;
    let accepted: { x: number[]; f: number; g: number[] } | null = null;
    for (let ls = 0; ls < 25; ls++) {
      const xt = clip(x.map((v, i) => v + step * d[i]));
      const r = fg(xt);
      evaluations++;
      if (Number.isFinite(r.f) && r.f <= f + 1e-4 * dot(g, xt.map((v, i) => v - x[i]))) {
        accepted = { x: xt, ...r };
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = accepted.x.map((v, i) => v - x[i]);
    const y = accepted.g.map((v, i) => v - g[i]);
    const improvement = f - accepted.f;
    x = accepted.x;
    f = accepted.f;
    g = accepted.g;
    if (dot(s, y) > 1e-12) {
      S.push(s);
      Y.push(y);
      if (S.length > m) (S.shift(), Y.shift());
    }
    if (improvement < (o.tolerance ?? 1e-6) * Math.max(1, Math.abs(f)) || Math.sqrt(dot(s, s)) < 1e-8) break;
  }
  return { x, f, iterations: it, evaluations };
}
