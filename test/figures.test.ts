import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { colorBarSvg, COMPACT_CELL, comparisonHeatmaps, COLUMN_WIDTH, heatmapGrid, heatmapPage, heatmapSvg, sortByMetallicRadius } from '../src/figures/heatmap.ts';
import { convexHull } from '../src/environment/polyhedron.ts';
import { NeighborFinder } from '../src/environment/neighbors.ts';
import { siteEnvironments, siteHistograms } from '../src/environment/sites.ts';
import { DEFAULT_CE, featureNames, siteBlockNames } from '../src/features/ce.ts';
import { toCif } from '../src/structure/cif.ts';
import { toPoscar } from '../src/structure/poscar.ts';
import { parseCif } from '../src/structure/cif.ts';
import { readStructure } from '../src/structure/io.ts';
import { supercell } from '../src/structure/supercell.ts';
import { analyzeSymmetry } from '../src/structure/symmetry.ts';
import type { Structure } from '../src/structure/structure.ts';
import type { Vec3 } from '../src/structure/lattice.ts';
import { ALPHA, BETA, assertWellFormed, facesVolume } from './helpers.ts';
import { aetCut, nnhSvg } from '../src/figures/nnhPlot.ts';
import { featureKey, importanceRanking, importanceSvg, importanceText, type ImportanceRow } from '../src/figures/importancePlot.ts';
import { htmlTable, interactiveTable, predictionTable, reportHtml } from '../src/figures/report.ts';
import { configsNotDrawn, heatmapsFromPredictions, heatmapsFromReference, stabilisingProbability, stabilisingRows } from '../src/figures/siteHeatmaps.ts';
import { pageScript } from '../src/figures/inline.ts';
import { modelsSection, notationHtml, phaseTitle, shotsSection } from '../src/figures/reproduceReport.ts';
import { shotsSvg } from '../src/figures/shotsPlot.ts';
import { campaignSvg } from '../src/figures/campaignPlot.ts';
import type { EvaluationResult, ShotPoint } from '../src/model/evaluation/evaluate.ts';
import type { PredictionRow } from '../src/predict/table.ts';
import { substitutionSystem } from '../src/substitution/system.ts';
import { cifText, poscarText } from '../src/structure/cellText.js';
import {
  codeHtml,
  codeSvg,
  divergingColor,
  energyScale,
  formatNumber,
  niceCeil,
  niceTicks,
  parseHex,
  robustScale,
  scaleColor,
  scalePosition,
  scaleTicks,
  textColorOn,
  textWidth,
  esc,
  type ColorScale,
} from '../src/figures/svg.ts';
import { shellFaces, viewerHtml, type ViewerData } from '../src/figures/viewer.ts';
import { elementColor, hashColor, LABEL_PALETTE, labelColor, labelColors } from '../src/figures/elementColors.ts';
import { BOND_TOLERANCE, bondCutoffs } from '../src/figures/bonds.ts';
import { fileStem } from '../src/figures/svg.ts';
import { alphaDft } from './viewerFixtures.ts';
import { probabilityBelow, Z90 } from '../src/util/normal.ts';

const rgb = (c: string) => parseHex(c);
const attrs = (svg: string, name: string) => [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]);
const MINUS = '\u2212';

// A 14 × 14 grid of made-up energies with a zero, negatives, positives and gaps.
const ELEMENTS = ['B', 'Al', 'Si', 'Ti', 'V', 'Cr', 'Fe', 'Co', 'Ni', 'Y', 'Zr', 'Nb', 'Mo', 'Hf'];
const grid = ELEMENTS.map((_, r) => ELEMENTS.map((_, c) => (r === c && r % 5 === 0 ? null : Math.round((Math.sin(r * 1.3 + c * 0.7) * 1.1 + (r - c) * 0.03) * 1000) / 1000)));
grid[2][3] = 0;
grid[4][5] = -0.004; // prints as 0.00 and is stabilising all the same: without a distribution E < 0 decides

test('numbers and topological codes: no "-0.00", a typographic minus, superscripts in HTML and SVG', () => {
  assert.equal(formatNumber(-0.0004, 2), '0.00');
  assert.equal(formatNumber(-0.004, 3), `${MINUS}0.004`);
  assert.equal(formatNumber(-1.5, 2), `${MINUS}1.50`);
  assert.equal(formatNumber(-1.5, 2, true), '-1.50');
  assert.equal(formatNumber(NaN), '\u2014');
  // The code format of topology.ts, N^{t.s[.p]}, and the plain N^x form.
  assert.equal(codeHtml('8^{5.0} 4^{6.0} 2^{4.2.1}'), '8<sup>5.0</sup> 4<sup>6.0</sup> 2<sup>4.2.1</sup>');
  assert.equal(codeHtml('4^6 6^8'), '4<sup>6</sup> 6<sup>8</sup>');
  assert.equal(codeHtml('<b>'), '&lt;b&gt;');
  assert.equal(codeSvg('12^{5.0}'), '12<tspan baseline-shift="super" font-size="75%">5.0</tspan>');
  // The real code of α's SiII site (bicapped square antiprism).
  const alpha = readStructure(ALPHA);
  const siII = siteEnvironments(alpha, analyzeSymmetry(alpha)).find((e) => e.site === 'SiII')!;
  assert.match(siII.code, /\^\{/);
  assert.doesNotMatch(codeHtml(siII.code), /[{}^]/);
  assert.equal((codeHtml(siII.code).match(/<sup>/g) ?? []).length, siII.code.split(' ').length);
});

test('heatmap: rows × cols cells carrying their values; stabilising cells outlined; values printed without "-0.00"', () => {
  const svg = heatmapSvg({ title: 'E_DS NbI–SiII', xLabel: 'Y on SiII', yLabel: 'X on NbI', rows: ELEMENTS, cols: ELEMENTS, values: grid, unit: 'eV' });
  assertWellFormed(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 [\d.]+ [\d.]+"/);
  assert.match(svg, /E<tspan baseline-shift="sub"[^>]*>DS<\/tspan>/);
  const cells = [...svg.matchAll(/<rect class="cell( null)?( stabilising)?" data-row="([^"]+)" data-col="([^"]+)" data-value="([^"]*)"[^>]*fill="([^"]+)"/g)];
  assert.equal(cells.length, 14 * 14);
  let nulls = 0;
  for (const [, isNull, stabilising, row, col, value, fill] of cells) {
    const v = grid[ELEMENTS.indexOf(row)][ELEMENTS.indexOf(col)];
    if (v === null) {
      nulls++;
      assert.equal(isNull, ' null');
      assert.equal(value, '');
      assert.match(fill, /^url\(#/);
      continue;
    }
    assert.equal(Number(value), v);
    assert.equal(Boolean(stabilising), v < 0, `${row}/${col} ${v}`);
    const [r, , b] = rgb(fill);
    if (v < 0) assert.ok(b > r, `negative ${v} should be blue, got ${fill}`);
    if (v > 0) assert.ok(r > b, `positive ${v} should be red, got ${fill}`);
    if (v === 0) assert.equal(fill, '#ffffff');
  }
  assert.equal(nulls, grid.flat().filter((v) => v === null).length);
  // One outline per stabilising cell, drawn over it.
  assert.equal((svg.match(/<rect class="outline"/g) ?? []).length, grid.flat().filter((v) => v !== null && v < 0).length);
  const printed = [...svg.matchAll(/<text class="value[^"]*"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.equal(printed.length, 14 * 14 - nulls);
  assert.ok(printed.includes(formatNumber(grid[0][1]!, 2)));
  assert.ok(!printed.some((t) => /^[-\u2212]0\.00$/.test(t)), 'no negative zero');
  assert.ok(printed.includes('0.00'));
});

test('colour scale: asinh with a 0.2 eV knee, symmetric about 0, round ticks, saturating beyond the limit', () => {
  const s: ColorScale = { kind: 'asinh', limit: 10, knee: 0.2, overflow: {} };
  // −0.5 eV takes asinh(2.5)/asinh(50) = 35.8 % of the blue ramp (5 % on a linear ±10 eV scale).
  assert.ok(Math.abs(scalePosition(s, -0.5) + Math.asinh(2.5) / Math.asinh(50)) < 1e-12);
  assert.ok(Math.abs(scalePosition(s, -0.5) + 0.358) < 1e-3);
  assert.equal(scalePosition(s, 12), 1);
  assert.equal(scalePosition(s, -30), -1);
  for (const v of [0.05, 0.3, 1, 4]) assert.equal(scalePosition(s, -v), -scalePosition(s, v));
  let prev = -Infinity;
  for (let v = -12; v <= 12; v += 0.01) {
    const p = scalePosition(s, v);
    assert.ok(p >= prev);
    prev = p;
  }
  assert.equal(scaleColor(s, 0), '#ffffff');
  assert.equal(scaleColor(s, 11), divergingColor(1));
  // Ticks: 0, ±limit and 1-2-5 values between, symmetric, kept apart on the bar.
  const ticks = scaleTicks(s);
  assert.deepEqual(ticks, [-10, -5, -2, -1, -0.5, -0.2, 0, 0.2, 0.5, 1, 2, 5, 10]);
  const lin: ColorScale = { kind: 'linear', limit: 0.5, knee: 0.2, overflow: {} };
  assert.deepEqual(scaleTicks(lin), [-0.5, -0.25, 0, 0.25, 0.5]);
  assert.equal(niceCeil(8.03), 10);
  assert.equal(niceCeil(0.31), 0.5);
  assert.equal(niceCeil(2), 2);
  assert.deepEqual(niceTicks(1, 1.6, 6), [1, 1.2, 1.4, 1.6]);
  assert.equal(textColorOn('#ffffff'), '#000000');
  assert.equal(textColorOn(divergingColor(-1)), '#ffffff');
  assert.equal(textColorOn(divergingColor(1)), '#ffffff');
  assert.equal(textColorOn(divergingColor(0.1)), '#000000');
});

test('the α DFT energies on one scale: the limit is the rounded 98th percentile of |E| and the rest shows in the end caps', () => {
  const { reference } = alphaDft();
  assert.equal(reference.length, 1612);
  const e = reference.map((r) => r.eds);
  const scale = robustScale([[e]]);
  const sorted = e.map(Math.abs).sort((a, b) => a - b);
  const q98 = sorted[Math.floor(0.98 * (sorted.length - 1))];
  assert.ok(q98 > 5 && q98 <= 10, `q98 ${q98}`);
  assert.equal(scale.limit, 10);
  assert.equal(scale.overflow.high, Math.max(...e));
  assert.ok(scale.overflow.high! > 10);
  assert.equal(scale.overflow.low, undefined, 'no α energy is below −10 eV');
  // The most stabilising DFT value (−0.82 eV) is clearly blue: over 40 % of the ramp.
  assert.ok(scalePosition(scale, Math.min(...e)) < -0.4, String(scalePosition(scale, Math.min(...e))));
  // The bar: end cap at the top only, labelled with the maximum.
  const bar = colorBarSvg(scale);
  assertWellFormed(bar);
  assert.equal((bar.match(/class="cap high"/g) ?? []).length, 1);
  assert.equal((bar.match(/class="cap low"/g) ?? []).length, 0);
  // Its ticks: round values from the scale's series, symmetric, 0 and ±limit included, at least 30 px apart.
  const ticks = attrs(bar, 'data-value').map(Number);
  assert.ok(ticks.every((v) => scaleTicks(scale).includes(v)), String(ticks));
  assert.deepEqual(ticks, ticks.map((v) => (v === 0 ? 0 : -v)).reverse());
  assert.ok(ticks.includes(0) && ticks.includes(10) && ticks.includes(-10));
  const xs = [...bar.matchAll(/<text class="tick"[^>]* x="([\d.]+)"/g)].map((m) => Number(m[1]));
  for (let k = 1; k < xs.length; k++) assert.ok(xs[k] - xs[k - 1] >= 29.9, String(xs));
});

/** Machado, Oliveira & Fernandes (2009) simulation matrices, severity 1, on linear RGB. */
const CVD: Record<string, number[][]> = {
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
  normal: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
};
/** CIELAB (D65) of an sRGB colour as seen with the given vision. */
function labAs(hex: string, vision: string): number[] {
  const lin = rgb(hex).map((u) => (u / 255 <= 0.04045 ? u / 255 / 12.92 : ((u / 255 + 0.055) / 1.055) ** 2.4));
  const m = CVD[vision];
  const l = m.map((row) => Math.min(1, Math.max(0, row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2])));
  const X = (0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2]) / 0.95047;
  const Y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  const Z = (0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2]) / 1.08883;
  const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}
const deltaE = (a: string, b: string, vision: string) => Math.hypot(...labAs(a, vision).map((x, k) => x - labAs(b, vision)[k]));

test('colour-blind safety (Machado 2009 simulation): the energy ramp keeps signs apart, the site palette keeps sites apart', () => {
  for (const vision of Object.keys(CVD)) {
    // Stabilising and destabilising cells of equal |E| stay distinct (ΔE*ab > 15) from 20 % of the ramp on.
    for (const t of [0.2, 0.5, 1]) assert.ok(deltaE(divergingColor(-t), divergingColor(t), vision) > 15, `${vision} ±${t}: ${deltaE(divergingColor(-t), divergingColor(t), vision)}`);
    // And each side darkens monotonically (lightness carries the magnitude for every viewer).
    for (const side of [-1, 1]) {
      let prev = 101;
      for (let t = 0; t <= 1.0001; t += 0.1) {
        const L = labAs(divergingColor(side * t), vision)[0];
        assert.ok(L < prev + 1e-9, `${vision}: lightness not monotone at ${side * t}`);
        prev = L;
      }
    }
    // Every pair of the 7 site colours differs by ΔE*ab ≥ 15.
    let min = Infinity;
    for (let i = 0; i < LABEL_PALETTE.length; i++) for (let j = i + 1; j < LABEL_PALETTE.length; j++) min = Math.min(min, deltaE(LABEL_PALETTE[i], LABEL_PALETTE[j], vision));
    assert.ok(min >= 15, `${vision}: site colours only ΔE ${min.toFixed(1)} apart`);
  }
  // The test bites: Tableau-10's green and red (the old palette) merge for deuteranopes.
  assert.ok(deltaE('#2ca02c', '#d62728', 'deuteranopia') < 10);
});

/** CIELAB hue angle (°) of a colour, normal vision. */
const hueOf = (c: string) => {
  const [, a, b] = labAs(c, 'normal');
  return ((Math.atan2(b, a) * 180) / Math.PI + 360) % 360;
};
const hueGap = (x: number, y: number) => Math.min(Math.abs(x - y), 360 - Math.abs(x - y));

test('colour by site: every site its own colour — four sites four hue families, 21 sites 21 colours', () => {
  // β-Nb5Si3's four sites (the case that painted two sites blue): four hues ≥ 60° apart in CIELAB.
  const beta = labelColors(readStructure(BETA).labels());
  const hues = Object.values(beta).map(hueOf);
  for (let i = 0; i < hues.length; i++) for (let j = i + 1; j < hues.length; j++) assert.ok(hueGap(hues[i], hues[j]) >= 60, `${Object.keys(beta)[i]}/${Object.keys(beta)[j]}: hues ${hues[i].toFixed(0)}° and ${hues[j].toFixed(0)}°`);
  // The old order (blue, orange, sky blue, …) fails exactly there: blue and sky blue are one hue family.
  assert.ok(hueGap(hueOf('#0072b2'), hueOf('#56b4e9')) < 30);
  // Beyond the 7 palette colours: darker, then lighter shades; all 21 distinct (ΔE*ab ≥ 12), then hash colours.
  const labels = Array.from({ length: 21 }, (_, k) => `S${k + 1}`);
  const colours = Object.values(labelColors(labels));
  assert.equal(new Set(colours).size, 21);
  let min = Infinity;
  for (let i = 0; i < 21; i++) for (let j = i + 1; j < 21; j++) min = Math.min(min, deltaE(colours[i], colours[j], 'normal'));
  assert.ok(min >= 12, `21 site colours only ΔE ${min.toFixed(1)} apart`);
  assert.deepEqual(colours.slice(0, 7), LABEL_PALETTE);
  assert.equal(labelColor(21, 'S22'), hashColor('S22'));
});

test('comparison (α, 14 elements): predicted | DFT over the difference fits a 1200 px column with readable values', () => {
  const dft = grid.map((row, r) => row.map((v, c) => (v === null || (r + c) % 7 === 0 ? null : v + ((r * 3 + c * 5) % 11) * 0.01 - 0.05)));
  const svg = comparisonHeatmaps({ title: 'NbI–SiII', rows: ELEMENTS, cols: ELEMENTS, predicted: grid, dft });
  assertWellFormed(svg);
  assert.equal(attrs(svg, 'data-layout')[0], 'grid');
  const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
  assert.ok(width <= COLUMN_WIDTH, `width ${width}`);
  const fonts = [...svg.matchAll(/<text class="value[^"]*"[^>]*font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(Math.min(...fonts) >= 9, `cell values at ${Math.min(...fonts)} px`);
  // The old side-by-side row at 42 px cells needs almost twice the column (2172 px in the issue).
  const row = comparisonHeatmaps({ title: 'NbI–SiII', rows: ELEMENTS, cols: ELEMENTS, predicted: grid, dft, layout: 'row', maxWidth: 5000 });
  assert.ok(Number(/<svg[^>]* width="([\d.]+)"/.exec(row)![1]) > 1.9 * COLUMN_WIDTH);
  assert.deepEqual(attrs(svg, 'data-panel'), ['predicted', 'dft', 'difference']);
  let sum = 0;
  let n = 0;
  const diffs: number[] = [];
  grid.forEach((r, i) =>
    r.forEach((p, j) => {
      const d = dft[i][j];
      if (p !== null && d !== null) {
        sum += Math.abs(p - d);
        n++;
        diffs.push(p - d);
      }
    }),
  );
  const m = /MAE = ([\d.]+) eV, n = (\d+)/.exec(svg);
  assert.ok(m, 'MAE missing');
  assert.equal(Number(m[2]), n);
  assert.equal(m[1], (sum / n).toFixed(3));
  const diffPanel = svg.slice(svg.indexOf('data-panel="difference"'));
  const dv = [...diffPanel.matchAll(/class="cell[^"]*"[^>]*data-value="([^"]+)"/g)].map((x) => Number(x[1]));
  assert.equal(dv.length, n);
  dv.forEach((v, k) => assert.ok(Math.abs(v - diffs[k]) < 1e-12));
  // Predicted and DFT share one bar; the difference has its own, linear one. Ids are unique.
  assert.deepEqual(attrs(svg, 'data-kind'), ['asinh', 'linear']);
  const ids = attrs(svg, 'id');
  assert.equal(new Set(ids).size, ids.length);
});

test('maps drawn together share one scale: α DFT maps, equal energies get equal colours in every map', () => {
  const { reference } = alphaDft();
  const maps = heatmapsFromReference(reference);
  assert.deepEqual(maps.map((m) => m.config), [1, 2, 3, 5, 6, 7, 8]);
  const limits = maps.map((m) => Number(attrs(m.svg, 'data-limit')[0]));
  assert.deepEqual([...new Set(limits)], [10]);
  const fillOf = new Map<string, string>();
  for (const m of maps) {
    for (const [, value, fill] of m.svg.matchAll(/class="cell[^"]*"[^>]*data-value="([^"]+)"[^>]*fill="(#[0-9a-f]{6})"/g)) {
      assert.equal(fill, scaleColor(maps[0].scale, Number(value)));
      fillOf.set(value, fill);
    }
  }
  assert.ok(fillOf.size > 1000);
  // The pristine cell of every map reads 0 (white), hosts Nb/Si.
  for (const m of maps) assert.ok(m.svg.includes(`data-row="${m.siteA.slice(0, 2)}" data-col="${m.siteB.slice(0, 2)}" data-value="0"`), `map ${m.config}`);
  // Tooltips name the substitution, "—" for a site that keeps its host.
  assert.match(maps[0].svg, /<title>B@SiI \+ —: /);
  assert.match(maps[0].svg, /<title>pristine cell: 0\.000 eV<\/title>/);
});

test('intervals: tooltips read the 90 % interval and P(E_DS < 0); outlines need P ≥ 0.9; cells whose interval includes 0 are marked for the page toggle', () => {
  const { asPredictions } = alphaDft();
  const rows = asPredictions.filter((r) => r.config === 2).map((r) => ({ ...r, eds_sd: 0.1, eds_lo: r.eds_pred - 0.1645, eds_hi: r.eds_pred + 0.1645 }));
  const [m] = heatmapsFromPredictions(rows, { hosts: { NbI: 'Nb', SiI: 'Si' } });
  const straddling = rows.filter((r) => r.eds_lo < 0 && r.eds_hi > 0).length;
  assert.ok(straddling > 0);
  assert.equal((m.svg.match(/<rect class="cell[^"]* straddles"/g) ?? []).length, straddling);
  const r0 = rows.find((r) => r.kind === 'pair')!;
  const p0 = probabilityBelow(r0.eds_pred, 0.1);
  assert.ok(m.svg.includes(`${r0.element_a}@NbI + ${r0.element_b}@SiI: ${formatNumber(r0.eds_pred, 3)} eV, 90 % interval [${formatNumber(r0.eds_lo, 2)}, ${formatNumber(r0.eds_hi, 2)}]`));
  assert.ok(m.svg.includes(`P(E_DS &lt; 0) = ${formatNumber(p0, 2)}`));
  assert.doesNotMatch(m.svg, /<rect class="cell[^>]*><title>[^<]*±/, 'cell tooltips give the interval, not ± sd');
  // Outlined (stabilising) exactly where P(E_DS < 0) = Φ(−mean/0.1) ≥ 0.9, i.e. mean ≤ −0.128 eV; a row's own p_stabilising wins.
  const outlined = [...m.svg.matchAll(/<rect class="cell stabilising[^"]*" data-row="([^"]+)" data-col="([^"]+)" data-value="([^"]+)"/g)].map((x) => Number(x[3]));
  assert.deepEqual(outlined.sort(), rows.filter((r) => probabilityBelow(r.eds_pred, 0.1) >= 0.9).map((r) => r.eds_pred).sort());
  assert.ok(rows.some((r) => r.eds_pred < 0 && probabilityBelow(r.eds_pred, 0.1) < 0.9), 'some negative means are not called stabilising');
  const forced = heatmapsFromPredictions(rows.map((r) => ({ ...r, p_stabilising: r === r0 ? 0.95 : 0 })), { hosts: { NbI: 'Nb', SiI: 'Si' } })[0].svg;
  assert.deepEqual([...forced.matchAll(/<rect class="cell stabilising[^"]*" data-row="([^"]+)" data-col="([^"]+)"/g)].map((x) => `${x[1]}/${x[2]}`), [`${r0.element_a}/${r0.element_b}`]);
  const page = heatmapPage([{ title: 't', svg: m.svg }]);
  assert.match(page, /class="grey-uncertain"/);
  assert.match(page, /input\.grey-uncertain:checked\) rect\.cell\.straddles \{ fill: #d4d4d4; \}/);
  // Without intervals there is no toggle.
  assert.doesNotMatch(heatmapPage([{ title: 't', svg: heatmapsFromPredictions(asPredictions.filter((r) => r.config === 2))[0].svg }]), /class="grey-uncertain"/);
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
  const y2 = [...svg.matchAll(/class="nnh-bar"[^>]*y2="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(y2[1] < y2[0]);
  assert.doesNotMatch(svg, /@import|url\(http|<link/);
  assert.doesNotMatch(svg, /aet-cut/);
});

test('NNH of α and β with the AET cut: the marked shell holds exactly CN neighbours and ends at the AET gap', () => {
  for (const file of [ALPHA, BETA]) {
    const s = readStructure(file);
    const sym = analyzeSymmetry(s);
    const hist = siteHistograms(s, sym, { cutoff: 8 });
    const aet = siteEnvironments(s, sym);
    const panels = hist.map((h) => ({ site: h.site, dmin: h.dmin, histogram: h.histogram, aet: aet.find((e) => e.site === h.site)! }));
    for (const p of panels) {
      const cut = aetCut(p)!;
      const inside = p.histogram.filter((b) => b.d_over_dmin <= cut.last + 1e-12).reduce((n, b) => n + b.count, 0);
      assert.equal(inside, p.aet.cn, `${file} ${p.site}`);
      assert.ok(Math.abs(cut.next - cut.last - p.aet.gap) < 1e-9, `${p.site}: gap ${cut.next - cut.last} vs ${p.aet.gap}`);
      // The farthest shell atom sits at the last marked distance.
      const far = Math.max(...p.aet.shell.map((a) => a.distance));
      assert.ok(Math.abs(far / p.dmin - cut.last) < 2e-3, `${p.site}: ${far / p.dmin} vs ${cut.last}`);
    }
    const svg = nnhSvg(panels);
    assertWellFormed(svg);
    assert.deepEqual(attrs(svg, 'data-cn').map(Number), panels.map((p) => p.aet.cn));
    const beyond = panels.reduce((n, p) => n + p.histogram.filter((b) => b.count > 0 && b.d_over_dmin > aetCut(p)!.last + 1e-9 && b.d_over_dmin <= 3.5).length, 0);
    assert.ok((svg.match(/class="nnh-bar beyond"/g) ?? []).length >= Math.min(1, beyond));
  }
  // α: NbI CN14, NbII CN16, SiI CN9, SiII CN10 (README).
  const a = readStructure(ALPHA);
  assert.deepEqual(siteEnvironments(a, analyzeSymmetry(a)).map((e) => [e.site, e.cn]), [['NbI', 14], ['NbII', 16], ['SiI', 9], ['SiII', 10]]);
});

test('importance: per-feature and summed-over-sites rankings, the same order in figure and text, a key of every code shown', () => {
  const names = featureNames(DEFAULT_CE);
  const block = siteBlockNames(DEFAULT_CE);
  // Deterministic importances; signs disagree between the sites for every third property.
  const rows: ImportanceRow[] = names.map((feature, j) => ({ feature, importance: ((j * 37) % 53) / 1000, sd: 0.002, sign: (j % 3 === 0 ? 1 : -1) as 1 | -1 }));
  const summed = importanceRanking(rows, 'property');
  // The grouping of explain.ts: block j and j + |block| are one property; pair descriptors stay alone.
  const expected = new Map<string, number>();
  names.forEach((n, j) => {
    const k = j < 2 * block.length ? block[j % block.length] : n;
    expected.set(k, (expected.get(k) ?? 0) + rows[j].importance);
  });
  assert.equal(summed.length, expected.size);
  for (const r of summed) assert.ok(Math.abs(r.importance - expected.get(r.feature)!) < 1e-12, r.feature);
  assert.ok(summed.every((r, i) => i === 0 || summed[i - 1].importance >= r.importance));
  assert.ok(Math.abs(summed.find((r) => r.feature === 'D_12')!.sd - 0.002) < 1e-12);
  assert.ok(Math.abs(summed.find((r) => r.feature === 'BM_C')!.sd - 0.002 * Math.SQRT2) < 1e-12);
  for (const view of ['feature', 'property'] as const) {
    const svg = importanceSvg(rows, 'top 10', { view, top: 10 });
    assertWellFormed(svg);
    const bars = attrs(svg, 'data-feature');
    assert.deepEqual(bars, importanceRanking(rows, view).slice(0, 10).map((r) => r.feature));
    assert.deepEqual(importanceText(rows, view, 10).split(', ').map((t) => t.replace(/ \(.*$/, '')), bars);
    // A numeric axis in meV: round ticks from 0 past the longest bar.
    const ticks = [...svg.matchAll(/<text class="tick"[^>]*>([^<]+)<\/text>/g)].map((m) => Number(m[1].replace(MINUS, '-')));
    assert.equal(ticks[0], 0);
    const longest = Math.max(...importanceRanking(rows, view).slice(0, 10).map((r) => (r.importance + r.sd) * 1000));
    assert.ok(ticks.length >= 3 && ticks[ticks.length - 1] >= longest && ticks[ticks.length - 2] < longest, String(ticks));
    // The key spells out the property codes shown, from the element table.
    const codes = new Set(bars.map((b) => /^([A-Z0-9]+)_(?:C|E|dC|dE|H)[12]?$/.exec(b)?.[1]).filter(Boolean));
    assert.ok(codes.size > 0);
    for (const c of codes) assert.match(svg, new RegExp(`>${c}: [a-z]`), `no key for ${c}`);
  }
  assert.ok(featureKey(['BM_C1']).includes('BM: bulk modulus (GPa)'));
  assert.ok(featureKey(['DM2']).some((l) => l.startsWith('DM: mean centre–shell distance')));
  assert.ok(featureKey(['DM2']).some((l) => l.startsWith('suffix 1 / 2')));
  assert.ok(!featureKey(['DM']).some((l) => l.startsWith('suffix')));
});

/** The structure's lattice and sites as the viewer page hands them to its writers. */
const pageCell = (s: Structure) => ({
  title: s.title,
  lattice: s.lattice.parameters,
  matrix: s.lattice.matrix,
  sites: s.sites.map((x) => ({ element: x.element, label: x.label, frac: x.frac })),
});

test('the page’s CIF and POSCAR writers equal cif.ts/poscar.ts byte for byte, and a substituted cell reads back', () => {
  const alpha = readStructure(ALPHA);
  for (const s of [alpha, readStructure(BETA), supercell(alpha, '2x1x1')]) {
    assert.equal(cifText(pageCell(s)), toCif(s));
    assert.equal(poscarText(pageCell(s)), toPoscar(s));
  }
  const cell = pageCell(alpha);
  cell.sites[0] = { ...cell.sites[0], element: 'Ti' };
  const back = parseCif(cifText({ ...cell, title: 'α Ti@NbI' }));
  assert.equal(back.sites.length, 32);
  assert.equal(back.sites[0].element, 'Ti');
  assert.equal(back.sites[0].label, alpha.sites[0].label);
  assert.deepEqual(Object.fromEntries(back.composition()), { Ti: 1, Nb: 19, Si: 12 });
});

test('interactive table: every row embedded, columns typed; prediction rows name a kept host "—"', () => {
  const cols = [{ key: 'x', label: 'x' }, { key: 'e', label: 'E', type: 'number' as const, digits: 2 }];
  const html = interactiveTable(cols, [['a', 1], ['b', -2], ['c', null]], { id: 't1', caption: 'cap <x>' });
  const data = JSON.parse(/<script type="application\/json" class="itable-data">([^]*?)<\/script>/.exec(html)![1]);
  assert.equal(data.rows.length, 3);
  assert.deepEqual(data.columns.map((c: { type: string }) => c.type), ['text', 'number']);
  assert.match(html, /cap &lt;x&gt;/);
  assert.match(html, /<script type="module">/);
  assert.throws(() => interactiveTable(cols, [['a']], { id: 't2' }), /row 0 has 1 values for 2 columns/);
  assert.throws(() => interactiveTable(cols, [], { id: '2bad' }), /must start with a letter/);

  const { asPredictions } = alphaDft();
  const t = predictionTable(asPredictions, { id: 'alpha' });
  const d = JSON.parse(/class="itable-data">([^]*?)<\/script>/.exec(t)![1]);
  assert.equal(d.rows.length, 1612);
  assert.deepEqual(d.columns.map((c: { key: string }) => c.key), ['config', 'x', 'y', 'kind', 'distance', 'eds', 'flags']);
  const singles = d.rows.filter((r: unknown[]) => r[3] === 'single');
  assert.ok(singles.length > 0);
  for (const r of singles) assert.ok((r[1] === '\u2014') !== (r[2] === '\u2014'), JSON.stringify(r));
  assert.ok(d.rows.every((r: unknown[]) => r[3] === 'single' || (r[1] !== '\u2014' && r[2] !== '\u2014')));
  // Interval columns and P(E_DS < 0) appear only when the rows carry them; no ± sd column (uncertainty one way: the 90 % interval).
  const withSd = predictionTable(asPredictions.slice(0, 3).map((r) => ({ ...r, eds_sd: 0.1, eds_lo: r.eds_pred - 0.2, eds_hi: r.eds_pred + 0.2 })), { id: 'sd' });
  const sdData = JSON.parse(/class="itable-data">([^]*?)<\/script>/.exec(withSd)![1]);
  assert.deepEqual(sdData.columns.map((c: { key: string }) => c.key), ['config', 'x', 'y', 'kind', 'distance', 'eds', 'lo', 'hi', 'p', 'flags']);
  assert.deepEqual(sdData.rows.map((r: unknown[]) => r[8]), asPredictions.slice(0, 3).map((r) => probabilityBelow(r.eds_pred, 0.1)));
  // Plain tables escape text and take ready HTML cells (codes with superscripts).
  assert.equal(htmlTable(['site', 'code'], [['<NbI>', { html: codeHtml('8^{5.0}'), text: true }]]), '<table><thead><tr><th>site</th><th>code</th></tr></thead><tbody><tr><td>&lt;NbI&gt;</td><td class="txt">8<sup>5.0</sup></td></tr></tbody></table>');
  // The report shell keeps its signature and carries the figure download script.
  const page = reportHtml('r', '<p>i</p>', [{ id: 's', title: 'S', html: t }]);
  assert.match(page, /window\.cescreenFigures/);
  assert.doesNotMatch(page, /<script[^>]+src=|<link\b/);
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

test('heatmapPage: one self-contained page holding every figure, each with SVG/PNG download', () => {
  const a = heatmapSvg({ title: 'A', xLabel: 'x', yLabel: 'y', rows: ['Ti'], cols: ['V'], values: [[-0.3]], unit: 'eV' });
  const b = nnhSvg([{ site: 'SiI', dmin: 2.5, histogram: [{ d_over_dmin: 1, count: 3 }] }]);
  const html = heatmapPage([{ title: 'E <pred>', svg: a, caption: 'c & d' }, { title: 'NNH', svg: b }]);
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes(a) && html.includes(b));
  assert.ok(html.includes('E &lt;pred&gt;') && html.includes('c &amp; d'));
  assert.equal([...html.matchAll(/<section/g)].length, 2);
  assert.equal((html.match(/<script\b/g) ?? []).length, 1);
  assert.match(html, /window\.cescreenFigures/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link|https?:\/\/(?!www\.w3\.org)/);
  assert.deepEqual(attrs(a, 'data-name'), ['A']);
});

test('element colours: Jmol table and a stable hash fallback', () => {
  assert.equal(elementColor('Nb'), '#73c2c9');
  assert.equal(elementColor('Si'), '#f0c8a0');
  assert.equal(elementColor('Qq'), hashColor('Qq'));
  assert.match(hashColor('Qq'), /^#[0-9a-f]{6}$/);
  assert.notEqual(hashColor('Qq'), hashColor('Qr'));
});

test('viewerHtml: one self-contained file, inlined three.js, data with hull faces, colours and radii for any element', () => {
  const a = 3.3;
  const d: ViewerData = {
    title: 'bcc <Nb>',
    lattice: [[a, 0, 0], [0, a, 0], [0, 0, a]],
    atoms: [{ index: 0, element: 'Nb', label: 'Nb1', cart: [0, 0, 0], radius: 1.47 }],
    environments: [
      {
        atom: 0, label: 'Nb1', wyckoff: '2a', cn: 14, gap: 0.63, code: '4^6 6^8', volume: 2 * a ** 3, ideal: null, dmin: (a * Math.sqrt(3)) / 2,
        histogram: [{ d_over_dmin: 1, count: 8 }, { d_over_dmin: 2 / Math.sqrt(3), count: 6 }],
        shell: [
          ...[-1, 1].flatMap((x) => [-1, 1].flatMap((y) => [-1, 1].map((z) => ({ element: 'Nb', label: 'Nb1', distance: (a * Math.sqrt(3)) / 2, cart: [(x * a) / 2, (y * a) / 2, (z * a) / 2] as [number, number, number] })))),
          ...[0, 1, 2].flatMap((k) => [-a, a].map((s) => ({ element: 'Nb', label: 'Nb1', distance: a, cart: [0, 1, 2].map((j) => (j === k ? s : 0)) as [number, number, number] }))),
        ],
      },
    ],
    elementChoices: ['Nb', 'Ti', 'Xe'],
    notes: 'model predictions </script> not DFT',
  };
  const html = viewerHtml(d);
  assert.ok(html.length > 1_500_000, 'three.js should be inlined');
  // Every "</script" in the file closes one of the 6 script elements we opened (3 three.js texts, data, page module, figure tools).
  assert.equal((html.match(/<script\b/g) ?? []).length, 6);
  assert.equal((html.match(/<\/script/gi) ?? []).length, 6);
  assert.doesNotMatch(html, /<script[^>]+src=|<link\b|import\s*\(\s*['"]https?:/);
  assert.ok(html.includes('bcc &lt;Nb&gt;'));
  assert.match(html, /data-testid="no-energies"/);
  const json = /<script type="application\/json" id="cescreen-data">([^]*?)<\/script>/.exec(html);
  assert.ok(json);
  const page = JSON.parse(json[1]);
  assert.equal(page.notes, d.notes);
  assert.equal(page.environments[0].faces.length, 12);
  assert.equal(page.elementColors.Nb, '#73c2c9');
  assert.equal(page.elementColors.Ti, elementColor('Ti'));
  assert.deepEqual(Object.keys(page.elementRadii).sort(), ['Nb', 'Ti', 'Xe']);
  assert.equal(page.elementRadii.Nb, 1.47); // the cell's own radius
  assert.equal(page.elementRadii.Xe, 1.4); // no metallic, covalent or atomic radius in the table falls back
  assert.deepEqual(page.hosts, { Nb1: 'Nb' });
  assert.equal(page.nnhCharts.length, 1);
  assert.match(page.nnhCharts[0], /class="aet-cut" data-cn="14"/);
  assert.throws(() => viewerHtml({ ...d, environments: [{ ...d.environments[0], atom: 7 }] }), /unknown atom 7/);
});

test('file names from titles: Greek letters spelled out, no leading hyphen, nothing unsafe; titles by formula', () => {
  assert.equal(fileStem('β-Nb5Si3 (I4/mcm) Ti@NbI + B@SiI (pair 3)'), 'beta-Nb5Si3-I4-mcm-Ti-NbI-B-SiI-pair-3');
  assert.equal(fileStem('α-Nb5Si3 — + Ti@SiI'), 'alpha-Nb5Si3-Ti-SiI');
  assert.equal(fileStem('Δ-phase ΣΩ'), 'Delta-phase-SigmaOmega');
  assert.equal(fileStem('— Ni₃Al, café'), 'Ni3Al-cafe');
  assert.equal(fileStem('-.hidden'), 'hidden');
  assert.equal(fileStem('///', 'cell'), 'cell');
  for (const t of ['β', '-β', '…β…', '@β']) assert.match(fileStem(t), /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
  assert.equal(phaseTitle('beta-Nb5Si3', 'Nb5Si3'), 'β-Nb5Si3');
  assert.equal(phaseTitle('1000041', 'ClNa'), 'ClNa (1000041)');
  assert.equal(phaseTitle('', 'Nb'), 'Nb');
  assert.equal(phaseTitle('Nb', 'Nb'), 'Nb');
});

test('default bonds by element pair: d ≤ 1.15 (r_A + r_B) with Slater radii; α-Nb5Si3 gets Nb–Si, the Si–Si dimer and short Nb–Nb', () => {
  const cut = Object.fromEntries(bondCutoffs(['Si', 'Nb', 'Nb']).map((c) => [`${c.a}-${c.b}`, c.cutoff]));
  assert.deepEqual(Object.keys(cut), ['Nb-Nb', 'Nb-Si', 'Si-Si']);
  assert.equal(BOND_TOLERANCE, 1.15);
  assert.ok(Math.abs(cut['Nb-Si'] - 1.15 * (1.45 + 1.1)) < 1e-9 && Math.abs(cut['Si-Si'] - 1.15 * 2.2) < 1e-9 && Math.abs(cut['Nb-Nb'] - 1.15 * 2.9) < 1e-9);
  // α: the 2.4155 Å SiI dimer and the 2.88–3.26 Å Nb–Nb pairs are bonds, the 3.49 and 3.57 Å Nb–Nb pairs and the 2.99 Å NbI–SiII are not.
  const bonded = (d: number, a: string, b: string) => d <= cut[[a, b].sort().join('-')];
  assert.ok(bonded(2.4155, 'Si', 'Si') && bonded(2.8769, 'Nb', 'Nb') && bonded(3.2646, 'Nb', 'Nb') && !bonded(3.4882, 'Nb', 'Nb') && !bonded(2.9889, 'Nb', 'Si'));
  // Every atom gets a bond, and fcc, bcc (8 + 6) and diamond their textbook numbers; α 10.25 per atom (its AET shells: 13.25).
  for (const [file, perAtom] of [[ALPHA, 10.25], ['structures/reference/fcc-Al.cif', 12], ['structures/reference/bcc-Nb.cif', 14], ['structures/reference/diamond-C.cif', 4]] as const) {
    const s = readStructure(file);
    const finder = new NeighborFinder(s, 4.5);
    const cuts = Object.fromEntries(bondCutoffs(s.sites.map((x) => x.element)).map((c) => [`${c.a}-${c.b}`, c.cutoff]));
    const counts = s.sites.map((x, i) => finder.neighbors(i).filter((n) => n.distance <= cuts[[x.element, s.sites[n.index].element].sort().join('-')]).length);
    assert.ok(counts.every((n) => n > 0), file);
    assert.equal(counts.reduce((a, b) => a + b, 0) / counts.length, perAtom, file);
  }
});

test('report, models: every family the results hold on every protocol, held-out sites and elements per model, the literature as a table with r⁻¹ notation', () => {
  const base = JSON.parse(readFileSync('test/fixtures/evaluate-transfer-lso-seed1.json', 'utf8')) as EvaluationResult;
  // A leave-element-out result of a family the report has never heard of must show up like any other.
  const perElement = { Ti: { ...base.test, mae: 0.4321 }, Zr: { ...base.test, mae: 0.3 } };
  const evals: EvaluationResult[] = [
    base,
    { ...base, family: 'gp', protocol: 'leave-element-out', per_site: {}, per_element: { Ti: { ...perElement.Ti, coverage: 0.8, width: 1.5 }, Zr: perElement.Zr } },
    { ...base, family: 'brand-new', protocol: 'leave-element-out', per_site: {}, per_element: perElement },
  ];
  const comparison = {
    protocol: 'paper',
    sites: ['NbI', 'SiI'],
    literature: { source: 'a paper', protocol: 'paper', unit: 'meV', rows: [{ model: 'CEAET-SVR (literature)', features: 'CEAET', family: 'site', per_site: { NbI: 137.9, SiI: 174.9 }, all: 329.4 }] },
    rows: [{ model: 'SVR', features: 'CEAET r^-1/2', family: 'site', per_site: { NbI: 109.7, SiI: null }, all: 84.9 }],
  };
  const html = modelsSection(comparison, evals).html;
  assertWellFormed(`<div>${html}</div>`);
  const tables = html.split('<table>').slice(1);
  assert.equal(tables.length, 4); // all results, per site, per element, literature
  assert.match(tables[0], /<td>brand-new<\/td><td>leave-element-out<\/td>/);
  assert.match(tables[2], /<th>family<\/th><th>Ti<\/th><th>Zr<\/th>/);
  assert.match(tables[2], /<td>gp<\/td><td>432<br\/><small>80 % in 1\.50 eV<\/small><\/td><td>300<\/td>/);
  assert.match(tables[2], /<td>brand-new<\/td><td>432<\/td><td>300<\/td>/);
  assert.match(tables[1], /<th>family<\/th><th>NbI<\/th>/);
  assert.doesNotMatch(html, /<pre>|r\^-1/);
  assert.match(tables[3], /<td class="txt">CEAET r<sup>−½<\/sup><\/td><td>109\.7<\/td><td>—<\/td><td>84\.9<\/td>/);
  assert.equal(notationHtml('CENN(12) r^-1'), 'CENN(12) r<sup>−1</sup>');
  assert.equal(notationHtml('a^2 <b>'), 'a<sup>2</sup> &lt;b&gt;');
});

test('report, k-shot curve: one panel per held-out site and their mean, every point drawn at its MAE, random draws with their 90 % range', () => {
  const shots = JSON.parse(readFileSync('test/fixtures/shots-alpha-gp-seed0.json', 'utf8')) as ShotPoint[];
  const svg = shotsSvg(shots);
  assertWellFormed(svg);
  assert.deepEqual(attrs(svg, 'data-panel'), ['mean over sites', 'NbI held out', 'NbII held out', 'SiI held out', 'SiII held out']);
  const points = [...svg.matchAll(/<circle class="point" data-strategy="(\w+)" data-k="(\d+)" data-mae="([\d.]+)" cx="([\d.]+)" cy="([\d.]+)"/g)];
  assert.equal(points.length, 5 * shots.length);
  for (const s of shots) {
    const mean = points.find((p) => p[1] === s.strategy && Number(p[2]) === s.k)!; // the first panel: the mean
    assert.ok(Math.abs(Number(mean[3]) - s.mae * 1000) < 1e-9);
  }
  // Lower MAE is drawn higher up the panel (SVG y grows downwards), on one axis for all panels.
  const ys = points.map((p) => ({ mae: Number(p[3]), y: Number(p[5]) }));
  for (const a of ys) for (const b of ys) if (a.mae < b.mae - 1e-9) assert.ok(a.y > b.y, `${a.mae} at ${a.y}, ${b.mae} at ${b.y}`);
  // The axis holds every point and range: the highest MAE (SiI, k = 0) sits inside its panel.
  const panelTop = Number(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="[\d.]+" fill="#fbfbfb"/.exec(svg)![1]);
  assert.ok(Math.min(...ys.map((p) => p.y)) > panelTop, 'a point above the panel');
  // A random point with draws > 1 carries mean ± 1.645 sd.
  const r = shots.find((s) => s.strategy === 'random' && s.per_tag.NbI.draws > 1 && s.per_tag.NbI.sd > 0)!;
  const v = r.per_tag.NbI;
  assert.ok(svg.includes(`NbI held out, k = ${r.k}, random: ${formatNumber(v.mae * 1000, 0)} meV, 90 % range [${formatNumber((v.mae - Z90 * v.sd) * 1000, 0)}, ${formatNumber((v.mae + Z90 * v.sd) * 1000, 0)}]`));
  assert.equal((svg.match(/<line class="range"/g) ?? []).length, shots.filter((s) => s.strategy === 'random').reduce((n, s) => n + Object.values(s.per_tag).filter((p) => p.draws > 1 && p.sd > 0).length, 0));
  const section = shotsSection(shots, { name: 'β' }).html;
  assert.ok(section.includes(svg));
  assert.doesNotMatch(section, /<td>[^<]*±/, 'table cells give the 90 % range, not ± sd');
});

test('report, β maps: one per pair of sites in a grid under one colour bar; the 5 configurations not drawn are named with the reason', () => {
  const system = substitutionSystem(BETA, {});
  const pairs = system.enumeration.pairs;
  // Predictions on every β configuration (a smooth made-up function of the elements and the distance).
  const els = ['Nb', 'Si', 'Ti', 'Zr'];
  const rows: PredictionRow[] = pairs.flatMap((p) => els.flatMap((x, i) => els.map((y, j) => ({ config: p.id, site_a: p.siteA, element_a: x, site_b: p.siteB, element_b: y, distance: p.distance, eds_pred: 0.3 * (i - j) - 0.1 * p.distance + 0.2, kind: 'pair' as const, unseen: false }))));
  const maps = heatmapsFromPredictions(rows, { cell: COMPACT_CELL, colorBar: false, swappable: (c) => pairs[c - 1].swappable });
  assert.deepEqual(maps.map((m) => m.config), [1, 2, 3, 4, 5, 7, 10, 13]);
  const note = configsNotDrawn(pairs.map((p) => ({ config: p.id, site_a: p.siteA, site_b: p.siteB, distance: p.distance })), maps.map((m) => m.config));
  assert.equal(
    note,
    '13 site-pair configurations; 8 maps, one for each pair of sites at its shortest distance. Not drawn: ' +
      '#6, #8 NbII–SiII (2.690 Å, 2.921 Å): the same two sites as #3, drawn at its shorter 2.655 Å; ' +
      '#9, #11, #12 NbII–NbII (2.940 Å, 3.305 Å, 3.343 Å): the same two sites as #7, drawn at its shorter 2.888 Å.',
  );
  assert.match(configsNotDrawn([{ config: 1, site_a: 'A', site_b: 'B', distance: 2 }, { config: 2, site_a: 'A', site_b: 'A', distance: 3 }], [1], (c) => c === 1), /Not drawn: #2 A–A: no energies\./);
  const grid = heatmapGrid(maps.map((m) => m.svg), maps[0].scale, { note });
  assertWellFormed(`<div>${grid}</div>`);
  assert.equal((grid.match(/class="colorbar-h"/g) ?? []).length, 1);
  assert.equal((grid.match(/<g class="colorbar"/g) ?? []).length, 0);
  assert.equal((grid.match(/<div class="fig"><svg/g) ?? []).length, 8);
  assert.ok(grid.includes(esc(note)));
});

test('heatmap titles never run out of the figure: long titles wrap, a single long word widens the figure', () => {
  const two = ['Ti', 'Zr'];
  const spec = { xLabel: 'Y', yLabel: 'X', rows: two, cols: two, values: [[0.1, -0.2], [0.3, 0.4]], unit: 'eV' as const, colorBar: false, cell: COMPACT_CELL };
  const long = 'Predicted − DFT #12 NbII–NbII, d = 3.343 Å: MAE 0.123 eV (n = 182)';
  const svg = heatmapSvg({ ...spec, title: long });
  assertWellFormed(svg);
  const width = Number(/viewBox="0 0 ([\d.]+) /.exec(svg)![1]);
  const lines = [...svg.matchAll(/<tspan x="([\d.]+)" dy="[\d.]+">([^]*?)<\/tspan>/g)];
  assert.ok(lines.length >= 3, `${lines.length} lines`);
  for (const [, x, text] of lines) {
    const w = textWidth(text.replace(/<[^>]+>/g, ''), 14, true);
    assert.ok(Number(x) - w / 2 >= 0 && Number(x) + w / 2 <= width, `"${text}" (${w.toFixed(0)} px at ${x}) outside 0…${width}`);
  }
  assert.equal(lines.map((l) => l[2]).join(' '), long);
  // The grid moves down with the extra lines: no cell under the title.
  const firstCellY = Number(/<rect class="cell[^>]* y="([\d.]+)"/.exec(svg)![1]);
  assert.ok(firstCellY >= 36 + 17 * (lines.length - 1));
  const word = heatmapSvg({ ...spec, title: 'Supercalifragilisticexpialidocious-without-spaces-NbII–NbII' });
  assert.ok(Number(/viewBox="0 0 ([\d.]+) /.exec(word)![1]) > width);
});

test('stabilising lists: P(E_DS < 0) ≥ 0.9 from p_stabilising where given, else from the sd, else E_DS < 0', () => {
  const row = (eds_pred: number, more: Partial<PredictionRow> = {}): PredictionRow => ({ config: 1, site_a: 'A', element_a: 'X', site_b: 'B', element_b: 'Y', distance: 3, eds_pred, kind: 'pair', unseen: false, ...more });
  const rows = [row(-0.1, { eds_sd: 0.3 }), row(-0.5, { eds_sd: 0.3 }), row(-0.02), row(0.05, { p_stabilising: 0.95, eds_sd: 0.3 }), row(-0.6, { p_stabilising: 0.5 })];
  assert.deepEqual(stabilisingRows(rows).map((r) => r.eds_pred), [-0.5, -0.02, 0.05]);
  assert.equal(stabilisingProbability(rows[1]), probabilityBelow(-0.5, 0.3));
});

test('the viewer page code is type-checked and inlined without its imports', () => {
  const client = readFileSync('src/figures/viewerPage/client.js', 'utf8');
  assert.equal(client.split('\n')[0], '// @ts-check');
  const tsconfig = JSON.parse(readFileSync('tsconfig.json', 'utf8'));
  assert.equal(tsconfig.compilerOptions.allowJs, true);
  assert.ok(tsconfig.include.includes('src'));
  // Its imports name files inlined before it; the page holds their code and no import statement.
  const page = pageScript('pageScripts/shared.js', '../structure/cellText.js', 'viewerPage/client.js');
  assert.doesNotMatch(page, /^import\s/m);
  assert.match(page, /export function fileStem/);
  assert.throws(() => pageScript('viewerPage/client.js'), /imports what is not inlined before it/);
});

test('campaign curve: every line inside its panel (the axis covers the largest value), the legend inside the figure', () => {
  const curve = (key: string, ys: number[]) => ({ key, label: `suggest --goal ${key} (a long legend label)`, points: ys.map((y, k) => ({ x: 5 * k, y, ...(key === 'random' ? { lo: y - 0.05, hi: y + 0.02 } : {}) })) });
  const panel = { title: 'F1', yLabel: 'F1', guide: 0.9, lines: [curve('stabilising', [0.54, 0.77, 0.95]), curve('variance', [0.54, 0.73, 0.9]), curve('random', [0.54, 0.68, 0.86])] };
  const svg = campaignSvg('t', [panel, { ...panel, title: 'MAE', yLabel: 'meV', guide: undefined, lines: [curve('stabilising', [126, 66, 55])] }], { xLabel: 'n', perRow: 2 });
  assertWellFormed(svg);
  const width = Number(/width="([\d.]+)"/.exec(svg)![1]);
  for (const g of svg.split('<g class="panel"').slice(1)) {
    const [, x0, y0, w, h] = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(g)!.map(Number);
    for (const m of g.matchAll(/class="line"[^>]*points="([^"]+)"/g))
      for (const xy of m[1].split(' ')) {
        const [x, y] = xy.split(',').map(Number);
        assert.ok(x >= x0 - 1e-9 && x <= x0 + w + 1e-9 && y >= y0 - 1e-9 && y <= y0 + h + 1e-9, `point ${xy} outside the panel ${x0},${y0} ${w}×${h}`);
      }
  }
  for (const m of svg.matchAll(/<text x="([\d.]+)"[^>]*font-size="11">(suggest[^<]*)</g)) assert.ok(Number(m[1]) + textWidth(m[2], 11) <= width, `legend "${m[2]}" runs past ${width}`);
});
