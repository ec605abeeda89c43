// The viewer in a real browser: Debian's chromium driven by playwright-core (never a downloaded
// browser). Skips with a message when /usr/bin/chromium is absent; CI installs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { COMPACT_CELL, heatmapGrid, heatmapPage, heatmapSvg } from '../src/figures/heatmap.ts';
import { shotsSection } from '../src/figures/reproduceReport.ts';
import type { PredictionRow } from '../src/predict/table.ts';
import { heatmapsFromPredictions } from '../src/figures/siteHeatmaps.ts';
import { predictionTable, reportHtml } from '../src/figures/report.ts';
import { formatNumber, parseHex, scaleColor } from '../src/figures/svg.ts';
import { probabilityBelow, Z90 } from '../src/util/normal.ts';
import { writeViewer, type ViewerData } from '../src/figures/viewer.ts';
import { buildViewerData } from '../src/figures/viewerData.ts';
import { NeighborFinder } from '../src/environment/neighbors.ts';
import { bondCutoffs } from '../src/figures/bonds.ts';
import { labelColors } from '../src/figures/elementColors.ts';
import type { Structure } from '../src/structure/structure.ts';
import { readStructure } from '../src/structure/io.ts';
import { ALPHA, BETA } from './helpers.ts';
import { alphaDft } from './viewerFixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve('test-output');
type V3 = [number, number, number];

/** Decode an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium screenshots are) into RGBA pixels. */
function decodePng(buf: Buffer): { width: number; height: number; rgba: Uint8Array } {
  assert.equal(buf.readUInt32BE(0), 0x89504e47, 'not a PNG');
  let p = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (p < buf.length) {
    const len = buf.readUInt32BE(p);
    const type = buf.toString('ascii', p + 4, p + 8);
    const data = buf.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth');
      assert.equal(data[12], 0, 'interlace');
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      assert.ok(channels, `colour type ${data[9]}`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? px[y * stride + x - channels] : 0;
      const up = y > 0 ? px[(y - 1) * stride + x] : 0;
      const ul = y > 0 && x >= channels ? px[(y - 1) * stride + x - channels] : 0;
      let pred = 0;
      if (f === 1) pred = left;
      else if (f === 2) pred = up;
      else if (f === 3) pred = (left + up) >> 1;
      else if (f === 4) {
        const q = left + up - ul;
        const pa = Math.abs(q - left);
        const pb = Math.abs(q - up);
        const pc = Math.abs(q - ul);
        pred = pa <= pb && pa <= pc ? left : pb <= pc ? up : ul;
      }
      px[y * stride + x] = (line[x] + pred) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgba[i * 4 + k] = px[i * channels + k];
    rgba[i * 4 + 3] = channels === 4 ? px[i * channels + 3] : 255;
  }
  return { width, height, rgba };
}

const nonBackground = (img: { rgba: Uint8Array }, bg: number[]) => {
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) {
    if (Math.abs(img.rgba[i] - bg[0]) + Math.abs(img.rgba[i + 1] - bg[1]) + Math.abs(img.rgba[i + 2] - bg[2]) > 24) n++;
  }
  return n;
};
const changedPixels = (a: { rgba: Uint8Array }, b: { rgba: Uint8Array }) => {
  let n = 0;
  for (let i = 0; i < a.rgba.length; i += 4) {
    if (Math.abs(a.rgba[i] - b.rgba[i]) + Math.abs(a.rgba[i + 1] - b.rgba[i + 1]) + Math.abs(a.rgba[i + 2] - b.rgba[i + 2]) > 24) n++;
  }
  return n;
};

/**
 * A B2 (CsCl-type) TiNb cell, a = 3.30 Å: Ti at the corner, Nb at the body centre.
 * Each atom's shell is the bcc CN14 rhombic dodecahedron: 8 unlike neighbours at a√3/2, 6 like ones at a.
 */
const A = 3.3;
const ELEMENTS = ['Al', 'Ti', 'V', 'Nb', 'Mo'];
const energy = (config: number, r: number, c: number) => Math.round(((r - c) * 0.11 - 0.2 + config * 0.07 + r * c * 0.013) * 1000) / 1000;

function b2Data(): ViewerData {
  const atoms = [
    { index: 0, element: 'Ti', label: 'TiA', cart: [0, 0, 0] as V3, radius: 1.47 },
    { index: 1, element: 'Nb', label: 'NbB', cart: [A / 2, A / 2, A / 2] as V3, radius: 1.47 },
  ];
  const d1 = (A * Math.sqrt(3)) / 2;
  const environments = atoms.map((at) => {
    const other = atoms[1 - at.index];
    const shell = [];
    for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-1, 1]) {
      shell.push({ element: other.element, label: other.label, distance: d1, cart: [at.cart[0] + (x * A) / 2, at.cart[1] + (y * A) / 2, at.cart[2] + (z * A) / 2] as V3 });
    }
    for (const k of [0, 1, 2]) for (const s of [-A, A]) {
      shell.push({ element: at.element, label: at.label, distance: A, cart: at.cart.map((v, j) => (j === k ? v + s : v)) as V3 });
    }
    return {
      atom: at.index, label: at.label, wyckoff: at.index ? '1b' : '1a', cn: 14, code: '4^6 6^8', volume: 2 * A ** 3,
      ideal: { name: 'rhombic dodecahedron', code: 'RD14', deviation: 0 },
      shell, dmin: d1,
      histogram: [{ d_over_dmin: 1, count: 8 }, { d_over_dmin: 2 / Math.sqrt(3), count: 6 }, { d_over_dmin: Math.sqrt(8 / 3), count: 12 }],
    };
  });
  const pairs = [
    { id: 1, site_a: 'TiA', site_b: 'NbB', atom_a: 0, atom_b: 1, cart_b: [A / 2, A / 2, A / 2] as V3, distance: d1 },
    { id: 2, site_a: 'TiA', site_b: 'TiA', atom_a: 0, atom_b: 0, cart_b: [A, 0, 0] as V3, distance: A },
    { id: 3, site_a: 'NbB', site_b: 'NbB', atom_a: 1, atom_b: 1, cart_b: [A / 2, A / 2, (3 * A) / 2] as V3, distance: A },
  ];
  const predictions = pairs.flatMap((p) =>
    ELEMENTS.flatMap((X, r) => ELEMENTS.map((Y, c) => ({ config: p.id, site_a: p.site_a, element_a: X, site_b: p.site_b, element_b: Y, distance: p.distance, eds_pred: energy(p.id, r, c) }))),
  );
  const heatmaps = pairs.map((p) => ({
    config: p.id,
    title: `#${p.id} ${p.site_a}–${p.site_b}`,
    svg: heatmapSvg({ title: `pair ${p.id}`, xLabel: `Y on ${p.site_b}`, yLabel: `X on ${p.site_a}`, rows: ELEMENTS, cols: ELEMENTS, values: ELEMENTS.map((_, r) => ELEMENTS.map((_, c) => energy(p.id, r, c))), unit: 'eV' }),
  }));
  return { title: 'B2 TiNb test cell', lattice: [[A, 0, 0], [0, A, 0], [0, 0, A]], atoms, environments, pairs, predictions, heatmaps, notes: 'energies are synthetic test values' };
}

const LAUNCH_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

test('viewer page in Chromium: renders, picks an atom, shows its polyhedron, links pairs and heatmaps', { timeout: 60_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found — install Debian's chromium (apt-get install -y chromium) to run the browser test`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-viewer-'));
  mkdirSync(OUT, { recursive: true });
  const file = join(dir, 'viewer.html');
  writeViewer(file, b2Data());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!/^(file|blob|data):/.test(r.url())) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (window as any).cescreenViewer?.ready || (window as any).cescreenViewer?.error, null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as any).cescreenViewer.error), null);
    const canvas = page.locator('canvas[data-testid="viewer-canvas"]');
    const bg: number[] = await page.evaluate(() => (window as any).cescreenViewer.background);

    // 1. The cell is drawn: a good share of the canvas is not background.
    await page.waitForFunction(() => (window as any).cescreenViewer.renderCount > 0);
    const shot0 = await canvas.screenshot({ path: join(OUT, 'viewer-initial.png') });
    const img0 = decodePng(shot0);
    const drawn0 = nonBackground(img0, bg);
    assert.ok(drawn0 > 0.03 * img0.width * img0.height, `only ${drawn0} of ${img0.width * img0.height} pixels drawn`);

    // 2. A real click on the body-centre atom selects it and draws its CN14 polyhedron.
    const at = await page.evaluate(() => (window as any).cescreenViewer.projectAtom(1));
    assert.equal(await page.evaluate(({ x, y }) => (window as any).cescreenViewer.atomAt(x, y), at), 1, 'atom 1 is not the front-most object at its projection');
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction(() => (window as any).cescreenViewer.selectedPolyhedron !== null, null, { timeout: 5000 });
    const poly = await page.evaluate(() => (window as any).cescreenViewer.selectedPolyhedron);
    assert.equal(poly.atom, 1);
    assert.equal(poly.vertices, 14);
    assert.equal(poly.faces.length, 12); // rhombic dodecahedron
    assert.ok(poly.faces.every((f: number[]) => f.length === 4));
    const env = page.getByTestId('env-panel');
    await assert.doesNotReject(env.getByText('rhombic dodecahedron').waitFor({ timeout: 2000 }));
    assert.equal(await page.getByTestId('env-cn').textContent(), '14');
    assert.equal(await env.locator('.nnh .nnh-bar').count(), 3);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const shot1 = await canvas.screenshot({ path: join(OUT, 'viewer-polyhedron.png') });
    const changed = changedPixels(img0, decodePng(shot1));
    assert.ok(changed > 0.02 * img0.width * img0.height, `polyhedron changed only ${changed} pixels`);

    // 3. The substitution panel: choose pair 1 with V on TiA and Mo on NbB through the selects.
    await page.getByTestId('select-config').selectOption('1');
    await page.getByTestId('select-x').selectOption('V');
    await page.getByTestId('select-y').selectOption('Mo');
    const expected = energy(1, ELEMENTS.indexOf('V'), ELEMENTS.indexOf('Mo'));
    const pred = await page.evaluate(() => (window as any).cescreenViewer.lastPrediction);
    assert.deepEqual(pred, { config: 1, X: 'V', Y: 'Mo', eds: expected });
    const text = (await page.getByTestId('prediction').textContent()) ?? '';
    assert.ok(text.includes(`${Math.abs(expected).toFixed(3)} eV`), text);
    assert.ok(text.includes(expected < 0 ? 'stabilising' : 'destabilising'), text);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: join(OUT, 'viewer-pair.png') });

    // 4. A click on a heatmap cell selects that config and X/Y everywhere.
    const cell = page.locator('figure.hm[data-config="3"] rect.cell[data-row="Nb"][data-col="Al"]');
    await cell.click();
    const sel = await page.evaluate(() => (window as any).cescreenViewer.selectedPair);
    assert.deepEqual(sel, { config: 3, X: 'Nb', Y: 'Al', atom_a: 1, atom_b: 1, hostA: 'Nb', hostB: 'Nb', drawn: true });
    // Nb stays on the first NbB site: a single substitution, its unchanged end reads "—".
    assert.equal(await page.getByTestId('subst-text').textContent(), '— + Al@NbB');
    assert.equal((await page.evaluate(() => (window as any).cescreenViewer.lastPrediction)).eds, energy(3, 3, 0));
    assert.equal(await page.getByTestId('select-config').inputValue(), '3');
    assert.equal(await page.getByTestId('select-x').inputValue(), 'Nb');
    assert.equal(await page.getByTestId('select-y').inputValue(), 'Al');
    assert.match((await cell.getAttribute('class')) ?? '', /selected/);
    await page.screenshot({ path: join(OUT, 'viewer-heatmap-click.png') });
    // Pair 2 joins atom 0 to its own image: this cell cannot carry V and Mo there, and the export says so.
    await page.evaluate(() => (window as any).cescreenViewer.selectPair(2, 'V', 'Mo'));
    const refused = await page.evaluate(() => (window as any).cescreenViewer.exportCell('cif'));
    assert.match(refused.error, /joins an atom to its own periodic image: this cell cannot hold V and Mo/);
    assert.match((await page.locator('#export-note').textContent()) ?? '', /use a supercell/);
    await page.evaluate(() => (window as any).cescreenViewer.selectPair(3, 'Nb', 'Al'));

    // 5. Colour by site label: legend switches to the labels and the atoms change colour.
    await page.evaluate(() => window.scrollTo(0, 0));
    const before = decodePng(await canvas.screenshot());
    await page.getByTestId('color-by-label').check();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await page.evaluate(() => (window as any).cescreenViewer.colorMode), 'label');
    // Site labels, and the substituent Al of the selected pair (drawn in its element colour).
    assert.deepEqual((await page.getByTestId('legend').textContent())?.trim(), 'TiANbBAl (substituent)');
    assert.ok(changedPixels(before, decodePng(await canvas.screenshot({ path: join(OUT, 'viewer-by-label.png') }))) > 500);

    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'the page must not touch the network');
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('α-Nb5Si3 from the real analysis in Chromium: a click draws the atom’s AET polyhedron; a mirrored heatmap cell finds its prediction', { timeout: 60_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found — install Debian's chromium (apt-get install -y chromium) to run the browser test`);
    return;
  }
  const structure = readStructure('structures/alpha-Nb5Si3/structure.cif');
  // Config 1 is the SiI–SiI dimer (2.4155 Å, swappable): only B@a,Ti@b is written, as predict does.
  // With predictive distributions: P(E_DS < 0) = Φ(−mean/sd) decides "stabilising" (≥ 0.9), not the sign of the mean.
  const dist = (mean: number, sd: number) => ({ eds_pred: mean, eds_sd: sd, eds_lo: mean - Z90 * sd, eds_hi: mean + Z90 * sd, p_stabilising: probabilityBelow(mean, sd) });
  const rows: PredictionRow[] = [
    { config: 1, site_a: 'SiI', element_a: 'B', site_b: 'SiI', element_b: 'Ti', distance: 2.4155, eds_pred: 1.234, kind: 'pair', unseen: false },
    { config: 1, site_a: 'SiI', element_a: 'B', site_b: 'SiI', element_b: 'Si', distance: 2.4155, kind: 'single', unseen: false, ...dist(-0.31, 0.4) },
    { config: 1, site_a: 'SiI', element_a: 'Zr', site_b: 'SiI', element_b: 'Si', distance: 2.4155, kind: 'single', unseen: false, ...dist(-0.6, 0.3) },
  ];
  const heatmaps = heatmapsFromPredictions(rows).map((h) => ({ config: h.config, title: h.title, svg: h.svg }));
  const data = buildViewerData(structure, { title: 'α-Nb5Si3 (I4/mcm)', predictions: rows, heatmaps, notes: 'synthetic energies' });
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-viewer-'));
  mkdirSync(OUT, { recursive: true });
  const file = join(dir, 'alpha.html');
  writeViewer(file, data);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (window as any).cescreenViewer?.ready || (window as any).cescreenViewer?.error, null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as any).cescreenViewer.error), null);
    const canvas = page.locator('canvas[data-testid="viewer-canvas"]');
    const bg: number[] = await page.evaluate(() => (window as any).cescreenViewer.background);
    const img0 = decodePng(await canvas.screenshot({ path: join(OUT, 'viewer-alpha.png') }));
    assert.ok(nonBackground(img0, bg) > 0.05 * img0.width * img0.height, 'the 32-atom cell should fill a good part of the view');

    // The first NbII atom that is front-most at its own projection: click it for real.
    const candidates = data.environments.filter((e) => e.label === 'NbII').map((e) => e.atom);
    const target = await page.evaluate((ids) => {
      const v = (window as any).cescreenViewer;
      for (const i of ids) {
        const p = v.projectAtom(i);
        if (v.atomAt(p.x, p.y) === i) return { i, x: p.x, y: p.y };
      }
      return null;
    }, candidates);
    assert.ok(target, 'no NbII atom is visible');
    await page.mouse.click(target.x, target.y);
    await page.waitForFunction(() => (window as any).cescreenViewer.selectedPolyhedron !== null, null, { timeout: 5000 });
    const poly = await page.evaluate(() => (window as any).cescreenViewer.selectedPolyhedron);
    const env = data.environments[target.i];
    assert.equal(poly.atom, target.i);
    assert.equal(poly.vertices, 16);
    assert.deepEqual(poly.faces, env.faces);
    assert.equal(await page.getByTestId('env-cn').textContent(), '16');
    await assert.doesNotReject(page.getByTestId('env-panel').getByText('Frank-Kasper CN16').waitFor({ timeout: 2000 }));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const img1 = decodePng(await canvas.screenshot({ path: join(OUT, 'viewer-alpha-polyhedron.png') }));
    assert.ok(changedPixels(img0, img1) > 0.02 * img0.width * img0.height, 'the polyhedron should change the picture');

    // Ti@a,B@b is the mirror of the written B@a,Ti@b of a swappable pair: same energy.
    await page.locator('figure.hm[data-config="1"] rect.cell[data-row="Ti"][data-col="B"]').click();
    assert.deepEqual(await page.evaluate(() => (window as any).cescreenViewer.lastPrediction), { config: 1, X: 'Ti', Y: 'B', eds: 1.234 });
    // The info line: the 90 % interval [lo, hi], and "stabilising" only where P(E_DS < 0) ≥ 0.9.
    await page.locator('figure.hm[data-config="1"] rect.cell[data-row="B"][data-col="Si"]').click();
    assert.equal(await page.getByTestId('eds-interval').textContent(), `[${formatNumber(-0.31 - Z90 * 0.4, 2)}, ${formatNumber(-0.31 + Z90 * 0.4, 2)}] eV, 90 % interval`);
    assert.equal(await page.getByTestId('verdict').textContent().then((v) => v?.split(' · ')[0]), `sign not settled (P(E_DS < 0) = ${formatNumber(probabilityBelow(-0.31, 0.4), 2)})`);
    assert.doesNotMatch((await page.getByTestId('prediction').getAttribute('class')) ?? '', /neg/);
    await page.locator('figure.hm[data-config="1"] rect.cell[data-row="Zr"][data-col="Si"]').click();
    assert.equal(await page.getByTestId('verdict').textContent().then((v) => v?.split(' · ')[0]), `stabilising (P(E_DS < 0) = ${formatNumber(probabilityBelow(-0.6, 0.3), 2)})`);
    assert.match((await page.getByTestId('prediction').getAttribute('class')) ?? '', /neg/);
    assert.doesNotMatch((await page.getByTestId('prediction').textContent()) ?? '', /±/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Open a page in Debian's Chromium; collects page errors and any request that leaves the machine. */
async function openPage(t: { skip: (m: string) => void }, file: string, width = 1300, height = 850) {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found — install Debian's chromium (apt-get install -y chromium) to run the browser test`);
    return undefined;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  const page = await browser.newPage({ viewport: { width, height }, acceptDownloads: true });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!/^(file|blob|data):/.test(r.url())) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  return { browser, page, errors, requests };
}

async function openViewer(t: { skip: (m: string) => void }, file: string) {
  const o = await openPage(t, file);
  if (!o) return undefined;
  await o.page.waitForFunction(() => (window as any).cescreenViewer?.ready || (window as any).cescreenViewer?.error, null, { timeout: 30_000 });
  assert.equal(await o.page.evaluate(() => (window as any).cescreenViewer.error), null);
  return o;
}

const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const viewer = (page: Page, expr: string) => page.evaluate(expr);

/** Click a button that triggers a download; returns the saved file's path in test-output/. */
async function download(page: Page, click: () => Promise<void>, saveAs?: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), click()]);
  const path = join(OUT, saveAs ?? d.suggestedFilename());
  await d.saveAs(path);
  return path;
}

test('α-Nb5Si3 without predictions: any element in the lists, a substituted pair drawn and labelled, bonds, views, PNG/CIF/POSCAR downloads', { timeout: 120_000 }, async (t) => {
  const structure = readStructure(ALPHA);
  const data = buildViewerData(structure, { title: 'α-Nb5Si3 (no predictions)' });
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-viewer-'));
  mkdirSync(OUT, { recursive: true });
  const file = join(dir, 'alpha-bare.html');
  writeViewer(file, data);
  const o = await openViewer(t, file);
  if (!o) return;
  const { browser, page, errors, requests } = o;
  try {
    const canvas = page.locator('canvas[data-testid="viewer-canvas"]');
    // Filled lists: a placeholder and every element up to Pu; nothing chosen on load, and the box says so.
    assert.equal(await page.getByTestId('select-x').locator('option').count(), 95);
    assert.equal(await page.getByTestId('select-y').locator('option').count(), 95);
    assert.equal(await page.getByTestId('select-x').inputValue(), '');
    assert.match((await page.getByTestId('prediction').textContent()) ?? '', /Choose a pair and the elements X and Y/);
    assert.match((await page.getByTestId('heatmaps').textContent()) ?? '', /No energies given/);
    await page.screenshot({ path: join(OUT, 'viewer-alpha-bare.png') });

    // A polyhedron first; picking a pair replaces it (no stale polyhedron or tooltip).
    await viewer(page, 'cescreenViewer.selectAtom(5)');
    const before = decodePng(await canvas.screenshot());
    await page.getByTestId('select-config').selectOption('1');
    await page.getByTestId('select-x').selectOption('B');
    await page.getByTestId('select-y').selectOption('Ti');
    await frames(page);
    assert.equal(await viewer(page, 'cescreenViewer.selectedPolyhedron'), null);
    assert.equal(await page.getByTestId('tooltip').isVisible(), false);
    const sel: any = await viewer(page, 'cescreenViewer.selectedPair');
    const pair = data.pairs![0];
    assert.deepEqual([sel.config, sel.X, sel.Y, sel.atom_a, sel.atom_b, sel.drawn], [1, 'B', 'Ti', pair.atom_a, pair.atom_b, true]);
    assert.equal(await page.getByTestId('subst-text').textContent(), 'B@SiI + Ti@SiI');
    assert.match((await page.getByTestId('prediction').textContent()) ?? '', /No energies were given/);
    // Labels follow the atoms: both substituents and the distance are on screen, the legend lists B and Ti.
    const labels = await page.getByTestId('labels').locator('.lab').allTextContents();
    for (const l of ['B@SiI', 'Ti@SiI', '2.42 Å']) assert.ok(labels.includes(l), `${l} not in ${labels}`);
    assert.deepEqual(await viewer(page, 'cescreenViewer.legend'), ['Nb', 'Si', 'B', 'Ti']);
    const after = decodePng(await canvas.screenshot({ path: join(OUT, 'viewer-alpha-bare-pair.png') }));
    assert.ok(changedPixels(before, after) > 0.01 * after.width * after.height, 'the pair should change the picture');
    await page.screenshot({ path: join(OUT, 'viewer-alpha-bare-pair-page.png') });
    // Labels stay on their atoms while rotating: after a drag the B label still sits just above B's projection.
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    await frames(page);
    const bAt: any = await page.evaluate((i) => (window as any).cescreenViewer.projectAtom(i), pair.atom_a);
    const bLabel = (await page.locator('#labels .lab', { hasText: 'B@SiI' }).boundingBox())!;
    // The label is beside the atom's projection (within a few sphere radii), whichever side was free.
    assert.ok(Math.hypot(bLabel.x + bLabel.width / 2 - bAt.x, bLabel.y + bLabel.height / 2 - bAt.y) < 60, JSON.stringify({ bLabel, bAt }));

    // Downloads: the displayed cell with the substitution, read back by our own reader.
    const cifPath = await download(page, () => page.getByTestId('export-cif').click(), 'alpha-B-Ti.cif');
    const cif = readStructure(cifPath);
    assert.deepEqual(Object.fromEntries(cif.composition()), { Nb: 20, Si: 10, B: 1, Ti: 1 });
    assert.equal(cif.sites[pair.atom_a].element, 'B');
    assert.equal(cif.sites[pair.atom_b].element, 'Ti');
    assert.equal(cif.sites[pair.atom_a].label, 'SiI');
    cif.sites.forEach((x, i) => assert.ok(Math.hypot(...x.frac.map((f, k) => f - structure.sites[i].frac[k])) < 1e-9));
    assert.ok(Math.abs(cif.lattice.volume - structure.lattice.volume) < 1e-6);
    const poscarPath = await download(page, () => page.getByTestId('export-poscar').click(), 'alpha-B-Ti.vasp');
    const poscar = readStructure(poscarPath);
    assert.deepEqual(Object.fromEntries(poscar.composition()), { Nb: 20, Si: 10, B: 1, Ti: 1 });
    const pngPath = await download(page, () => page.getByTestId('snapshot').click(), 'viewer-alpha-snapshot.png');
    const png = decodePng(readFileSync(pngPath));
    assert.equal(png.width, Math.round(box.width * 2));
    assert.equal(png.height, Math.round(box.height * 2));
    assert.ok(nonBackground(png, [255, 255, 255]) > 0.03 * png.width * png.height);

    // A single substitution: the host end reads "—" (not "Si@SiI").
    await page.getByTestId('select-x').selectOption('Si');
    assert.equal(await page.getByTestId('subst-text').textContent(), '— + Ti@SiI');

    // View along c, orthographic: the camera looks down c with b up.
    await page.locator('#tools button[data-view="c"]').click();
    await page.getByTestId('ortho').check();
    await frames(page);
    const cam: any = await viewer(page, 'cescreenViewer.cameraDirection()');
    const c = structure.lattice.matrix[2];
    const cn = Math.hypot(...c);
    assert.ok(Math.abs(cam.dir[0] * c[0] + cam.dir[1] * c[1] + cam.dir[2] * c[2] - cn) < 1e-9 * cn, JSON.stringify(cam));
    assert.equal(cam.ortho, true);
    await canvas.screenshot({ path: join(OUT, 'viewer-alpha-along-c-ortho.png') });
    await page.locator('#tools button[data-view="c*"]').click();
    assert.equal(await viewer(page, 'cescreenViewer.view'), 'c*');

    // Periodic images and bonds, counted against the structure itself.
    const images = drawnPositions(structure).length;
    assert.equal(await viewer(page, 'cescreenViewer.drawnAtoms'), images);
    assert.equal(await viewer(page, 'cescreenViewer.setImages(false)'), 32);
    assert.equal(await viewer(page, 'cescreenViewer.setImages(true)'), images);
    // Bonds between drawn atoms (half-bonds counted): to the AET shell, and within 3.0 Å.
    const drawn = drawnPositions(structure);
    const isDrawn = (p: readonly number[]) => drawn.some((q) => dist3(q.p, p) < 1e-3);
    const aetBonds = drawn.reduce((n, d) => n + data.environments[d.atom].shell.filter((x) => isDrawn(x.cart.map((v, k) => v - structure.cartesian(d.atom)[k] + d.p[k]))).length, 0);
    assert.equal(await viewer(page, 'cescreenViewer.setBonds(true, "aet")'), aetBonds);
    const finder = new NeighborFinder(structure, 3.0);
    const cutBonds = drawn.reduce((n, d) => n + finder.neighbors(d.atom).filter((x) => isDrawn(x.vector.map((v, k) => v + d.p[k]))).length, 0);
    assert.ok(cutBonds > 200 && cutBonds < aetBonds, `${cutBonds} / ${aetBonds}`);
    assert.equal(await viewer(page, 'cescreenViewer.setBonds(true, "cutoff", 3.0)'), cutBonds);
    await page.getByTestId('ortho').uncheck();
    await viewer(page, 'cescreenViewer.clearSelection(), cescreenViewer.resetView()');
    await page.getByTestId('atom-size').fill('0.3');
    await frames(page);
    assert.equal((await viewer(page, 'cescreenViewer.state') as any).atomScale, 0.3);
    await canvas.screenshot({ path: join(OUT, 'viewer-alpha-bonds.png') });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'the page must not touch the network');
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every atom as the page draws it: the cell's atoms and their images on faces, edges and corners (|f| or |f − 1| < 1e-3), Cartesian Å. */
function drawnPositions(s: Structure): { atom: number; p: V3 }[] {
  const out: { atom: number; p: V3 }[] = [];
  s.sites.forEach((x, i) => {
    let shifts: V3[] = [[0, 0, 0]];
    for (let k = 0; k < 3; k++) {
      const d = Math.abs(x.frac[k]) < 1e-3 ? 1 : Math.abs(x.frac[k] - 1) < 1e-3 ? -1 : 0;
      if (d) shifts = [...shifts, ...shifts.map((t) => t.map((v, j) => (j === k ? d : v)) as V3)];
    }
    for (const t of shifts) out.push({ atom: i, p: s.lattice.toCartesian(x.frac.map((f, k) => f + t[k]) as V3) as V3 });
  });
  return out;
}
const dist3 = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

test('β-Nb5Si3 viewer tools: element-pair bonds by default, a colour per site, atom labels, distance and angle by clicks, refit after a view change, safe export names', { timeout: 90_000 }, async (t) => {
  const structure = readStructure(BETA);
  const data = buildViewerData(structure, { title: 'β-Nb5Si3 (I4/mcm)' });
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-viewer-'));
  mkdirSync(OUT, { recursive: true });
  const file = join(dir, 'beta-tools.html');
  writeViewer(file, data);
  const o = await openViewer(t, file);
  if (!o) return;
  const { browser, page, errors, requests } = o;
  try {
    // 1. Bonds are on, by element pair (bonds.ts), between drawn atoms only: the count a Node search gives.
    const st: any = await viewer(page, 'cescreenViewer.state');
    assert.deepEqual([st.bonds, st.bondMode], [true, 'pairs']);
    const cut = new Map(bondCutoffs(structure.sites.map((x) => x.element)).map((c) => [[c.a, c.b].join(' '), c.cutoff]));
    const drawn = drawnPositions(structure);
    const finder = new NeighborFinder(structure, Math.max(...cut.values()));
    let halves = 0;
    for (const d of drawn) {
      for (const n of finder.neighbors(d.atom)) {
        if (n.distance > cut.get([structure.sites[d.atom].element, structure.sites[n.index].element].sort().join(' '))!) continue;
        const end = d.p.map((v, k) => v + n.vector[k]);
        if (drawn.some((q) => dist3(q.p, end) < 1e-3)) halves++;
      }
    }
    assert.ok(halves > 100, `only ${halves} half-bonds`);
    assert.equal(await viewer(page, 'cescreenViewer.bonds'), halves);
    assert.match((await page.getByTestId('bond-mode').getAttribute('title')) ?? '', /Nb–Si ≤ 2\.93 Å/);
    await page.screenshot({ path: join(OUT, 'viewer-beta-default.png') });

    // 2. Colour by site: four sites, four colours (β's NbI and SiI were both blue).
    await page.getByTestId('color-by-label').check();
    await frames(page);
    const swatches = await page.$$eval('#legend .sw', (els) => els.map((e) => getComputedStyle(e).backgroundColor));
    assert.deepEqual(swatches, structure.labels().map((l) => `rgb(${parseHex(labelColors(structure.labels())[l]).join(', ')})`));
    assert.equal(new Set(swatches).size, 4);
    await page.getByTestId('color-by-label').uncheck();

    // 3. Atom labels: element and site label of drawn atoms, kept apart.
    await page.getByTestId('atom-labels').check();
    await frames(page);
    const atomLabels = await page.locator('#labels .lab.atom').allTextContents();
    const sites = new Map(structure.sites.map((x) => [x.label, x.element]));
    assert.ok(atomLabels.length >= 12, `${atomLabels.length} atom labels`);
    for (const l of atomLabels) {
      const [el, site] = l.split(' ');
      assert.equal(sites.get(site), el, l);
    }
    await page.screenshot({ path: join(OUT, 'viewer-beta-labels.png') });
    await page.getByTestId('atom-labels').uncheck();

    // 4. Distance and angle by real clicks on three atoms, against Node's positions of the spheres drawn.
    const front: any[] = await page.evaluate((n) => {
      const v = (window as any).cescreenViewer;
      const out = [];
      for (let i = 0; i < n && out.length < 3; i++) {
        const p = v.projectAtom(i);
        if (v.atomAt(p.x, p.y) === i) out.push({ i, x: p.x, y: p.y });
      }
      return out;
    }, structure.sites.length);
    assert.equal(front.length, 3);
    await page.getByTestId('measure').check();
    for (const f of front) await page.mouse.click(f.x, f.y);
    await frames(page);
    const m: any = await viewer(page, 'cescreenViewer.measure');
    const cart = front.map((f) => structure.cartesian(f.i));
    assert.deepEqual(m.picks.map((p: any) => p.atom), front.map((f) => f.i));
    assert.ok(Math.abs(m.distances[0] - dist3(cart[0], cart[1])) < 1e-9 && Math.abs(m.distances[1] - dist3(cart[1], cart[2])) < 1e-9, JSON.stringify(m));
    const u = cart[0].map((v, k) => v - cart[1][k]);
    const w = cart[2].map((v, k) => v - cart[1][k]);
    const angle = (Math.acos((u[0] * w[0] + u[1] * w[1] + u[2] * w[2]) / (Math.hypot(...u) * Math.hypot(...w))) * 180) / Math.PI;
    assert.ok(Math.abs(m.angle - angle) < 1e-6, `${m.angle} vs ${angle}`);
    const out = (await page.getByTestId('measure-out').textContent()) ?? '';
    assert.ok(out.includes(`${m.distances[0].toFixed(3)} Å`) && out.includes(`${angle.toFixed(1)}°`), out);
    const shown = await page.locator('#labels .lab.measure').allTextContents();
    assert.ok(shown.includes(`${angle.toFixed(1)}°`), String(shown));
    await page.screenshot({ path: join(OUT, 'viewer-beta-measure.png') });
    await page.keyboard.press('Escape');
    assert.deepEqual(((await viewer(page, 'cescreenViewer.measure')) as any).picks, []);

    // 5. A polyhedron reaching beyond the cell stays in view after "view along c": the camera refits.
    const nbI = data.environments.find((e) => e.label === 'NbI')!;
    const shell = nbI.shell.map((x) => x.cart);
    const outside = shell.filter((p) => structure.lattice.toFractional(p as V3).some((f) => f < -0.05 || f > 1.05));
    assert.ok(outside.length >= 4, 'NbI on a cell face: its polyhedron reaches out of the cell');
    await page.getByTestId('measure').uncheck();
    await viewer(page, `cescreenViewer.selectAtom(${nbI.atom})`);
    for (const axis of ['c', 'a', 'b']) {
      await page.locator(`#tools button[data-view="${axis}"]`).click();
      await frames(page);
      const area: any = await viewer(page, 'cescreenViewer.freeArea()');
      for (const p of shell) {
        const q: any = await page.evaluate((x) => (window as any).cescreenViewer.project(x), p);
        assert.ok(q.x > area.left && q.x < area.right && q.y > area.top && q.y < area.bottom, `along ${axis}: shell atom at ${p.map((v) => v.toFixed(2))} projects to (${q.x.toFixed(0)}, ${q.y.toFixed(0)}) outside ${JSON.stringify(area)}`);
      }
    }
    // With a polyhedron shown, the labels name its atoms: the centre and its AET shell.
    await viewer(page, 'cescreenViewer.setAtomLabels(true)');
    await frames(page);
    const polyLabels = await page.locator('#labels .lab.atom').allTextContents();
    const allowed = new Set([`Nb NbI`, ...nbI.shell.map((x) => `${x.element} ${x.label}`)]);
    assert.ok(polyLabels.length >= 5 && polyLabels.length <= nbI.cn + 1 && polyLabels.every((l) => allowed.has(l)), String(polyLabels));
    await page.locator('canvas[data-testid="viewer-canvas"]').screenshot({ path: join(OUT, 'viewer-beta-polyhedron-along-b.png') });
    await viewer(page, 'cescreenViewer.setAtomLabels(false)');
    // The distance of a shell atom drawn outside the cell is the AET distance: measure centre → that image.
    await page.getByTestId('measure').check();
    const far = nbI.shell.findIndex((x) => structure.lattice.toFractional(x.cart as V3).some((f) => f < -0.05 || f > 1.05));
    const centre: any = await viewer(page, `cescreenViewer.projectAtom(${nbI.atom})`);
    const farAt: any = await page.evaluate((x) => (window as any).cescreenViewer.project(x), nbI.shell[far].cart);
    await viewer(page, `cescreenViewer.measureAt(${centre.x}, ${centre.y})`);
    const m2: any = await viewer(page, `cescreenViewer.measureAt(${farAt.x}, ${farAt.y})`);
    assert.ok(m2 && Math.abs(m2.distances[0] - nbI.shell[far].distance) < 1e-9, JSON.stringify(m2));

    // 6. Downloads are named from the title with β spelled out, never with a leading hyphen.
    await page.getByTestId('measure').uncheck();
    await page.getByTestId('select-config').selectOption('3');
    await page.getByTestId('select-x').selectOption('Ti');
    await page.getByTestId('select-y').selectOption('B');
    const exported: any = await viewer(page, 'cescreenViewer.exportCell("cif")');
    assert.equal(exported.name, 'beta-Nb5Si3-I4-mcm-Ti-NbII-B-SiII-pair-3.cif');
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'the page must not touch the network');
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('β-Nb5Si3 and a 2×2×2 α supercell without predictions: filled lists, a pair drawn, the exported cell reads back', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-viewer-'));
  mkdirSync(OUT, { recursive: true });
  const cases = [
    { name: 'beta', structure: readStructure(BETA), supercell: undefined, config: 3, X: 'Ti', Y: 'B' },
    { name: 'alpha-222', structure: readStructure(ALPHA), supercell: '2x2x2', config: 8, X: 'Zr', Y: 'Hf' },
  ];
  try {
    for (const c of cases) {
      const data = buildViewerData(c.structure, { title: `${c.name}`, supercell: c.supercell });
      const file = join(dir, `${c.name}.html`);
      writeViewer(file, data);
      const o = await openViewer(t, file);
      if (!o) return;
      try {
        const { page, errors } = o;
        assert.equal(await page.getByTestId('select-y').locator('option').count(), 95);
        await page.getByTestId('select-config').selectOption(String(c.config));
        await page.getByTestId('select-x').selectOption(c.X);
        await page.getByTestId('select-y').selectOption(c.Y);
        await frames(page);
        const pair = data.pairs!.find((p) => p.id === c.config)!;
        const labels = await page.getByTestId('labels').locator('.lab').allTextContents();
        assert.ok(labels.includes(`${c.X}@${pair.site_a}`) && labels.includes(`${c.Y}@${pair.site_b}`), String(labels));
        await page.screenshot({ path: join(OUT, `viewer-${c.name}-pair.png`) });
        const back = readStructure(await download(page, () => page.getByTestId('export-cif').click(), `${c.name}-${c.X}-${c.Y}.cif`));
        assert.equal(back.sites.length, data.atoms.length);
        assert.equal(back.sites[pair.atom_a].element, c.X);
        assert.equal(back.sites[pair.atom_b].element, c.Y);
        assert.equal(back.sites.filter((x) => x.element === c.X).length, 1);
        assert.deepEqual(errors, []);
      } finally {
        await o.browser.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('α with DFT reference energies: heatmap cells give the DFT value; the page’s maps share one scale', { timeout: 90_000 }, async (t) => {
  const { reference } = alphaDft();
  const data = buildViewerData(readStructure(ALPHA), { title: 'α-Nb5Si3 with DFT', reference });
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-viewer-'));
  mkdirSync(OUT, { recursive: true });
  const file = join(dir, 'alpha-dft.html');
  writeViewer(file, data);
  const o = await openViewer(t, file);
  if (!o) return;
  const { browser, page, errors } = o;
  try {
    const want = reference.find((r) => r.config === 2 && r.element_a === 'Ti' && r.element_b === 'B')!;
    await page.locator('figure.hm[data-config="2"] rect.cell[data-row="Ti"][data-col="B"]').click();
    assert.deepEqual(await viewer(page, 'cescreenViewer.lastReference'), { config: 2, X: 'Ti', Y: 'B', eds: want.eds });
    assert.equal(await viewer(page, 'cescreenViewer.lastPrediction'), null);
    const text = (await page.getByTestId('prediction').textContent()) ?? '';
    assert.match(text, /DFT/);
    assert.ok(text.includes(`${Math.abs(want.eds).toFixed(3)} eV`), text);
    // One shared bar above the maps and none inside them.
    assert.equal(await page.locator('.shared-bar svg').count(), 1);
    assert.equal(await page.locator('figure.hm g.colorbar').count(), 0);
    await page.screenshot({ path: join(OUT, 'viewer-alpha-dft.png') });
    await page.locator('#heatmaps').screenshot({ path: join(OUT, 'viewer-alpha-dft-heatmaps.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('heatmap page in Chromium: one scale for all maps, readable cells in a 1200 px column, grey-uncertain toggle, SVG/PNG downloads', { timeout: 90_000 }, async (t) => {
  const { asPredictions, reference } = alphaDft();
  // The α DFT energies as "predictions" with a synthetic ±0.1 eV sd, against themselves shifted: a real-size page.
  const rows = asPredictions.map((r) => ({ ...r, eds_sd: 0.1, eds_lo: r.eds_pred - 0.1645, eds_hi: r.eds_pred + 0.1645 }));
  const dft = reference.map((r) => ({ ...r, eds: r.eds + 0.05 * Math.sin(r.config * 7 + r.element_a.length) }));
  const maps = heatmapsFromPredictions(rows, { dft });
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-heatmaps-'));
  mkdirSync(OUT, { recursive: true });
  const file = join(dir, 'index.html');
  writeFileSync(file, heatmapPage(maps.map((m) => ({ title: m.title, svg: m.svg })), 'α: predicted vs DFT'));
  const o = await openPage(t, file, 1200, 900);
  if (!o) return;
  const { browser, page, errors, requests } = o;
  try {
    // Every predicted/DFT colour bar says the same limit; cells are coloured by that one scale.
    const limits = await page.$$eval('g.colorbar[data-kind="asinh"]', (gs) => gs.map((g) => g.getAttribute('data-limit')));
    assert.equal(limits.length, maps.length);
    assert.deepEqual([...new Set(limits)], [String(maps[0].scale.limit)]);
    const sample = await page.$$eval('g.panel[data-panel="dft"] rect.cell:not(.null)', (rs) => rs.filter((_, i) => i % 37 === 0).map((r) => [Number(r.getAttribute('data-value')), getComputedStyle(r).fill]));
    assert.ok(sample.length > 20);
    for (const [v, fill] of sample as [number, string][]) assert.equal(fill, `rgb(${parseHex(scaleColor(maps[0].scale, v)).join(', ')})`);
    // The figures fit the column and the printed values stay ≥ 9 px on screen.
    const fit = await page.$$eval('.fig > svg', (svgs) => (svgs as unknown as SVGSVGElement[]).map((s) => ({ shown: s.getBoundingClientRect().width, own: s.viewBox.baseVal.width, box: s.parentElement!.clientWidth })));
    for (const f of fit) assert.ok(f.shown <= f.box + 0.5 && f.shown >= 0.98 * f.own, JSON.stringify(f));
    const font = await page.$eval('g.panel[data-panel="predicted"] text.value', (el) => {
      const svg = (el as SVGTextElement).ownerSVGElement!;
      return parseFloat(getComputedStyle(el).fontSize) * (svg.getBoundingClientRect().width / svg.viewBox.baseVal.width);
    });
    assert.ok(font >= 9, `cell values at ${font} px`);
    await page.screenshot({ path: join(OUT, 'heatmap-page-alpha.png') });
    // Grey out cells whose interval includes 0: exactly those change, to grey.
    const straddling = rows.filter((r) => r.eds_lo < 0 && r.eds_hi > 0).length;
    assert.ok(straddling > 0);
    await page.getByTestId('grey-uncertain').check();
    const greyed = await page.$$eval('rect.cell', (rs) => rs.filter((r) => getComputedStyle(r).fill === 'rgb(212, 212, 212)').map((r) => r.classList.contains('straddles')));
    assert.ok(greyed.length > 0 && greyed.every(Boolean));
    assert.equal(greyed.length, await page.locator('rect.cell.straddles').count());
    await page.screenshot({ path: join(OUT, 'heatmap-page-alpha-greyed.png') });
    // Downloads of the first figure: the SVG keeps the greyed cells, the PNG is twice its size.
    const svgPath = await download(page, () => page.locator('section:has(rect.cell.straddles) .fig-tools button[data-format="svg"]').first().click());
    const svgText = readFileSync(svgPath, 'utf8');
    assert.match(svgText, /^<\?xml[^]*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svgText, /class="cell[^"]*straddles"[^>]*fill="rgb\(212, 212, 212\)"/);
    const pngPath = await download(page, () => page.locator('.fig-tools button[data-format="png"]').first().click());
    const png = decodePng(readFileSync(pngPath));
    assert.equal(png.width, Math.round(fit[0].own * 2));
    assert.ok(nonBackground(png, [255, 255, 255]) > 0.2 * png.width * png.height);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report page: the interactive table holds every prediction row, sorts, filters and exports; figures download', { timeout: 90_000 }, async (t) => {
  const { asPredictions } = alphaDft();
  const rows = asPredictions.map((r) => ({ ...r, eds_sd: 0.1, eds_lo: r.eds_pred - 0.16, eds_hi: r.eds_pred + 0.16 }));
  // The α maps as the report lays them out: compact, no bars of their own, a grid under one bar; and the k-shot plot.
  const grid = heatmapsFromPredictions(rows, { cell: COMPACT_CELL, colorBar: false });
  const shots = JSON.parse(readFileSync('test/fixtures/shots-alpha-gp-seed0.json', 'utf8'));
  const html = reportHtml('report', '<p>intro</p>', [
    { id: 'maps', title: 'Maps', html: `<div class="fig">${heatmapsFromPredictions(rows, { config: [1] })[0].svg}</div>` },
    { id: 'rows', title: 'All prediction rows', html: predictionTable(rows, { id: 'all-rows', caption: 'every α row' }) },
    { id: 'grid', title: 'Grid', html: heatmapGrid(grid.map((h) => h.svg), grid[0].scale, { note: 'why some are missing', id: 'grid-maps' }) },
    shotsSection(shots, { name: 'β' }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-report-'));
  mkdirSync(OUT, { recursive: true });
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const o = await openPage(t, file, 1280, 900);
  if (!o) return;
  const { browser, page, errors } = o;
  try {
    const table = page.getByTestId('itable-all-rows');
    await page.waitForFunction(() => (window as any).cescreenTables?.['all-rows']);
    assert.equal(await table.getAttribute('data-total'), '1612');
    assert.equal(await table.locator('tbody tr').count(), 50);
    const energies = rows.map((r) => r.eds_pred);
    const firstE = async () => Number(((await table.locator('tbody tr').first().locator('td').nth(5).textContent()) ?? '').replace('\u2212', '-'));
    // Click the E_DS header: ascending, then descending.
    const header = table.locator('tr.itable-head th', { hasText: 'E_DS (eV)' });
    await header.click();
    assert.equal(await firstE(), +Math.min(...energies).toFixed(3));
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await header.click();
    assert.equal(await firstE(), +Math.max(...energies).toFixed(3));
    const order: number[] = await page.evaluate(() => (window as any).cescreenTables['all-rows'].order());
    assert.equal(order.length, 1612);
    for (let k = 1; k < order.length; k++) assert.ok(energies[order[k - 1]] >= energies[order[k]]);
    // Filter the energy column: "<0" keeps the stabilising rows only.
    await table.locator('tr.itable-filters input').nth(5).fill('<0');
    assert.equal(Number(await table.getAttribute('data-shown')), energies.filter((e) => e < 0).length);
    const csv = readFileSync(await download(page, () => table.locator('button.itable-csv').click(), 'all-rows-negative.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, energies.filter((e) => e < 0).length + 1);
    assert.equal(csv[0], 'config,x,y,kind,distance,eds,lo,hi,p,flags');
    await table.locator('tr.itable-filters input').nth(5).fill('');
    // The search box matches text in any column ("Ti@NbI" would also match "Ti@NbII").
    await table.locator('input.itable-search').fill('Ti@NbII');
    assert.equal(Number(await table.getAttribute('data-shown')), rows.filter((r) => (r.element_a === 'Ti' && r.site_a === 'NbII') || (r.element_b === 'Ti' && r.site_b === 'NbII')).length);
    await page.locator('#rows').screenshot({ path: join(OUT, 'report-table.png') });
    // Figures of the report download as SVG.
    const svgPath = await download(page, () => page.locator('.fig-tools button[data-format="svg"]').first().click());
    assert.match(readFileSync(svgPath, 'utf8'), /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*class="heatmap"/);
    // The grid: two columns of maps in the 1200 px page, one on a narrow screen; one colour bar that stays in sight.
    const columns = () => page.$$eval('[data-testid="grid-maps"] .hm-grid > .fig', (els) => new Set(els.map((e) => Math.round(e.getBoundingClientRect().left))).size);
    assert.equal(await columns(), 2);
    // Values in the grid's cells stay readable: ≥ 9 px on screen in the 1200 px page.
    const gridFont = await page.$eval('[data-testid="grid-maps"] text.value', (el) => {
      const svg = (el as SVGTextElement).ownerSVGElement!;
      return parseFloat(getComputedStyle(el).fontSize) * (svg.getBoundingClientRect().width / svg.viewBox.baseVal.width);
    });
    assert.ok(gridFont >= 9, `grid values at ${gridFont} px`);
    assert.equal(await page.locator('[data-testid="grid-maps"] .colorbar-h').count(), 1);
    assert.equal(await page.locator('[data-testid="grid-maps"] g.colorbar').count(), 0);
    await page.locator('[data-testid="grid-maps"] .hm-grid > .fig').last().scrollIntoViewIfNeeded();
    const bar = (await page.locator('[data-testid="grid-maps"] .grid-bar').boundingBox())!;
    assert.ok(bar.y >= -1 && bar.y < 5, `the shared bar scrolled away (y = ${bar.y})`);
    // Every title lies inside its figure (measured by the browser, not estimated).
    const outside = await page.$$eval('svg text.title', (ts) =>
      ts.flatMap((t) => {
        const b = (t as SVGTextElement).getBBox();
        const w = (t as SVGTextElement).ownerSVGElement!.viewBox.baseVal.width;
        return b.x < -0.5 || b.x + b.width > w + 0.5 ? [`${t.textContent} [${b.x}, ${b.x + b.width}] in ${w}`] : [];
      }),
    );
    assert.deepEqual(outside, []);
    // The k-shot plot is drawn: a point per (panel, k, strategy).
    assert.equal(await page.locator('svg.shots circle.point').count(), 5 * shots.length);
    await page.locator('#grid').screenshot({ path: join(OUT, 'report-grid-1280.png') });
    await page.setViewportSize({ width: 760, height: 900 });
    assert.equal(await columns(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
