import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonHeatmaps, heatmapPage, heatmapSvg, sortByMetallicRadius } from '../src/figures/heatmap.ts';
import { convexHull } from '../src/environment/polyhedron.ts';
import type { Vec3 } from '../src/structure/lattice.ts';
import { facesVolume } from './helpers.ts';
import { nnhSvg } from '../src/figures/nnhPlot.ts';
import { divergingColor, niceTicks, parseHex, textColorOn } from '../src/figures/svg.ts';
import { shellFaces, viewerHtml, type ViewerData } from '../src/figures/viewer.ts';
import { elementColor, hashColor } from '../src/figures/elementColors.ts';

/** Minimal well-formedness check: balanced tags, quoted attributes, no stray '<' or bad entities in text. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    assert.doesNotMatch(text, /&(?!amp;|lt;|gt;|quot;|#39;|#\d+;)/, `bad entity in text near ${JSON.stringify(text.slice(0, 60))}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    assert.ok(m, `malformed tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 80))}`);
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `closing </${name}> does not match`);
    else if (!selfClose) stack.push(name);
    i = tag.lastIndex;
  }
  assert.deepEqual(stack, [], 'unclosed tags');
}

const rgb = (c: string) => parseHex(c);
const attrs = (svg: string, name: string) => [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

// A 14 × 14 grid of made-up energies with a zero, negatives, positives and gaps.
const ELEMENTS = ['B', 'Al', 'Si', 'Ti', 'V', 'Cr', 'Fe', 'Co', 'Ni', 'Y', 'Zr', 'Nb', 'Mo', 'Hf'];
const grid = ELEMENTS.map((_, r) => ELEMENTS.map((_, c) => (r === c && r % 5 === 0 ? null : Math.round((Math.sin(r * 1.3 + c * 0.7) * 1.1 + (r - c) * 0.03) * 1000) / 1000)));
grid[2][3] = 0;

test('heatmap: rows × cols cells carrying the right data-value, row/col attributes and printed values', () => {
  const svg = heatmapSvg({ title: 'E_DS NbI–SiII', xLabel: 'Y on SiII', yLabel: 'X on NbI', rows: ELEMENTS, cols: ELEMENTS, values: grid, unit: 'eV' });
  assertWellFormed(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 [\d.]+ [\d.]+"/);
  const cells = [...svg.matchAll(/<rect class="cell( null)?" data-row="([^"]+)" data-col="([^"]+)" data-value="([^"]*)"[^>]*fill="([^"]+)"/g)];
  assert.equal(cells.length, 14 * 14);
  let nulls = 0;
  for (const [, isNull, row, col, value, fill] of cells) {
    const v = grid[ELEMENTS.indexOf(row)][ELEMENTS.indexOf(col)];
    if (v === null) {
      nulls++;
      assert.equal(isNull, ' null');
      assert.equal(value, '');
      assert.match(fill, /^url\(#/);
    } else {
      assert.equal(Number(value), v);
      const [r, , b] = rgb(fill);
      if (v < 0) assert.ok(b > r, `negative ${v} should be blue, got ${fill}`);
      if (v > 0) assert.ok(r > b, `positive ${v} should be red, got ${fill}`);
      if (v === 0) assert.equal(fill, '#ffffff');
    }
  }
  assert.equal(nulls, grid.flat().filter((v) => v === null).length);
  // Every non-null value is printed with 2 decimals.
  const maxAbs = Math.max(...grid.flat().filter((v): v is number => v !== null).map(Math.abs));
  const printed = [...svg.matchAll(/pointer-events="none">([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.equal(printed.length, 14 * 14 - nulls);
  assert.ok(printed.includes(grid[0][1]!.toFixed(2)));
  // Colour bar: symmetric limits from max |value|, both ends labelled, unit shown.
  const ticks = [...svg.matchAll(/<text class="tick"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.ok(ticks.includes(maxAbs.toFixed(2)), `ticks ${ticks} lack max ${maxAbs}`);
  assert.ok(ticks.includes((-maxAbs).toFixed(2)), `ticks ${ticks} lack min ${-maxAbs}`);
  assert.ok(ticks.includes('0.00'));
  assert.deepEqual(attrs(svg, 'data-min').map(Number), [-maxAbs]);
  assert.match(svg, />eV<\/text>/);
});

test('heatmap: an explicit asymmetric scale keeps 0 white and saturates outside', () => {
  const svg = heatmapSvg({ title: 't', xLabel: 'x', yLabel: 'y', rows: ['A'], cols: ['B', 'C', 'D'], values: [[0, -5, 0.25]], unit: 'eV', scale: { min: -0.5, max: 1 } });
  const fills = [...svg.matchAll(/class="cell"[^>]*fill="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(fills[0], '#ffffff');
  assert.equal(fills[1], divergingColor(-0.5, -0.5, 1)); // clipped to the darkest blue
  assert.equal(fills[1], '#053061');
  const ticks = [...svg.matchAll(/<text class="tick"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.ok(ticks.includes('-0.50') && ticks.includes('1.00') && ticks.includes('0.00'), String(ticks));
});

test('colour scale: white at 0, monotone darker away from 0, contrast text colour', () => {
  assert.equal(divergingColor(0, -1, 1), '#ffffff');
  const lum = (c: string) => rgb(c).reduce((s, x) => s + x, 0);
  let prev = lum('#ffffff');
  for (const v of [-0.2, -0.4, -0.6, -0.8, -1]) {
    const c = divergingColor(v, -1, 1);
    assert.ok(lum(c) < prev, `${v} → ${c} not darker`);
    prev = lum(c);
    assert.ok(rgb(c)[2] > rgb(c)[0]);
  }
  assert.ok(rgb(divergingColor(0.7, -1, 1))[0] > rgb(divergingColor(0.7, -1, 1))[2]);
  assert.equal(textColorOn('#ffffff'), '#000000');
  assert.equal(textColorOn(divergingColor(-1, -1, 1)), '#ffffff');
  assert.equal(textColorOn(divergingColor(1, -1, 1)), '#ffffff');
  assert.equal(textColorOn(divergingColor(0.1, -1, 1)), '#000000');
  assert.deepEqual(niceTicks(1, 1.6, 6), [1, 1.2, 1.4, 1.6]);
  assert.deepEqual(niceTicks(0, 8, 5), [0, 2, 4, 6, 8]);
});

test('comparison heatmaps: three panels, shared scale for predicted and DFT, MAE equals the mean |pred − DFT|', () => {
  const dft = grid.map((row, r) => row.map((v, c) => (v === null || (r + c) % 7 === 0 ? null : v + ((r * 3 + c * 5) % 11) * 0.01 - 0.05)));
  const svg = comparisonHeatmaps({ title: 'NbI–SiII', rows: ELEMENTS, cols: ELEMENTS, predicted: grid, dft });
  assertWellFormed(svg);
  assert.deepEqual(attrs(svg, 'data-panel'), ['predicted', 'dft', 'difference']);
  let sum = 0;
  let n = 0;
  const diffs: number[] = [];
  grid.forEach((row, r) =>
    row.forEach((p, c) => {
      const d = dft[r][c];
      if (p !== null && d !== null) {
        sum += Math.abs(p - d);
        n++;
        diffs.push(p - d);
      }
    }),
  );
  const m = /Predicted − DFT \(MAE = ([\d.]+) eV, n = (\d+)\)/.exec(svg);
  assert.ok(m, 'MAE title missing');
  assert.equal(Number(m[2]), n);
  assert.equal(m[1], (sum / n).toFixed(3));
  assert.ok(Math.abs(Number(attrs(svg, 'data-mae')[0]) - sum / n) < 1e-12);
  // Cells: 3 × 196; the difference panel's values are pred − DFT.
  const diffPanel = svg.slice(svg.indexOf('data-panel="difference"'));
  const dv = [...diffPanel.matchAll(/class="cell"[^>]*data-value="([^"]+)"/g)].map((x) => Number(x[1]));
  assert.equal(dv.length, n);
  dv.forEach((v, k) => assert.ok(Math.abs(v - diffs[k]) < 1e-12));
  assert.equal([...svg.matchAll(/<rect class="cell/g)].length, 3 * 196);
  // Colour bars: predicted+DFT share ±max over both grids; the difference has its own ±max|diff|.
  const shared = Math.max(...[...grid.flat(), ...dft.flat()].filter((v): v is number => v !== null).map(Math.abs));
  const own = Math.max(...diffs.map(Math.abs));
  assert.deepEqual(attrs(svg, 'data-max').map(Number), [shared, own]);
  // Ids are unique across the panels (several SVGs may share one page).
  const ids = attrs(svg, 'id');
  assert.equal(new Set(ids).size, ids.length);
});

test('nnhSvg: one panel per site, one stem per bin, title with d_min', () => {
  const panels = [
    { site: 'NbI', dmin: 2.7104, histogram: [{ d_over_dmin: 1, count: 2 }, { d_over_dmin: 1.05, count: 8 }, { d_over_dmin: 1.31, count: 4 }] },
    { site: 'NbII', dmin: 2.65, histogram: [{ d_over_dmin: 1, count: 1 }, { d_over_dmin: 1.02, count: 2 }] },
    { site: 'SiI', dmin: 2.6, histogram: [{ d_over_dmin: 1, count: 8 }] },
    { site: 'SiII', dmin: 2.52, histogram: [{ d_over_dmin: 1, count: 1 }, { d_over_dmin: 1.1, count: 6 }, { d_over_dmin: 1.45, count: 2 }] },
  ];
  const svg = nnhSvg(panels);
  assertWellFormed(svg);
  assert.match(svg, /viewBox="0 0 600 420"/); // 2 × 2 grid of 300 × 210 panels
  assert.deepEqual(attrs(svg, 'data-site'), ['NbI', 'NbII', 'SiI', 'SiII']);
  assert.match(svg, /NbI \(d<tspan[^>]*>min<\/tspan><tspan[^>]*> = 2\.71 Å\)<\/tspan>/);
  assert.deepEqual(attrs(svg, 'data-count').map(Number), panels.flatMap((p) => p.histogram.map((b) => b.count)));
  // Taller bars are drawn higher: within NbI, count 8 reaches above count 2.
  const y2 = [...svg.matchAll(/class="nnh-bar"[^>]*y2="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(y2[1] < y2[0]);
  assert.doesNotMatch(svg, /@import|url\(http|<link/);
});


test('viewer faces (shellFaces → polyhedron.ts): cube, octahedron, bcc rhombic dodecahedron; coplanar gives none', () => {
  const cube: Vec3[] = [];
  for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-1, 1]) cube.push([x, y, z]);
  const cf = shellFaces(cube);
  assert.equal(cf.length, 6);
  assert.ok(cf.every((f) => f.length === 4));
  assert.ok(Math.abs(facesVolume(cube, cf) - 8) < 1e-9);

  const oct: Vec3[] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
  const of = shellFaces(oct);
  assert.equal(of.length, 8);
  assert.ok(Math.abs(facesVolume(oct, of) - 4 / 3) < 1e-9);

  const a = 3.3; // bcc CN14 shell: 8 at a√3/2 and 6 at a, a rhombic dodecahedron of volume 2a³
  const shell: Vec3[] = cube.map((p) => p.map((v) => (v * a) / 2) as Vec3);
  for (const k of [0, 1, 2]) for (const s of [-a, a]) shell.push([0, 1, 2].map((j) => (j === k ? s : 0)) as Vec3);
  const moved = shell.map((p) => [p[0] + 10, p[1] - 4, p[2] + 1] as Vec3); // away from the origin
  const sf = shellFaces(moved);
  assert.equal(sf.length, 12);
  assert.ok(sf.every((f) => f.length === 4));
  const edges = new Set(sf.flatMap((f) => f.map((u, k) => [u, f[(k + 1) % f.length]].sort((x, y) => x - y).join('-'))));
  assert.equal(14 - edges.size + sf.length, 2);
  assert.ok(Math.abs(facesVolume(shell, sf) - 2 * a ** 3) < 1e-9);
  assert.ok(Math.abs(convexHull(moved).volume - 2 * a ** 3) < 1e-9);

  assert.deepEqual(shellFaces([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [2, 3, 0]]), []);
});

test('sortByMetallicRadius orders by radius, ties alphabetically, unknown last', () => {
  const r: Record<string, number> = { Nb: 1.47, Ti: 1.47, Cr: 1.29, Y: 1.8, Mo: 1.4 };
  assert.deepEqual(sortByMetallicRadius(['Y', 'Nb', 'Xx', 'Ti', 'Cr', 'Mo'], (el) => r[el] ?? NaN), ['Cr', 'Mo', 'Nb', 'Ti', 'Y', 'Xx']);
});

test('heatmapPage: one self-contained page holding every figure', () => {
  const a = heatmapSvg({ title: 'A', xLabel: 'x', yLabel: 'y', rows: ['Ti'], cols: ['V'], values: [[-0.3]], unit: 'eV' });
  const b = nnhSvg([{ site: 'SiI', dmin: 2.5, histogram: [{ d_over_dmin: 1, count: 3 }] }]);
  const html = heatmapPage([{ title: 'E <pred>', svg: a, caption: 'c & d' }, { title: 'NNH', svg: b }]);
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes(a) && html.includes(b));
  assert.ok(html.includes('E &lt;pred&gt;') && html.includes('c &amp; d'));
  assert.equal([...html.matchAll(/<section/g)].length, 2);
  assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org)/);
});

test('element colours: Jmol table and a stable hash fallback', () => {
  assert.equal(elementColor('Nb'), '#73c2c9');
  assert.equal(elementColor('Si'), '#f0c8a0');
  assert.equal(elementColor('Qq'), hashColor('Qq'));
  assert.match(hashColor('Qq'), /^#[0-9a-f]{6}$/);
  assert.notEqual(hashColor('Qq'), hashColor('Qr'));
});

test('viewerHtml: one self-contained file, inlined three.js, data with hull faces', () => {
  const a = 3.3;
  const d: ViewerData = {
    title: 'bcc <Nb>',
    lattice: [[a, 0, 0], [0, a, 0], [0, 0, a]],
    atoms: [{ index: 0, element: 'Nb', label: 'Nb1', cart: [0, 0, 0], radius: 1.47 }],
    environments: [
      {
        atom: 0, label: 'Nb1', wyckoff: '2a', cn: 14, code: '4^6 6^8', volume: 2 * a ** 3, ideal: null, dmin: (a * Math.sqrt(3)) / 2,
        histogram: [{ d_over_dmin: 1, count: 8 }, { d_over_dmin: 2 / Math.sqrt(3), count: 6 }],
        shell: [
          ...[-1, 1].flatMap((x) => [-1, 1].flatMap((y) => [-1, 1].map((z) => ({ element: 'Nb', label: 'Nb1', distance: (a * Math.sqrt(3)) / 2, cart: [(x * a) / 2, (y * a) / 2, (z * a) / 2] as [number, number, number] })))),
          ...[0, 1, 2].flatMap((k) => [-a, a].map((s) => ({ element: 'Nb', label: 'Nb1', distance: a, cart: [0, 1, 2].map((j) => (j === k ? s : 0)) as [number, number, number] }))),
        ],
      },
    ],
    notes: 'model predictions </script> not DFT',
  };
  const html = viewerHtml(d);
  assert.ok(html.length > 1_500_000, 'three.js should be inlined');
  // Every "</script" in the file closes one of the 5 script elements we opened.
  assert.equal((html.match(/<script\b/g) ?? []).length, 5);
  assert.equal((html.match(/<\/script/gi) ?? []).length, 5);
  assert.doesNotMatch(html, /<script[^>]+src=|<link\b|import\s*\(\s*['"]https?:/);
  assert.ok(html.includes('bcc &lt;Nb&gt;'));
  const json = /<script type="application\/json" id="cescreen-data">([^]*?)<\/script>/.exec(html);
  assert.ok(json);
  const page = JSON.parse(json[1]);
  assert.equal(page.notes, d.notes);
  assert.equal(page.environments[0].faces.length, 12);
  assert.equal(page.elementColors.Nb, '#73c2c9');
  assert.equal(page.nnhCharts.length, 1);
  assert.throws(() => viewerHtml({ ...d, environments: [{ ...d.environments[0], atom: 7 }] }), /unknown atom 7/);
});
