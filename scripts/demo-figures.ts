// Writes example figures from synthetic data into test-output/:
//   nnh.svg, heatmap.svg, comparison.svg, heatmaps.html, viewer.html
// The crystal is a hand-built alpha-Nb5Si3 cell (tI32, I4/mcm, Cr5B3 type, literature
// coordinates rounded); environments come from a plain neighbour search here, and all
// energies are made up from a smooth radius-mismatch model plus noise — demo only.
// Run: npx tsx scripts/demo-figures.ts [outDir]
import { join } from 'node:path';
import { writeFileAtomic } from '../src/util/atomicWrite.ts';
import { comparisonHeatmaps, heatmapPage, heatmapSvg, sortByMetallicRadius } from '../src/figures/heatmap.ts';
import { hullFaces, hullVolume } from '../src/figures/hull.ts';
import { nnhSvg, type NnhPanel } from '../src/figures/nnhPlot.ts';
import { writeViewer, type ViewerData, type ViewerEnvironment } from '../src/figures/viewer.ts';

type V3 = [number, number, number];
const outDir = process.argv[2] ?? 'test-output';

// ---- alpha-Nb5Si3 from its Wyckoff positions ----
const a = 6.57;
const c = 11.884;
const lattice: [V3, V3, V3] = [[a, 0, 0], [0, a, 0], [0, 0, c]];
const ops: ((p: V3) => V3)[] = [
  ([x, y, z]) => [x, y, z], ([x, y, z]) => [-x, -y, z], ([x, y, z]) => [-y, x, z], ([x, y, z]) => [y, -x, z],
  ([x, y, z]) => [-x, y, 0.5 - z], ([x, y, z]) => [x, -y, 0.5 - z], ([x, y, z]) => [y, x, 0.5 - z], ([x, y, z]) => [-y, -x, 0.5 - z],
  ([x, y, z]) => [-x, -y, -z], ([x, y, z]) => [x, y, -z], ([x, y, z]) => [y, -x, -z], ([x, y, z]) => [-y, x, -z],
  ([x, y, z]) => [x, -y, z + 0.5], ([x, y, z]) => [-x, y, z + 0.5], ([x, y, z]) => [-y, -x, z + 0.5], ([x, y, z]) => [y, x, z + 0.5],
];
const wyckoff = [
  { label: 'NbI', element: 'Nb', wyck: '4c', p: [0, 0, 0] as V3 },
  { label: 'NbII', element: 'Nb', wyck: '16l', p: [0.1656, 0.6656, 0.1521] as V3 },
  { label: 'SiI', element: 'Si', wyck: '4a', p: [0, 0, 0.25] as V3 },
  { label: 'SiII', element: 'Si', wyck: '8h', p: [0.3797, 0.8797, 0] as V3 },
];
const wrap = (v: number) => {
  const w = v - Math.floor(v);
  return w > 1 - 1e-6 ? 0 : w;
};
const sites: { element: string; label: string; wyck: string; frac: V3 }[] = [];
for (const w of wyckoff) {
  for (const op of ops) {
    for (const t of [[0, 0, 0], [0.5, 0.5, 0.5]]) {
      const q = op(w.p);
      const f = q.map((v, k) => wrap(v + t[k])) as V3;
      const dup = sites.some((s) => s.frac.every((v, k) => Math.abs(((v - f[k] + 1.5) % 1) - 0.5) < 1e-4));
      if (!dup) sites.push({ element: w.element, label: w.label, wyck: w.wyck, frac: f });
    }
  }
}
if (sites.length !== 32) throw new Error(`expected 32 atoms in Nb5Si3, built ${sites.length}`);
const cart = (f: V3): V3 => [f[0] * a, f[1] * a, f[2] * c];
const radius: Record<string, number> = { B: 0.92, Al: 1.43, Si: 1.32, Ti: 1.47, V: 1.35, Cr: 1.29, Fe: 1.26, Co: 1.25, Ni: 1.25, Y: 1.8, Zr: 1.6, Nb: 1.47, Mo: 1.4, Hf: 1.59 };
const atoms = sites.map((s, i) => ({ index: i, element: s.element, label: s.label, cart: cart(s.frac), radius: radius[s.element] }));

// ---- neighbours, shells, histograms ----
interface Nb {
  j: number;
  d: number;
  cart: V3;
}
function neighbours(i: number, rmax: number): Nb[] {
  const out: Nb[] = [];
  const p = atoms[i].cart;
  for (let j = 0; j < atoms.length; j++) {
    for (let u = -1; u <= 1; u++) for (let v = -1; v <= 1; v++) for (let w = -1; w <= 1; w++) {
      const q: V3 = [atoms[j].cart[0] + u * a, atoms[j].cart[1] + v * a, atoms[j].cart[2] + w * c];
      const d = Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]);
      if (d > 1e-6 && d <= rmax) out.push({ j, d, cart: q });
    }
  }
  return out.sort((x, y) => x.d - y.d);
}
/** Shell = neighbours before the widest gap in d/dmin (at least 8 of them, at most d/dmin 1.45). */
function shellOf(nb: Nb[]): Nb[] {
  const dmin = nb[0].d;
  const r = nb.map((n) => n.d / dmin).filter((x) => x <= 1.45);
  let best = r.length;
  let gap = 0;
  for (let k = 8; k < r.length; k++) if (r[k] - r[k - 1] > gap) [gap, best] = [r[k] - r[k - 1], k];
  return nb.slice(0, best);
}
function histogram(nb: Nb[], dmin: number, cutoff: number): { d_over_dmin: number; count: number }[] {
  const bins = new Map<number, number>();
  for (const n of nb) {
    const x = Math.round((n.d / dmin) * 200) / 200;
    if (x <= cutoff) bins.set(x, (bins.get(x) ?? 0) + 1);
  }
  return [...bins].sort((p, q) => p[0] - q[0]).map(([d_over_dmin, count]) => ({ d_over_dmin, count }));
}
/** Frank–Kasper-like code: how many shell atoms have 3, 4, 5 … polyhedron edges. */
function vertexCode(faces: number[][], n: number): string {
  const edges = new Set<string>();
  for (const f of faces) f.forEach((u, k) => {
    const v = f[(k + 1) % f.length];
    edges.add(u < v ? `${u}-${v}` : `${v}-${u}`);
  });
  const deg = new Array(n).fill(0);
  for (const e of edges) for (const v of e.split('-')) deg[+v]++;
  const count = new Map<number, number>();
  for (const d of deg) count.set(d, (count.get(d) ?? 0) + 1);
  return [...count].sort((p, q) => p[0] - q[0]).map(([d, k]) => `${d}^${k}`).join(' ');
}
const idealByCn: Record<number, string> = { 8: 'square antiprism', 9: 'tricapped trigonal prism', 10: 'bicapped square antiprism', 12: 'icosahedron', 14: 'bicapped hexagonal antiprism', 15: 'FK15 polyhedron', 16: 'FK16 polyhedron' };

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

const environments: ViewerEnvironment[] = atoms.map((at, i) => {
  const nb = neighbours(i, 6.0);
  const dmin = nb[0].d;
  const shell = shellOf(nb);
  const pts = shell.map((n) => n.cart);
  const faces = hullFaces(pts);
  return {
    atom: i,
    label: at.label,
    wyckoff: sites[i].wyck,
    cn: shell.length,
    code: vertexCode(faces, shell.length),
    volume: hullVolume(pts, faces),
    ideal: idealByCn[shell.length] ? { name: idealByCn[shell.length], code: `CN${shell.length}`, deviation: 0.05 + 0.1 * rand() } : null,
    shell: shell.map((n) => ({ element: atoms[n.j].element, label: atoms[n.j].label, distance: n.d, cart: n.cart })),
    histogram: histogram(nb, dmin, 1.6),
    dmin,
    faces,
  };
});

// ---- pair configurations: nearest pair for every label pair, plus two second neighbours ----
const labels = wyckoff.map((w) => w.label);
const pairs: NonNullable<ViewerData['pairs']> = [];
for (let p = 0; p < labels.length; p++) {
  for (let q = p; q < labels.length; q++) {
    const ia = atoms.findIndex((x) => x.label === labels[p]);
    const cands = neighbours(ia, 6.0).filter((n) => atoms[n.j].label === labels[q]);
    const take = labels[p] === 'NbII' && (labels[q] === 'SiII' || labels[q] === 'NbII') ? 2 : 1;
    const distinct = [...new Map(cands.map((n) => [n.d.toFixed(3), n])).values()].slice(0, take);
    for (const n of distinct) pairs.push({ id: pairs.length + 1, site_a: labels[p], site_b: labels[q], atom_a: ia, atom_b: n.j, cart_b: n.cart, distance: n.d });
  }
}

// ---- made-up energies: radius mismatch on each site, coupled through the pair distance ----
const elements = sortByMetallicRadius(Object.keys(radius), (el) => radius[el]);
const host = (label: string) => (label.startsWith('Nb') ? 'Nb' : 'Si');
const predictions: NonNullable<ViewerData['predictions']> = [];
const grids = new Map<number, (number | null)[][]>();
for (const p of pairs) {
  const ha = host(p.site_a);
  const hb = host(p.site_b);
  const grid = elements.map((X) =>
    elements.map((Y) => {
      if (X === ha && Y === hb) return null; // the unsubstituted reference
      const ma = radius[X] - radius[ha];
      const mb = radius[Y] - radius[hb];
      const e = 6 * ma * ma + 6 * mb * mb - 0.35 + (1.2 * ma * mb * 2.6) / p.distance + 0.12 * (rand() - 0.5);
      return Math.round(Math.max(-1.5, Math.min(2.5, e)) * 1000) / 1000;
    }),
  );
  grids.set(p.id, grid);
  elements.forEach((X, r) =>
    elements.forEach((Y, k) => {
      const v = grid[r][k];
      if (v !== null) predictions.push({ config: p.id, site_a: p.site_a, element_a: X, site_b: p.site_b, element_b: Y, distance: p.distance, eds_pred: v });
    }),
  );
}
const heatmaps = pairs.map((p) => ({
  config: p.id,
  title: `#${p.id} ${p.site_a}–${p.site_b} (d = ${p.distance.toFixed(3)} Å)`,
  svg: heatmapSvg({
    title: `E_DS, pair #${p.id}: X@${p.site_a}, Y@${p.site_b}`,
    xLabel: `Y on ${p.site_b}`,
    yLabel: `X on ${p.site_a}`,
    rows: elements,
    cols: elements,
    values: grids.get(p.id)!,
    unit: 'eV',
  }),
}));

// ---- write everything ----
const firstOfLabel = labels.map((l) => environments.find((e) => e.label === l)!);
const panels: NnhPanel[] = firstOfLabel.map((e) => ({ site: e.label, dmin: e.dmin, histogram: e.histogram }));
writeFileAtomic(join(outDir, 'nnh.svg'), nnhSvg(panels, { title: 'alpha-Nb5Si3 nearest-neighbour histograms' }));
writeFileAtomic(join(outDir, 'heatmap.svg'), heatmaps[0].svg);
const dft = grids.get(1)!.map((row) => row.map((v) => (v === null || rand() < 0.3 ? null : Math.round((v + 0.25 * (rand() - 0.5)) * 1000) / 1000)));
const comparison = comparisonHeatmaps({ title: `Pair #1 ${pairs[0].site_a}–${pairs[0].site_b}: model vs DFT (synthetic)`, rows: elements, cols: elements, predicted: grids.get(1)!, dft, xLabel: `Y on ${pairs[0].site_b}`, yLabel: `X on ${pairs[0].site_a}` });
writeFileAtomic(join(outDir, 'comparison.svg'), comparison);
writeFileAtomic(
  join(outDir, 'heatmaps.html'),
  heatmapPage([
    { title: 'Nearest-neighbour histograms', svg: nnhSvg(panels) },
    { title: 'Predicted vs DFT', svg: comparison, caption: 'Synthetic numbers for a layout check.' },
    ...heatmaps.slice(0, 3).map((h) => ({ title: h.title, svg: h.svg })),
  ]),
);
const viewer: ViewerData = {
  title: 'alpha-Nb5Si3 (tI32) — demo',
  lattice,
  atoms,
  environments,
  pairs,
  predictions,
  heatmaps,
  notes: 'Synthetic demo: energies are made up, not model predictions and not DFT.',
};
writeViewer(join(outDir, 'viewer.html'), viewer);
console.log(`wrote ${outDir}/{nnh.svg,heatmap.svg,comparison.svg,heatmaps.html,viewer.html}`);
console.log(`CN per label: ${firstOfLabel.map((e) => `${e.label} ${e.cn} (dmin ${e.dmin.toFixed(3)} Å, ${e.faces?.length} faces, ${e.code})`).join('; ')}`);
console.log(`${pairs.length} pair configs, ${predictions.length} predictions`);
