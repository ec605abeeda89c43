/**
 * L-BFGS minimisation (Nocedal & Wright, Alg. 7.4) with a backtracking
 * Armijo line search, for the handful of GP hyper-parameters (log scale).
 * Box bounds are enforced by clipping each trial point, and coordinates the
 * gradient holds against a bound are left out of the quasi-Newton direction.
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
  const lower = (i: number) => o.lower?.[i] ?? -Infinity;
  const upper = (i: number) => o.upper?.[i] ?? Infinity;
  for (; it < (o.maxIterations ?? 60); it++) {
    // coordinates held at a bound by the gradient take no part in the step: the quasi-Newton
    // direction lives in the free subspace (a direction computed with them, then clipped, can point uphill)
    const held = g.map((gi, i) => (x[i] <= lower(i) && gi > 0) || (x[i] >= upper(i) && gi < 0));
    const free = (v: number[]) => v.map((vi, i) => (held[i] ? 0 : vi));
    const gf = free(g);
    if (Math.sqrt(dot(gf, gf)) < 1e-10) break;
    // two-loop recursion for the search direction −H g on the free coordinates
    const q = [...gf];
    const alpha: number[] = [];
    const Sf = S.map(free);
    const Yf = Y.map(free);
    const usable = Sf.map((sk, k) => dot(Yf[k], sk) > 1e-12);
    for (let k = S.length - 1; k >= 0; k--) {
      if (!usable[k]) continue;
      const a = dot(Sf[k], q) / dot(Yf[k], Sf[k]);
      alpha[k] = a;
      for (let i = 0; i < n; i++) q[i] -= a * Yf[k][i];
    }
    const last = usable.lastIndexOf(true);
    const gamma = last >= 0 ? dot(Sf[last], Yf[last]) / dot(Yf[last], Yf[last]) : 1 / Math.max(1, Math.sqrt(dot(gf, gf)));
    for (let i = 0; i < n; i++) q[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      if (!usable[k]) continue;
      const b = dot(Yf[k], q) / dot(Yf[k], Sf[k]);
      for (let i = 0; i < n; i++) q[i] += Sf[k][i] * (alpha[k] - b);
    }
    let d = free(q.map((v) => -v));
    if (dot(d, g) >= 0) d = gf.map((v) => -v); // not a descent direction: projected steepest descent
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
