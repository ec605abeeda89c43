/**
 * Cost of the viewer and its page: building the viewer data (AET of every atom, pairs, heatmaps)
 * and the HTML for α-Nb5Si3 1×1×1 and 2×2×2 and β-Nb5Si3, then, in Debian's Chromium when present,
 * the time until the page is ready and the time to build the bonds (AET shells; every atom within
 * 3 Å). Run: npx tsx scripts/bench-figures.ts   (re-measure on a quiet machine: the numbers in
 * the branch's report were taken with the 2 cores shared by several jobs)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readStructure } from '../src/structure/io.ts';
import { buildViewerData } from '../src/figures/viewerData.ts';
import { viewerHtml } from '../src/figures/viewer.ts';

const root = new URL('../', import.meta.url).pathname;
const cases = [
  { name: 'α 1×1×1', file: 'structures/alpha-Nb5Si3/structure.cif', supercell: undefined },
  { name: 'β 1×1×1', file: 'structures/beta-Nb5Si3/structure.cif', supercell: undefined },
  { name: 'α 2×2×2', file: 'structures/alpha-Nb5Si3/structure.cif', supercell: '2x2x2' },
];
const seconds = (t: number) => ((performance.now() - t) / 1000).toFixed(2);
const dir = mkdtempSync(join(tmpdir(), 'cescreen-bench-'));
const pages: { name: string; file: string }[] = [];
console.log('cell      atoms  build data s  page s  page MB');
for (const c of cases) {
  const s = readStructure(join(root, c.file));
  let t = performance.now();
  const data = buildViewerData(s, { title: c.name, supercell: c.supercell });
  const tData = seconds(t);
  t = performance.now();
  const html = viewerHtml(data);
  const tPage = seconds(t);
  const file = join(dir, `${pages.length}.html`);
  writeFileSync(file, html);
  pages.push({ name: c.name, file });
  console.log(`${c.name.padEnd(9)} ${String(data.atoms.length).padStart(5)}  ${tData.padStart(12)}  ${tPage.padStart(6)}  ${(html.length / 1e6).toFixed(1).padStart(7)}`);
}

const CHROMIUM = '/usr/bin/chromium';
if (existsSync(CHROMIUM)) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox'] });
  console.log('\nChromium (SwiftShader: software WebGL, slower than a GPU)');
  console.log('cell      ready s  AET bonds  ms    cutoff 3 Å bonds  ms');
  for (const p of pages) {
    const page = await browser.newPage({ viewport: { width: 1300, height: 850 } });
    const t = performance.now();
    await page.goto(pathToFileURL(p.file).href);
    await page.waitForFunction(() => (window as any).cescreenViewer?.ready, null, { timeout: 120_000 });
    const ready = seconds(t);
    const bonds = (mode: string) =>
      page.evaluate((m) => {
        const t0 = performance.now();
        const n = (window as any).cescreenViewer.setBonds(true, m, 3.0);
        return { n, ms: performance.now() - t0 };
      }, mode);
    const aet = await bonds('aet');
    const cut = await bonds('cutoff');
    console.log(`${p.name.padEnd(9)} ${ready.padStart(7)}  ${String(aet.n).padStart(9)}  ${aet.ms.toFixed(0).padStart(4)}  ${String(cut.n).padStart(16)}  ${cut.ms.toFixed(0).padStart(4)}`);
    await page.close();
  }
  await browser.close();
}
rmSync(dir, { recursive: true, force: true });
