// The viewer in a real browser: Debian's chromium driven by playwright-core (never a downloaded
// browser). Skips with a message when /usr/bin/chromium is absent; CI installs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { heatmapSvg } from '../src/figures/heatmap.ts';
import type { PredictionRow } from '../src/predict/table.ts';
import { heatmapsFromPredictions } from '../src/figures/siteHeatmaps.ts';
import { writeViewer, type ViewerData } from '../src/figures/viewer.ts';
import { buildViewerData } from '../src/figures/viewerData.ts';
import { readStructure } from '../src/structure/io.ts';

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
    assert.deepEqual(sel, { config: 3, X: 'Nb', Y: 'Al', atom_a: 1, atom_b: 1 });
    assert.equal((await page.evaluate(() => (window as any).cescreenViewer.lastPrediction)).eds, energy(3, 3, 0));
    assert.equal(await page.getByTestId('select-config').inputValue(), '3');
    assert.equal(await page.getByTestId('select-x').inputValue(), 'Nb');
    assert.equal(await page.getByTestId('select-y').inputValue(), 'Al');
    assert.match((await cell.getAttribute('class')) ?? '', /selected/);
    await page.screenshot({ path: join(OUT, 'viewer-heatmap-click.png') });

    // 5. Colour by site label: legend switches to the labels and the atoms change colour.
    await page.evaluate(() => window.scrollTo(0, 0));
    const before = decodePng(await canvas.screenshot());
    await page.getByTestId('color-by-label').check();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await page.evaluate(() => (window as any).cescreenViewer.colorMode), 'label');
    assert.deepEqual((await page.getByTestId('legend').textContent())?.trim(), 'TiANbB');
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
  const rows: PredictionRow[] = [
    { config: 1, site_a: 'SiI', element_a: 'B', site_b: 'SiI', element_b: 'Ti', distance: 2.4155, eds_pred: 1.234, kind: 'pair', unseen: false },
    { config: 1, site_a: 'SiI', element_a: 'B', site_b: 'SiI', element_b: 'Si', distance: 2.4155, eds_pred: -0.31, kind: 'single', unseen: false },
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
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
