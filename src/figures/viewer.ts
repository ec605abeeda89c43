// The interactive crystal viewer: ONE self-contained HTML file (three.js,
// OrbitControls, the page code and the data all inlined) that works from
// file:// with no network. Chromium will not import sibling modules from a
// file:// page, so the three.js sources travel as inert text blocks and the
// page turns them into Blob-URL modules at start-up.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { elementColor, labelColors } from './elementColors.ts';
import { convexHull, DEFAULT_FACE_ANGLE_TOLERANCE, polyhedronFaces } from '../environment/polyhedron.ts';
import { nnhSvg } from './nnhPlot.ts';
import { esc } from './svg.ts';
import type { PredictionRow } from '../predict/table.ts';

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

/** One predicted E_DS as the page needs it (kind and unseen optional). */
export type ViewerPrediction = Omit<PredictionRow, 'kind' | 'unseen'> & Partial<Pick<PredictionRow, 'kind' | 'unseen'>>;

export interface ViewerData {
  title: string;
  /** Rows a, b, c in Å. */
  lattice: [V3, V3, V3];
  atoms: { index: number; element: string; label: string; cart: V3; radius: number }[];
  environments: ViewerEnvironment[];
  /** Symmetry-distinct pairs; cart_b is b's nearest image; swappable: an operation exchanges a and b. */
  pairs?: { id: number; site_a: string; site_b: string; atom_a: number; atom_b: number; cart_b: V3; distance: number; swappable?: boolean }[];
  predictions?: ViewerPrediction[];
  heatmaps?: { config: number; title: string; svg: string }[];
  notes?: string;
}

/** What the page receives: the caller's data plus faces, colours and NNH charts prepared here. */
interface PageData extends ViewerData {
  environments: (ViewerEnvironment & { faces: number[][]; nnh: number })[];
  nnhCharts: string[];
  elementColors: Record<string, string>;
  labelColors: Record<string, string>;
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

/** Make JS text safe inside a <script> element: nothing may close or comment-escape it. */
function scriptText(src: string): string {
  return src.replace(/<\/(script)/gi, '\\x3C/$1').replace(/<!--/g, '\\x3C!--');
}

function readClient(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return readFileSync(join(here, 'viewerPage', 'client.js'), 'utf8');
}

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
    const key = JSON.stringify([e.label, e.dmin, e.histogram]);
    let nnh = chartIndex.get(key);
    if (nnh === undefined) {
      nnh = charts.length;
      chartIndex.set(key, nnh);
      charts.push(nnhSvg([{ site: e.label, dmin: e.dmin, histogram: e.histogram }], { panelWidth: 330, panelHeight: 170 }));
    }
    return { ...e, faces: e.faces ?? shellFaces(e.shell.map((s) => s.cart)), nnh };
  });
  const elements = new Set<string>();
  for (const a of d.atoms) elements.add(a.element);
  for (const e of d.environments) for (const s of e.shell) elements.add(s.element);
  for (const p of d.predictions ?? []) {
    elements.add(p.element_a);
    elements.add(p.element_b);
  }
  const labels = [...new Set([...d.atoms.map((a) => a.label), ...d.environments.flatMap((e) => e.shell.map((s) => s.label))])];
  return {
    ...d,
    heatmaps: undefined, // rendered into the page as markup, not data
    environments,
    nnhCharts: charts,
    elementColors: Object.fromEntries([...elements].map((el) => [el, elementColor(el)])),
    labelColors: labelColors(labels),
  };
}

/** JSON inside <script type="application/json">: escape "<" so no "</script>" can appear. */
function jsonScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: Helvetica, Arial, sans-serif; color: #222; background: #f4f5f7; display: grid; grid-template-columns: minmax(0, 1fr) minmax(420px, 46%); }
#view { position: sticky; top: 0; height: 100vh; background: #fff; border-right: 1px solid #d5d8dc; overflow: hidden; }
#view canvas { display: block; width: 100%; height: 100%; outline: none; }
#side { padding: 12px 16px 40px; min-width: 0; }
header h1 { font-size: 19px; margin: 4px 0 4px; }
header .notes { font-size: 12px; color: #8a4b00; background: #fff4e0; border: 1px solid #f0d2a0; border-radius: 4px; padding: 4px 8px; margin: 6px 0; }
.panel { background: #fff; border: 1px solid #d5d8dc; border-radius: 6px; padding: 10px 12px; margin: 10px 0; }
.panel h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: #445; }
.panel .empty { color: #777; font-size: 13px; }
table.kv { border-collapse: collapse; font-size: 13px; width: 100%; }
table.kv th { text-align: left; font-weight: normal; color: #666; padding: 2px 10px 2px 0; white-space: nowrap; width: 1%; }
table.kv td { padding: 2px 0; }
.shell-list { font-size: 12px; color: #444; margin: 6px 0; }
.nnh svg { width: 100%; height: auto; max-width: 360px; }
.subst-grid { display: grid; grid-template-columns: auto 1fr; gap: 6px 10px; align-items: center; font-size: 13px; }
.subst-grid select { font-size: 13px; padding: 2px 4px; }
.prediction { margin-top: 10px; font-size: 15px; padding: 8px 10px; border-radius: 4px; background: #f2f2f2; }
.prediction.neg { background: #e3eef9; color: #0b3f7a; }
.prediction.pos { background: #fbe6e3; color: #8a1c12; }
.prediction .eds { font-weight: bold; font-size: 17px; }
.prediction .sub { font-size: 12px; opacity: .85; }
figure.hm { margin: 8px 0 16px; }
figure.hm figcaption { font-size: 13px; font-weight: bold; margin-bottom: 4px; }
figure.hm svg { max-width: 100%; height: auto; }
figure.hm.current { outline: 2px solid #f0b400; outline-offset: 3px; border-radius: 3px; }
figure.hm rect.cell { cursor: pointer; }
figure.hm rect.cell:hover { stroke: #444; stroke-width: 1.5; }
figure.hm rect.cell.selected { stroke: #000; stroke-width: 3; }
.overlay { position: absolute; font-size: 12px; background: rgba(255,255,255,.86); border: 1px solid #d5d8dc; border-radius: 4px; padding: 5px 8px; }
#hint { bottom: 8px; right: 8px; color: #555; }
#tools { top: 8px; left: 8px; display: flex; gap: 10px; align-items: center; }
#tools button { font-size: 12px; }
#legend { bottom: 8px; left: 8px; max-width: 70%; display: flex; flex-wrap: wrap; gap: 4px 10px; }
#legend .sw { display: inline-block; width: 11px; height: 11px; border-radius: 50%; border: 1px solid #777; vertical-align: -1px; margin-right: 3px; }
#tooltip { pointer-events: none; display: none; }
#error { top: 40%; left: 10%; right: 10%; color: #a00; display: none; font-size: 14px; }
@media (max-width: 900px) { body { display: block; } #view { position: relative; height: 70vh; } }
`;

function heatmapMarkup(d: ViewerData): string {
  if (!d.heatmaps?.length) return '<p class="empty">No heatmaps in this run.</p>';
  return d.heatmaps
    .map((h) => `<figure class="hm" data-config="${h.config}" data-testid="heatmap-${h.config}"><figcaption>${esc(h.title)}</figcaption>\n${h.svg}\n</figure>`)
    .join('\n');
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
  <div id="hint" class="overlay">drag: rotate · wheel: zoom · right-drag: pan · click an atom: its polyhedron</div>
  <div id="tools" class="overlay" data-testid="tools">
    <label><input type="checkbox" id="by-label" data-testid="color-by-label"> colour by site label</label>
    <button id="reset-view" type="button">reset view</button>
    <button id="clear-sel" type="button">clear</button>
  </div>
  <div id="legend" class="overlay" data-testid="legend"></div>
  <div id="tooltip" class="overlay"></div>
  <div id="error" class="overlay" data-testid="error"></div>
</div>
<div id="side">
  <header>
    <h1>${esc(data.title)}</h1>
    ${data.notes ? `<div class="notes" data-testid="notes">${esc(data.notes)}</div>` : ''}
  </header>
  <section class="panel" id="env-panel" data-testid="env-panel">
    <h2>Atomic environment</h2>
    <div id="env-body"><p class="empty">Click an atom to show its coordination polyhedron.</p></div>
  </section>
  <section class="panel" id="subst-panel" data-testid="subst-panel">
    <h2>Double-site substitution</h2>
    <div id="subst-body"></div>
  </section>
  <section class="panel" id="heatmaps" data-testid="heatmaps">
    <h2>E<sub>DS</sub> heatmaps (click a cell)</h2>
    ${heatmapMarkup(data)}
  </section>
</div>
<script type="text/plain" id="three-core">${scriptText(three.core)}</script>
<script type="text/plain" id="three-module">${scriptText(three.module)}</script>
<script type="text/plain" id="three-orbit">${scriptText(three.orbit)}</script>
<script type="application/json" id="cescreen-data">${jsonScript(page)}</script>
<script type="module">
${scriptText(readClient())}
</script>
</body>
</html>
`;
}

/** Write the viewer page atomically (temp file + rename). */
export function writeViewer(path: string, data: ViewerData): void {
  writeFileAtomic(path, viewerHtml(data));
}
