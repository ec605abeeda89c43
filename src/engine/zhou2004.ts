/**
 * The Zhou–Johnson–Wadley analytic EAM (X. W. Zhou, R. A. Johnson, H. N. G.
 * Wadley, Phys. Rev. B 69, 144113 (2004)) for 16 metals, written as a LAMMPS
 * `eam/alloy` (DYNAMO setfl) file for any subset of them.
 *
 *   density   f(r) = f_e exp(−β(r/r_e − 1)) / (1 + (r/r_e − λ)^20)
 *   pair      φ(r) = A exp(−α(r/r_e − 1)) / (1 + (r/r_e − κ)^20) − B exp(−β(r/r_e − 1)) / (1 + (r/r_e − λ)^20)
 *   embedding F(ρ) = Σ_i F_ni (ρ/ρ_n − 1)^i        ρ < ρ_n = 0.85 ρ_e
 *                  = Σ_i F_i (ρ/ρ_e − 1)^i         ρ_n ≤ ρ < ρ_0 = 1.15 ρ_e
 *                  = F_e (1 − η ln(ρ/ρ_s)) (ρ/ρ_s)^η   ρ_0 ≤ ρ
 *   alloy     φ_ab(r) = ½ (f_b/f_a φ_aa + f_a/f_b φ_bb)
 *
 * Parameters: the paper's Table III (the same numbers as LAMMPS'
 * tools/eam_database parameter file), with the correction of the NIST
 * Interatomic Potentials Repository for Pt (ρ_n = 0.25 ρ_e). The tabulation
 * grid follows tools/eam_database (2000 points in r and ρ, r below 0.5 Å held at
 * 0.5 Å, cutoff √10/2 × the largest fcc lattice constant √2 r_e), so the
 * file can be checked against that tool's output number by number.
 */
import { atomicNumber } from '../structure/periodicTable.ts';
import { InputError } from '../util/errors.ts';

export interface ZjwParameters {
  re: number;
  fe: number;
  rhoe: number;
  rhos: number;
  alpha: number;
  beta: number;
  A: number;
  B: number;
  kappa: number;
  lambda: number;
  /** F_n0 … F_n3 (ρ below ρ_n). */
  Fn: [number, number, number, number];
  /** F_0 … F_3 (ρ_n ≤ ρ < ρ_0). */
  F: [number, number, number, number];
  eta: number;
  Fe: number;
  /** Atomic mass, u. */
  mass: number;
  /** ρ_n / ρ_e (0.85 but for Pt). */
  rhoLow: number;
  /** ρ_0 / ρ_e. */
  rhoHigh: number;
}

type Row = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
// element: re fe ρe ρs α β A B κ λ Fn0 Fn1 Fn2 Fn3 F0 F1 F2 F3 η Fe mass
const TABLE: Record<string, Row> = {
  Cu: [2.556162, 1.554485, 21.175871, 21.175395, 8.12762, 4.334731, 0.39662, 0.548085, 0.308782, 0.756515, -2.170269, -0.263788, 1.088878, -0.817603, -2.19, 0, 0.56183, -2.100595, 0.31049, -2.186568, 63.546],
  Ag: [2.891814, 1.106232, 14.6041, 14.604144, 9.13201, 4.870405, 0.277758, 0.419611, 0.33971, 0.750758, -1.729364, -0.255882, 0.91205, -0.561432, -1.75, 0, 0.744561, -1.15065, 0.783924, -1.748423, 107.8682],
  Au: [2.885034, 1.529021, 19.991632, 19.991509, 9.516052, 5.075228, 0.229762, 0.356666, 0.35657, 0.748798, -2.937772, -0.500288, 1.601954, -0.83553, -2.98, 0, 1.706587, -1.134778, 1.021095, -2.978815, 196.96654],
  Ni: [2.488746, 2.007018, 27.562015, 27.562031, 8.383453, 4.471175, 0.429046, 0.633531, 0.443599, 0.820658, -2.693513, -0.076445, 0.241442, -2.375626, -2.7, 0, 0.26539, -0.152856, 0.44547, -2.7, 58.6934],
  Pd: [2.750897, 1.595417, 21.335246, 21.940073, 8.697397, 4.638612, 0.406763, 0.59888, 0.397263, 0.754799, -2.321006, -0.473983, 1.615343, -0.231681, -2.36, 0, 1.481742, -1.675615, 1.13, -2.352753, 106.42],
  Pt: [2.771916, 2.336509, 33.367564, 35.205357, 7.105782, 3.78975, 0.556398, 0.696037, 0.385255, 0.77051, -1.455568, -2.149952, 0.528491, 1.222875, -4.17, 0, 3.010561, -2.420128, 1.45, -4.145597, 195.08],
  Al: [2.863924, 1.403115, 20.418205, 23.19574, 6.613165, 3.527021, 0.314873, 0.365551, 0.379846, 0.759692, -2.807602, -0.301435, 1.258562, -1.247604, -2.83, 0, 0.622245, -2.488244, 0.785902, -2.824528, 26.981539],
  Pb: [3.499723, 0.647872, 8.450154, 8.450063, 9.121799, 5.212457, 0.161219, 0.236884, 0.250805, 0.764955, -1.42237, -0.210107, 0.682886, -0.529378, -1.44, 0, 0.702726, -0.538766, 0.93538, -1.439436, 207.2],
  Fe: [2.481987, 1.885957, 20.041463, 20.041463, 9.81827, 5.236411, 0.392811, 0.646243, 0.170306, 0.340613, -2.534992, -0.059605, 0.193065, -2.282322, -2.54, 0, 0.200269, -0.14877, 0.39175, -2.539945, 55.847],
  Mo: [2.7281, 2.72371, 29.354065, 29.354065, 8.393531, 4.47655, 0.708787, 1.120373, 0.13764, 0.27528, -3.692913, -0.178812, 0.38045, -3.13365, -3.71, 0, 0.875874, 0.776222, 0.790879, -3.712093, 95.94],
  Ta: [2.860082, 3.086341, 33.787168, 33.787168, 8.489528, 4.527748, 0.611679, 1.032101, 0.176977, 0.353954, -5.103845, -0.405524, 1.112997, -3.585325, -5.14, 0, 1.640098, 0.221375, 0.848843, -5.141526, 180.9479],
  W: [2.74084, 3.48734, 37.234847, 37.234847, 8.900114, 4.746728, 0.882435, 1.394592, 0.139209, 0.278417, -4.946281, -0.148818, 0.365057, -4.432406, -4.96, 0, 0.661935, 0.348147, 0.582714, -4.961306, 183.84],
  Mg: [3.196291, 0.544323, 7.1326, 7.1326, 10.228708, 5.455311, 0.137518, 0.22593, 0.5, 1, -0.896473, -0.044291, 0.162232, -0.68995, -0.9, 0, 0.122838, -0.22601, 0.431425, -0.899702, 24.305],
  Co: [2.505979, 1.975299, 27.206789, 27.206789, 8.679625, 4.629134, 0.421378, 0.640107, 0.5, 1, -2.541799, -0.219415, 0.733381, -1.589003, -2.56, 0, 0.705845, -0.68714, 0.694608, -2.559307, 58.9332],
  Ti: [2.933872, 1.8632, 25.565138, 25.565138, 8.775431, 4.68023, 0.373601, 0.570968, 0.5, 1, -3.203773, -0.198262, 0.683779, -2.321732, -3.22, 0, 0.608587, -0.75071, 0.558572, -3.219176, 47.88],
  Zr: [3.199978, 2.230909, 30.879991, 30.879991, 8.55919, 4.564902, 0.424667, 0.640054, 0.5, 1, -4.485793, -0.293129, 0.990148, -3.202516, -4.51, 0, 0.928602, -0.98187, 0.597133, -4.509025, 91.224],
};

/** The 16 elements of the parameterisation. */
export const ZJW_ELEMENTS = Object.keys(TABLE);

export function zjwParameters(element: string): ZjwParameters {
  const t = TABLE[element];
  if (!t) throw new InputError(`${element} is not one of the 16 elements of the Zhou–Johnson–Wadley EAM (${ZJW_ELEMENTS.join(', ')})`);
  const [re, fe, rhoe, rhos, alpha, beta, A, B, kappa, lambda, n0, n1, n2, n3, f0, f1, f2, f3, eta, Fe, mass] = t;
  return { re, fe, rhoe, rhos, alpha, beta, A, B, kappa, lambda, Fn: [n0, n1, n2, n3], F: [f0, f1, f2, f3], eta, Fe, mass, rhoLow: element === 'Pt' ? 0.25 : 0.85, rhoHigh: 1.15 };
}

/** Electron density contributed at distance r (Å). */
export function density(p: ZjwParameters, r: number): number {
  const x = r / p.re;
  return (p.fe * Math.exp(-p.beta * (x - 1))) / (1 + (x - p.lambda) ** 20);
}

/** Pair energy of two atoms of one element, eV. */
export function pairEnergy(p: ZjwParameters, r: number): number {
  const x = r / p.re;
  return (p.A * Math.exp(-p.alpha * (x - 1))) / (1 + (x - p.kappa) ** 20) - (p.B * Math.exp(-p.beta * (x - 1))) / (1 + (x - p.lambda) ** 20);
}

/** The alloy pair energy: the density-weighted mean of the two elements' own. */
export function alloyPairEnergy(a: ZjwParameters, b: ZjwParameters, r: number): number {
  if (a === b) return pairEnergy(a, r);
  const fa = density(a, r);
  const fb = density(b, r);
  return 0.5 * ((fb / fa) * pairEnergy(a, r) + (fa / fb) * pairEnergy(b, r));
}

/** Embedding energy at host density ρ, eV. */
export function embeddingEnergy(p: ZjwParameters, rho: number): number {
  const rn = p.rhoLow * p.rhoe;
  const r0 = p.rhoHigh * p.rhoe;
  const poly = (c: readonly number[], x: number) => c[0] + c[1] * x + c[2] * x * x + c[3] * x * x * x;
  if (rho < rn) return poly(p.Fn, rho / rn - 1);
  if (rho < r0) return poly(p.F, rho / p.rhoe - 1);
  const s = rho / p.rhos;
  return p.Fe * (1 - p.eta * Math.log(s)) * s ** p.eta;
}

export interface SetflGrid {
  nr: number;
  dr: number;
  nrho: number;
  drho: number;
  cutoff: number;
}

/** Below this distance (Å) the functions are held at their value here, as tools/eam_database does. */
const R_MIN = 0.5;

/** The tabulation grid of a set of elements (tools/eam_database's choices). */
export function setflGrid(elements: readonly string[], n = 2000): SetflGrid {
  const ps = elements.map(zjwParameters);
  const cutoff = (Math.sqrt(10) / 2) * Math.max(...ps.map((p) => Math.SQRT2 * p.re));
  const dr = cutoff / (n - 1);
  let fmax = 0;
  for (const p of ps) for (let i = 0; i < n; i++) fmax = Math.max(fmax, density(p, Math.max(i * dr, R_MIN)));
  const rhoMax = Math.max(fmax, 2 * Math.max(...ps.map((p) => p.rhoe)), 100);
  return { nr: n, dr, nrho: n, drho: rhoMax / (n - 1), cutoff };
}

/** Tabulated F(ρ_i), f(r_i) of an element and r_i·φ_ab(r_i) of a pair on the grid. */
export function tables(elements: readonly string[], grid = setflGrid(elements)) {
  const ps = elements.map(zjwParameters);
  const r = (i: number) => Math.max(i * grid.dr, R_MIN);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    embedding: ps.map((p) => range(grid.nrho).map((i) => embeddingEnergy(p, i * grid.drho))),
    density: ps.map((p) => range(grid.nr).map((i) => density(p, r(i)))),
    /** pairs in setfl order: (0,0), (1,0), (1,1), (2,0), … */
    pairs: ps.flatMap((a, i) => ps.slice(0, i + 1).map((b) => range(grid.nr).map((k) => r(k) * alloyPairEnergy(a, b, r(k))))),
  };
}

const e = (x: number) => x.toExponential(16).replace(/e([+-])(\d)$/, 'e$10$2');
const block = (v: number[]) => {
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 5) out.push(v.slice(i, i + 5).map(e).join(' '));
  return out.join('\n');
};

/** A LAMMPS eam/alloy (setfl) file of the elements, in the order given. */
export function zhou2004Setfl(elements: readonly string[]): string {
  if (new Set(elements).size !== elements.length || elements.length === 0) throw new InputError(`expected distinct elements, got ${elements.join(', ')}`);
  const grid = setflGrid(elements);
  const t = tables(elements, grid);
  const lines = [
    'Zhou, Johnson, Wadley, Phys. Rev. B 69, 144113 (2004): analytic EAM, alloy pairs by their mixing rule',
    "written by cescreen (src/engine/zhou2004.ts) from the paper's Table III; Pt rho_n = 0.25 rho_e (NIST IPR revision)",
    `elements ${elements.join(' ')}; grid as LAMMPS tools/eam_database`,
    `${elements.length} ${elements.join(' ')}`,
    `${grid.nrho} ${e(grid.drho)} ${grid.nr} ${e(grid.dr)} ${e(grid.cutoff)}`,
  ];
  elements.forEach((el, i) => {
    const p = zjwParameters(el);
    lines.push(`${atomicNumber(el)} ${p.mass} ${(Math.SQRT2 * p.re).toFixed(6)} fcc`, block(t.embedding[i]), block(t.density[i]));
  });
  for (const pair of t.pairs) lines.push(block(pair));
  return lines.join('\n') + '\n';
}
