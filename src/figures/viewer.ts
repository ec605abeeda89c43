// The interactive crystal viewer: ONE self-contained HTML file (three.js,
// OrbitControls, the page code and the data all inlined) that works from
// file:// with no network. Chromium will not import sibling modules from a
// file:// page, so the three.js sources travel as inert text blocks and the
// page turns them into Blob-URL modules at start-up.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { BOND_RULE, bondCutoffs } from './bonds.ts';
import { elementColor, elementRadius, labelColors } from './elementColors.ts';
import { convexHull, DEFAULT_FACE_ANGLE_TOLERANCE, polyhedronFaces } from '../environment/polyhedron.ts';
import { colorBarSvg, FIGURE_CSS, hasIntervals, uncertaintyToggle } from './heatmap.ts';
import { figureToolsScript, jsonScript, pageScript, scriptSafe } from './inline.ts';
import { nnhSvg } from './nnhPlot.ts';
import { esc, type ColorScale } from './svg.ts';
import type { PredictionRow } from '../predict/table.ts';
import { STABILISING_PROBABILITY } from '../util/normal.ts';

type V3 = [number, number, number];

export interface ViewerShellAtom {
  element: string;
  label: string;
  distance: number;
  /** Absolute Cartesian position (Å); may lie outside the cell. */
  cart: V3;
}

export interface ViewerEnvironment {
  atom: number;
  label: string;
  wyckoff: string;
  cn: number;
  /** Normalised gap (d_{CN+1} − d_CN)/d_min that closes the AET shell: marked on the NNH chart. */
  gap?: number;
  code: string;
  volume: number;
  ideal: { name: string; code: string; deviation: number } | null;
  shell: ViewerShellAtom[];
  histogram: { d_over_dmin: number; count: number }[];
  dmin: number;
  /**
   * Polygonal hull faces as indices into `shell` (CCW from outside), as
   * polyhedronFaces gives them; computed from the shell when absent.
   */
  faces?: number[][];
}

/** One predicted E_DS as the page needs it (kind and unseen optional; sd and 90 % interval where known). */
export type ViewerPrediction = Omit<PredictionRow, 'kind' | 'unseen'> & Partial<Pick<PredictionRow, 'kind' | 'unseen'>>;

/** One reference (DFT) E_DS: the predictions' row shape with `eds` (distance optional). */
export interface ViewerReference {
  config: number;
  site_a: string;
  element_a: string;
  site_b: string;
  element_b: string;
  distance?: number;
  eds: number;
}

export interface ViewerData {
  title: string;
  /** Rows a, b, c in Å. */
  lattice: [V3, V3, V3];
  /** a, b, c (Å), α, β, γ (°) and volume (Å³) of the lattice, for the CIF download. */
  cellParameters?: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number; volume: number };
  /** frac: fractional coordinates (for the CIF/POSCAR download; the cell's own when absent). */
  atoms: { index: number; element: string; label: string; cart: V3; radius: number; frac?: V3 }[];
  environments: ViewerEnvironment[];
  /** Symmetry-distinct pairs; cart_b is b's nearest image; swappable: an operation exchanges a and b. */
  pairs?: { id: number; site_a: string; site_b: string; atom_a: number; atom_b: number; cart_b: V3; distance: number; swappable?: boolean }[];
  /** Host element of each site label (default: from the atoms). */
  hosts?: Record<string, string>;
  /** Elements offered for X and Y, in order (default: those in the data, then every element to Pu). */
  elementChoices?: string[];
  predictions?: ViewerPrediction[];
  reference?: ViewerReference[];
  heatmaps?: { config: number; title: string; svg: string }[];
  /** The scale the heatmaps share when they omit their own colour bars: one bar is drawn above them. */
  heatmapScale?: ColorScale;
  notes?: string;
}

/** What the page receives: the caller's data plus faces, colours, radii and NNH charts prepared here. */
export interface PageData extends ViewerData {
  environments: (ViewerEnvironment & { faces: number[][]; nnh: number })[];
  nnhCharts: string[];
  hosts: Record<string, string>;
  elementChoices: string[];
  elementColors: Record<string, string>;
  elementRadii: Record<string, number>;
  labelColors: Record<string, string>;
  /** Default bonds: the cutoff of every element pair of the cell (bonds.ts) and the rule in words. */
  bonds: { rule: string; cutoffs: { a: string; b: string; cutoff: number }[] };
  /** "Stabilising" means P(E_DS < 0) at least this (util/normal.ts). */
  stabilisingProbability: number;
}

const require = createRequire(import.meta.url);

/** Read the three.js sources once; fail loudly if a three upgrade changes their import structure. */
function threeSources(): { core: string; module: string; orbit: string } {
  const buildDir = dirname(require.resolve('three')); // .../three/build/three.cjs
  const core = readFileSync(join(buildDir, 'three.core.js'), 'utf8');
  const module = readFileSync(join(buildDir, 'three.module.js'), 'utf8');
  const orbit = readFileSync(require.resolve('three/examples/jsm/controls/OrbitControls.js'), 'utf8');
  // Top-level import/export statements only (doc comments also mention module paths).
  const imports = (src: string) => [...src.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  const bad = [
    ...imports(core).map((s) => `three.core.js imports ${s}`),
    ...imports(module).filter((s) => s !== './three.core.js').map((s) => `three.module.js imports ${s}`),
    ...imports(orbit).filter((s) => s !== 'three').map((s) => `OrbitControls.js imports ${s}`),
  ];
  if (bad.length || !imports(module).length) throw new Error(`viewer: unexpected three.js module layout (${bad.join('; ') || 'no core import'})`);
  return { core, module, orbit };
}

let cachedThree: ReturnType<typeof threeSources> | undefined;

function checkData(d: ViewerData): void {
  const ids = new Set(d.atoms.map((a) => a.index));
  for (const e of d.environments) if (!ids.has(e.atom)) throw new Error(`viewer: environment for unknown atom ${e.atom}`);
  for (const p of d.pairs ?? []) {
    if (!ids.has(p.atom_a) || !ids.has(p.atom_b)) throw new Error(`viewer: pair ${p.id} refers to unknown atoms ${p.atom_a}/${p.atom_b}`);
  }
  for (const e of d.environments) {
    for (const f of e.faces ?? []) if (f.some((i) => i < 0 || i >= e.shell.length)) throw new Error(`viewer: face index out of range for atom ${e.atom}`);
  }
}

/** Faces of a shell with the project's one hull code (coplanar triangles merged, 15° tolerance). */
export function shellFaces(points: readonly V3[]): number[][] {
  const hull = convexHull(points);
  return hull.degenerate ? [] : polyhedronFaces(points, hull, DEFAULT_FACE_ANGLE_TOLERANCE);
}

function prepare(d: ViewerData): PageData {
  checkData(d);
  const charts: string[] = [];
  const chartIndex = new Map<string, number>();
  const environments = d.environments.map((e) => {
    const aet = e.gap !== undefined ? { cn: e.cn, gap: e.gap } : undefined;
    const key = JSON.stringify([e.label, e.dmin, e.histogram, aet]);
    let nnh = chartIndex.get(key);
    if (nnh === undefined) {
      nnh = charts.length;
      chartIndex.set(key, nnh);
      charts.push(nnhSvg([{ site: e.label, dmin: e.dmin, histogram: e.histogram, aet }], { panelWidth: 330, panelHeight: 170 }));
    }
    return { ...e, faces: e.faces ?? shellFaces(e.shell.map((s) => s.cart)), nnh };
  });
  const inData = new Set<string>();
  for (const a of d.atoms) inData.add(a.element);
  for (const e of d.environments) for (const s of e.shell) inData.add(s.element);
  for (const p of [...(d.predictions ?? []), ...(d.reference ?? [])]) inData.add(p.element_a).add(p.element_b);
  const elementChoices = d.elementChoices ?? [...inData].sort();
  const elements = [...new Set([...inData, ...elementChoices])];
  const labels = [...new Set([...d.atoms.map((a) => a.label), ...d.environments.flatMap((e) => e.shell.map((s) => s.label))])];
  const cellRadius = (el: string) => d.atoms.find((a) => a.element === el)?.radius;
  return {
    ...d,
    heatmaps: undefined, // rendered into the page as markup, not data
    environments,
    nnhCharts: charts,
    hosts: d.hosts ?? Object.fromEntries(d.atoms.map((a) => [a.label, a.element])),
    elementChoices,
    elementColors: Object.fromEntries(elements.map((el) => [el, elementColor(el)])),
    // Unknown radii (noble gases, heavy actinides) fall back to 1.4 Å, a typical metallic radius.
    elementRadii: Object.fromEntries(elements.map((el) => [el, cellRadius(el) ?? (Number.isFinite(elementRadius(el)) ? elementRadius(el) : 1.4)])),
    labelColors: labelColors(labels),
    bonds: { rule: BOND_RULE, cutoffs: bondCutoffs(d.atoms.map((a) => a.element)) },
    stabilisingProbability: STABILISING_PROBABILITY,
  };
}

const CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: Helvetica, Arial, sans-serif; color: #222; background: #f4f5f7; display: grid; grid-template-columns: minmax(0, 1fr) minmax(440px, 44%); }
#view { position: sticky; top: 0; height: 100vh; background: #fff; border-right: 1px solid #d5d8dc; overflow: hidden; }
#view canvas { display: block; width: 100%; height: 100%; outline: none; }
#side { padding: 12px 16px 40px; min-width: 0; }
header h1 { font-size: 19px; margin: 4px 0 4px; }
header .notes { font-size: 12px; color: #8a4b00; background: #fff4e0; border: 1px solid #f0d2a0; border-radius: 4px; padding: 4px 8px; margin: 6px 0; }
.panel { background: #fff; border: 1px solid #d5d8dc; border-radius: 6px; padding: 10px 12px; margin: 10px 0; }
.panel h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: #445; }
.panel .empty { color: #777; font-size: 13px; }
/* The substitution box stays in sight while the heatmaps below are scrolled and clicked. */
#subst-panel { position: sticky; top: 0; z-index: 2; box-shadow: 0 2px 6px rgba(0,0,0,.08); }
table.kv { border-collapse: collapse; font-size: 13px; width: 100%; }
table.kv th { text-align: left; font-weight: normal; color: #666; padding: 2px 10px 2px 0; white-space: nowrap; width: 1%; }
table.kv td { padding: 2px 0; }
.shell-list { font-size: 12px; color: #444; margin: 6px 0; }
.nnh svg { width: 100%; height: auto; max-width: 360px; }
.subst-grid { display: grid; grid-template-columns: auto 1fr; gap: 6px 10px; align-items: center; font-size: 13px; }
.subst-grid select { font-size: 13px; padding: 2px 4px; max-width: 100%; }
.prediction { margin-top: 10px; font-size: 14px; padding: 8px 10px; border-radius: 4px; background: #f2f2f2; }
.prediction.neg { background: #e3eef9; color: #0b3f7a; }
.prediction.pos { background: #fbe6e3; color: #8a1c12; }
.prediction .what { font-weight: bold; margin-bottom: 4px; }
.prediction .eds { font-weight: bold; font-size: 16px; }
.prediction .sub { font-size: 12px; opacity: .85; margin-top: 3px; }
.prediction .src { display: inline-block; min-width: 78px; color: #555; }
.export { margin-top: 8px; font-size: 12px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.export button { font-size: 12px; }
figure.hm { margin: 8px 0 16px; }
figure.hm svg { max-width: 100%; height: auto; }
figure.hm.current { outline: 2px solid #f0b400; outline-offset: 3px; border-radius: 3px; }
figure.hm rect.cell { cursor: pointer; }
figure.hm rect.cell:hover { stroke: #444; stroke-width: 1.5; }
figure.hm rect.cell.selected { stroke: #000; stroke-width: 3; }
.shared-bar svg { max-width: 100%; height: auto; }
.overlay { position: absolute; font-size: 12px; background: rgba(255,255,255,.88); border: 1px solid #d5d8dc; border-radius: 4px; padding: 5px 8px; }
#bottom { position: absolute; left: 8px; right: 8px; bottom: 8px; display: flex; justify-content: space-between; align-items: flex-end; gap: 8px; pointer-events: none; }
#bottom .overlay { position: static; pointer-events: auto; }
#hint { color: #555; font-size: 11px; max-width: 45%; }
#tools { top: 8px; left: 8px; right: 8px; display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; }
#tools .grp { display: flex; gap: 4px; align-items: center; white-space: nowrap; }
#tools .grp label { display: inline-flex; gap: 3px; align-items: center; }
#tools button { font-size: 12px; padding: 1px 7px; }
#tools input[type=number] { width: 52px; font-size: 12px; }
#tools input[type=range] { width: 90px; vertical-align: middle; }
#legend { display: flex; flex-wrap: wrap; gap: 4px 10px; }
#legend .sw { display: inline-block; width: 11px; height: 11px; border-radius: 50%; border: 1px solid #777; vertical-align: -1px; margin-right: 3px; }
#legend .subst { font-weight: bold; }
#labels { position: absolute; inset: 0; pointer-events: none; overflow: hidden; }
#labels .lab { position: absolute; transform: translate(-50%, -100%); font-size: 13px; font-weight: bold; padding: 0 4px; border-radius: 3px; background: rgba(255,255,255,.82); color: #222; white-space: nowrap; }
#labels .lab.axis { font-size: 14px; background: none; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
#labels .lab.host { font-weight: normal; color: #555; }
#labels .lab.dist { font-weight: normal; color: #6b4f00; background: rgba(255,248,225,.9); }
#labels .lab.atom { font-size: 11px; font-weight: normal; color: #333; background: rgba(255,255,255,.7); padding: 0 2px; }
#labels .lab.measure { font-weight: bold; color: #7a0a7a; background: rgba(253,236,253,.92); }
#measure-out { color: #7a0a7a; font-size: 12px; max-width: 45%; }
#tooltip { pointer-events: none; display: none; }
#error { top: 40%; left: 10%; right: 10%; color: #a00; display: none; font-size: 14px; }
@media (max-width: 900px) { body { display: block; } #view { position: relative; height: 70vh; } }
${FIGURE_CSS}
`;

function heatmapMarkup(d: ViewerData): string {
  if (!d.heatmaps?.length) {
    return d.predictions || d.reference
      ? '<p class="empty">No heatmaps were drawn for these energies.</p>'
      : '<p class="empty" data-testid="no-energies">No energies given: the substitution panel draws any pair and exports its cell. For heatmaps give <code>cescreen view … --predictions p.csv</code> (from <code>cescreen predict</code>) or <code>--data energies.csv</code> (reference DFT energies).</p>';
  }
  const bar = d.heatmapScale ? `<div class="shared-bar no-fig-tools">${colorBarSvg(d.heatmapScale, { width: 480 })}</div>` : '';
  const toggle = hasIntervals(d.heatmaps.map((h) => h.svg)) ? uncertaintyToggle() : '';
  return (
    bar +
    toggle +
    d.heatmaps.map((h) => `<figure class="hm" data-config="${h.config}" data-testid="heatmap-${h.config}" aria-label="${esc(h.title)}">\n${h.svg}\n</figure>`).join('\n')
  );
}

/** The complete, self-contained viewer page. */
export function viewerHtml(data: ViewerData): string {
  cachedThree ??= threeSources();
  const three = cachedThree;
  const page = prepare(data);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(data.title)} — cescreen viewer</title>
<style>${CSS}</style>
</head>
<body>
<div id="view" data-testid="viewer">
  <div id="labels" data-testid="labels"></div>

  <div id="tools" class="overlay" data-testid="tools">
    <span class="grp">view along <button type="button" data-view="a" title="look down a (a towards you, c up)">a</button><button type="button" data-view="b" title="look down b (c up)">b</button><button type="button" data-view="c" title="look down c (b up)">c</button><button type="button" data-view="c*" title="look down c* = a × b, normal to the ab plane">c*</button><button id="reset-view" type="button" title="oblique overview (R)">reset</button></span>
    <label class="grp"><input type="checkbox" id="ortho" data-testid="ortho"> orthographic</label>
    <label class="grp"><input type="checkbox" id="images" data-testid="images" checked> atoms on faces, edges, corners</label>
    <span class="grp"><label><input type="checkbox" id="bonds" data-testid="bonds" checked> bonds</label><select id="bond-mode" data-testid="bond-mode" title="which atoms are bonded"><option value="pairs">by element pair</option><option value="aet">to AET shell atoms</option><option value="cutoff">within d ≤</option></select><span id="bond-cutoff-box" hidden><input type="number" id="bond-cutoff" data-testid="bond-cutoff" value="3.0" min="0.5" max="6" step="0.1" title="bond cutoff (Å)"> Å</span></span>
    <label class="grp">atom size <input type="range" id="atom-size" data-testid="atom-size" min="0.15" max="1" step="0.01" value="0.42"></label>
    <label class="grp"><input type="checkbox" id="by-label" data-testid="color-by-label"> colour by site</label>
    <label class="grp"><input type="checkbox" id="atom-labels" data-testid="atom-labels"> labels</label>
    <label class="grp" title="click 2 atoms: their distance; 3 atoms: the angle at the middle one (M)"><input type="checkbox" id="measure" data-testid="measure"> measure</label>
    <span class="grp"><button id="snapshot" type="button" data-testid="snapshot" title="save the view as PNG (2× resolution, with labels and legend)">PNG</button><button id="clear-sel" type="button" title="clear the selection (Esc)">clear</button></span>
  </div>
  <div id="bottom"><div id="legend" class="overlay" data-testid="legend"></div><div id="measure-out" class="overlay" data-testid="measure-out" hidden></div><div id="hint" class="overlay">drag: rotate · wheel: zoom · right-drag: pan · click an atom: its polyhedron · M: measure · Esc: clear</div></div>
  <div id="tooltip" class="overlay" data-testid="tooltip"></div>
  <div id="error" class="overlay" data-testid="error"></div>
</div>
<div id="side">
  <header>
    <h1>${esc(data.title)}</h1>
    ${data.notes ? `<div class="notes" data-testid="notes">${esc(data.notes)}</div>` : ''}
  </header>
  <section class="panel" id="subst-panel" data-testid="subst-panel">
    <h2>Double-site substitution</h2>
    <div id="subst-body"></div>
  </section>
  <section class="panel" id="env-panel" data-testid="env-panel">
    <h2>Atomic environment</h2>
    <div id="env-body"><p class="empty">Click an atom to show its coordination polyhedron.</p></div>
  </section>
  <section class="panel" id="heatmaps" data-testid="heatmaps">
    <h2>E<sub>DS</sub> heatmaps (click a cell)</h2>
    ${heatmapMarkup(data)}
  </section>
</div>
<script type="text/plain" id="three-core">${scriptSafe(three.core)}</script>
<script type="text/plain" id="three-module">${scriptSafe(three.module)}</script>
<script type="text/plain" id="three-orbit">${scriptSafe(three.orbit)}</script>
<script type="application/json" id="cescreen-data">${jsonScript(page)}</script>
<script type="module">
${pageScript('pageScripts/shared.js', '../structure/cellText.js', 'viewerPage/client.js')}
</script>
${figureToolsScript()}
</body>
</html>
`;
}

/** Write the viewer page atomically (temp file + rename). */
export function writeViewer(path: string, data: ViewerData): void {
  writeFileAtomic(path, viewerHtml(data));
}
