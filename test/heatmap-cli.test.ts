import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerFigureCommands } from '../src/cli/figureCommands.ts';
import { property } from '../src/features/elements.ts';
import { checkSameConfigurations, predictionsCsv, readEnergyCsv, readPredictionsCsv as readTable, type PredictionRow } from '../src/predict/table.ts';
import { heatmapsFromPredictions, nearestConfigs } from '../src/figures/siteHeatmaps.ts';
import { InputError } from '../src/util/errors.ts';
import { alphaDft } from './viewerFixtures.ts';
import { repoPath } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cescreen-heatmap-'));
const CORPUS = process.env.CESCREEN_CIF_CORPUS ?? join(repoPath(''), '..', 'shared', 'data', 'cif-corpus');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

// Synthetic predictions on α-Nb5Si3 configurations (ids and distances of its enumeration):
// config 2 NbI–SiI (not swappable), config 1 SiI–SiI (swappable; one order per pair written),
// configs 6 and 9 both NbII–NbII at 2.8769 and 3.1104 Å.
const XS = ['Nb', 'B', 'Ti', 'Zr', 'Y']; // on NbI, host Nb first
const YS = ['Si', 'B', 'Ti', 'Zr', 'Y']; // on SiI, host Si first
const e2 = (x: string, y: string) => Math.round((0.1 * (XS.indexOf(x) + 1) - 0.03 * (YS.indexOf(y) + 1) + (x === 'Y' ? 0.5 : 0)) * 1e6) / 1e6;
const kind = (a: boolean, b: boolean) => (a && b ? 'pair' : a || b ? 'single' : 'pristine') as PredictionRow['kind'];
const rows: PredictionRow[] = [];
const readPredictionsCsv = (path: string) => readTable(path).rows;
for (const x of XS) for (const y of YS) {
  if (x === 'Nb' && y === 'Si') continue; // the pristine cell is left out: the map must show 0 there
  rows.push({ config: 2, site_a: 'NbI', element_a: x, site_b: 'SiI', element_b: y, distance: 2.5979, eds_pred: e2(x, y), kind: kind(x !== 'Nb', y !== 'Si'), unseen: x === 'Y' || y === 'Y' });
}
const e1: Record<string, number> = { 'B:B': 0.84, 'B:Si': -0.31, 'B:Ti': 1.2, 'Si:Ti': 3.52, 'Ti:Ti': 7.06 };
for (const [k, v] of Object.entries(e1)) {
  const [x, y] = k.split(':');
  rows.push({ config: 1, site_a: 'SiI', element_a: x, site_b: 'SiI', element_b: y, distance: 2.4155, eds_pred: v, kind: kind(x !== 'Si', y !== 'Si'), unseen: false });
}
for (const [config, d] of [[6, 2.8769], [9, 3.1104]]) {
  rows.push({ config, site_a: 'NbII', element_a: 'Ti', site_b: 'NbII', element_b: 'Zr', distance: d, eds_pred: config * 0.01, kind: 'pair', unseen: false });
}
const PRED = file('pred.csv', predictionsCsv(rows));

test('readPredictionsCsv round-trips the predict format with line numbers', () => {
  const table = readTable(PRED);
  const back = table.rows;
  assert.equal(back.length, rows.length);
  assert.equal(table.lines[0], 2);
  assert.deepEqual(back[0], rows[0]);
  assert.equal(back.filter((r) => r.unseen).length, 9);
});

test('heatmaps: one per site-type pair (nearest config), elements ordered by metallic radius, hosts give the singles and a zero pristine cell', () => {
  // The radii behind the order: B and Si have no metallic radius and use the covalent one.
  assert.deepEqual(['B', 'Si', 'Ti', 'Nb', 'Zr', 'Y'].map((e) => property(e, 'MR') ?? property(e, 'CR')), [0.84, 1.11, 1.462, 1.473, 1.602, 1.8]);
  const maps = heatmapsFromPredictions(readPredictionsCsv(PRED));
  assert.deepEqual(nearestConfigs(readPredictionsCsv(PRED)), [1, 2, 6]);
  assert.deepEqual(maps.map((m) => m.config), [1, 2, 6]);
  const m2 = maps[1];
  assert.deepEqual([m2.siteA, m2.siteB], ['NbI', 'SiI']);
  assert.deepEqual(m2.elements, ['B', 'Si', 'Ti', 'Nb', 'Zr', 'Y']);
  const at = (x: string, y: string) => m2.values[m2.elements.indexOf(x)][m2.elements.indexOf(y)];
  assert.equal(at('Ti', 'Zr'), e2('Ti', 'Zr'));
  assert.equal(at('Y', 'B'), e2('Y', 'B'));
  assert.equal(at('Zr', 'Si'), e2('Zr', 'Si')); // single: Zr on NbI, SiI keeps Si
  assert.equal(at('Nb', 'Ti'), e2('Nb', 'Ti')); // single: Ti on SiI
  assert.equal(at('Nb', 'Si'), 0); // pristine
  assert.equal(at('Zr', 'Ti') === at('Ti', 'Zr'), false); // not swappable: no mirroring
  assert.ok(m2.elements.every((e) => at('Si', e) === null), 'Si on NbI was never predicted');
  assert.ok(m2.elements.every((e) => at(e, 'Nb') === null), 'Nb on SiI was never predicted');
  assert.deepEqual(m2.unseen, ['Y']);
  // The SVG carries the same numbers in the same order.
  const cells = [...m2.svg.matchAll(/<rect class="cell[^"]*" data-row="(\w+)" data-col="(\w+)" data-value="([^"]*)"/g)];
  assert.equal(cells.length, 36);
  assert.deepEqual([...new Set(cells.map((c) => c[1]))], m2.elements);
  assert.equal(Number(cells.find((c) => c[1] === 'Y' && c[2] === 'Zr')![3]), e2('Y', 'Zr'));
  assert.match(m2.svg, /Predicted E<tspan[^>]*>DS<\/tspan> #2 NbI–SiI, d = 2\.598 Å/);
  // Cell tooltips name the substitution; a site that keeps its host reads "—".
  assert.match(m2.svg, /<title>Zr@NbI \+ —: /);
  assert.match(m2.svg, /<title>— \+ Ti@SiI: /);
  // One scale for every map of the call.
  assert.equal(new Set(maps.map((m) => m.scale)).size, 1);
  assert.deepEqual([...new Set(maps.flatMap((m) => [...m.svg.matchAll(/data-limit="([^"]+)"/g)].map((x) => x[1])))], [String(maps[0].scale.limit)]);

  // Config 1 is SiI–SiI: X@a,Y@b ≡ Y@a,X@b, so the one order written fills both halves.
  const m1 = maps[0];
  assert.deepEqual(m1.elements, ['B', 'Si', 'Ti']);
  assert.deepEqual(m1.values, [
    [0.84, -0.31, 1.2],
    [-0.31, 0, 3.52],
    [1.2, 3.52, 7.06],
  ]);
  // An explicit list draws the farther NbII–NbII configuration too; an absent one is an InputError.
  assert.deepEqual(heatmapsFromPredictions(readPredictionsCsv(PRED), { config: [9] }).map((m) => [m.config, m.distance]), [[9, 3.1104]]);
  assert.throws(() => heatmapsFromPredictions(readPredictionsCsv(PRED), { config: [4] }), (e: unknown) => e instanceof InputError && /config 4 has no predictions \(configs present: 1, 2, 6, 9\)/.test(e.message));
});

test('comparison with DFT: three panels and the MAE of pred − DFT over the common cells', () => {
  const dft = rows
    .filter((r) => r.config === 2 && r.element_a !== 'Zr')
    .map((r, k) => ({ config: 2, element_a: r.element_a, element_b: r.element_b, eds: r.eds_pred + (k % 3) * 0.1 - 0.05 }));
  const [m] = heatmapsFromPredictions(readPredictionsCsv(PRED), { dft, config: [2] });
  const expected = dft.reduce((s, d) => s + Math.abs(e2(d.element_a, d.element_b) - d.eds), 0) / dft.length;
  assert.equal(m.mae!.n, dft.length);
  assert.ok(Math.abs(m.mae!.mae - expected) < 1e-12, `${m.mae!.mae} vs ${expected}`);
  assert.match(m.svg, /data-panel="predicted"[^]*data-panel="dft"[^]*data-panel="difference"/);
  assert.match(m.svg, new RegExp(`MAE = ${expected.toFixed(3)} eV, n = ${dft.length}`));
});

const HEADER = 'config,site_a,element_a,site_b,element_b,distance,eds_pred,kind,unseen';
const badCases: [string, string, RegExp][] = [
  ['missing column', 'config,site_a,element_a,site_b,element_b,distance,eds_pred\n1,SiI,B,SiI,B,2.4155,0.8\n', /:1: missing column\(s\) kind, unseen/],
  ['non-numeric energy', `${HEADER}\n1,SiI,B,SiI,B,2.4155,0.8,pair,0\n1,SiI,B,SiI,Ti,2.4155,n/a,pair,0\n`, /:3: column eds_pred: expected a number \(eV\), found 'n\/a'/],
  ['unknown element', `${HEADER}\n1,SiI,B,SiI,B,2.4155,0.8,pair,0\n\n1,SiI,Xx,SiI,Ti,2.4155,1.1,pair,0\n`, /:4: column element_a: unknown element 'Xx'/],
  ['bad kind', `${HEADER}\n1,SiI,B,SiI,B,2.4155,0.8,double,0\n`, /:2: column kind: expected pristine, single or pair, found 'double'/],
  ['bad unseen flag', `${HEADER}\n1,SiI,B,SiI,B,2.4155,0.8,pair,yes\n`, /:2: column unseen: expected 0 or 1/],
  ['duplicate', `${HEADER}\n1,SiI,B,SiI,B,2.4155,0.8,pair,0\n1,SiI,B,SiI,B,2.4155,0.9,pair,0\n`, /:3: B@SiI, B@SiI of config 1 is listed twice \(also on line 2\)/],
  ['inconsistent sites', `${HEADER}\n1,SiI,B,SiI,B,2.4155,0.8,pair,0\n1,NbI,B,SiI,Ti,2.4155,0.9,pair,0\n`, /:3: config 1 is SiI–SiI on line 2 but NbI–SiI here/],
  ['ragged line', `${HEADER}\n1,SiI,B,SiI,B,2.4155,0.8,pair\n`, /:2: expected 9 fields/],
];

test('bad predictions files give InputErrors naming file and line', () => {
  for (const [name, text, re] of badCases) {
    const p = file(`bad-${name.replace(/\s/g, '-')}.csv`, text);
    assert.throws(() => readPredictionsCsv(p), (e: unknown) => e instanceof InputError && e.message.startsWith(p) && re.test(e.message), name);
  }
  assert.throws(() => readPredictionsCsv(join(dir, 'absent.csv')), (e: unknown) => e instanceof InputError && /cannot read the predictions table: no such file/.test(e.message));
  // The raw DFT table numbers its configs its own way: refused as --data with the reason.
  assert.throws(() => readEnergyCsv('structures/alpha-Nb5Si3/eds.csv'), /its config numbers are the file's own/);
});

/** Run a figure command in-process and return what it printed. */
async function cli(...args: string[]): Promise<string> {
  const program = new Command('cescreen').exitOverride().configureOutput({ writeErr: () => {} });
  registerFigureCommands(program);
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test('cescreen heatmap: one SVG per map and an index page; --data adds the DFT comparison', async () => {
  const out = join(dir, 'maps');
  const summary = JSON.parse(await cli('heatmap', PRED, '-o', out, '--json'));
  const names = ['heatmap-SiI-SiI-c1.svg', 'heatmap-NbI-SiI-c2.svg', 'heatmap-NbII-NbII-c6.svg'];
  assert.deepEqual(summary.maps.map((m: { file: string }) => m.file), names);
  assert.deepEqual(readdirSync(out).sort(), [...names, 'index.html'].sort());
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  for (const n of names) assert.ok(index.includes(readFileSync(join(out, n), 'utf8')), `${n} not in index.html`);
  assert.match(index, /Never in the training data: Y\./);

  const dftRows = rows.filter((r) => r.config === 2).map((r) => ({ ...r, eds_pred: r.eds_pred + 0.2 }));
  const dft = file('dft.csv', predictionsCsv(dftRows).replace('eds_pred', 'eds'));
  const cmp = JSON.parse(await cli('heatmap', PRED, '--data', dft, '--config', '2', '-o', join(dir, 'cmp'), '--json'));
  assert.equal(cmp.maps.length, 1);
  assert.equal(cmp.maps[0].n, dftRows.length);
  assert.ok(Math.abs(cmp.maps[0].mae - 0.2) < 1e-9);
  assert.match(readFileSync(join(dir, 'cmp', 'heatmap-NbI-SiI-c2.svg'), 'utf8'), /data-panel="difference"/);
  await assert.rejects(cli('heatmap', PRED, '--config', '2,x', '-o', join(dir, 'x')), /option --config: 'x' is not a configuration id/);
});

test('cescreen view: α-Nb5Si3 with predictions → one page with counts, maps and a notice; foreign predictions refused', async () => {
  const html = join(dir, 'viewer.html');
  const r = JSON.parse(await cli('view', 'structures/alpha-Nb5Si3/structure.cif', '--predictions', PRED, '-o', html, '--json'));
  assert.deepEqual(r, { file: html, atoms: 32, environments: 32, pairs: 12, predictions: rows.length, reference: 0 });
  const page = readFileSync(html, 'utf8');
  const data = JSON.parse(/<script type="application\/json" id="cescreen-data">([^]*?)<\/script>/.exec(page)![1]);
  assert.equal(data.environments.filter((e: { cn: number }) => e.cn === 16).length, 16);
  assert.deepEqual([...page.matchAll(/<figure class="hm" data-config="(\d+)"/g)].map((m) => Number(m[1])), [1, 2, 6]);
  assert.match(data.notes, /model predictions .* not DFT\. Elements never in the training data \(extrapolated\): Y\./);
  // A prediction whose config/sites/distance do not match this cell's pairs.
  const foreign = file('foreign.csv', `${HEADER}\n2,NbI,B,SiI,B,2.7000,0.8,pair,0\n`);
  await assert.rejects(cli('view', 'structures/alpha-Nb5Si3/structure.cif', '--predictions', foreign, '-o', join(dir, 'v2.html')), /foreign\.csv:2: config 2 is NbI–SiI at 2\.7000 Å here but NbI–SiI at 2\.5979 Å/);
  assert.equal(existsSync(join(dir, 'v2.html')), false);
});

test('cescreen view titles a phase by its formula: the data block of β, a COD file’s id beside its formula', async (t) => {
  const title = (html: string) => /<h1>([^<]*)<\/h1>/.exec(readFileSync(html, 'utf8'))![1];
  await cli('view', 'structures/beta-Nb5Si3/structure.cif', '-o', join(dir, 'beta.html'));
  assert.equal(title(join(dir, 'beta.html')), 'β-Nb5Si3');
  const cod = join(CORPUS, 'cgcnn__1000041.cif'); // COD 1000041, NaCl: its block is data_1000041
  if (!existsSync(cod)) return t.skip(`${cod} not found (the CIF corpus beside the repository)`);
  await cli('view', cod, '-o', join(dir, 'cod.html'));
  assert.equal(title(join(dir, 'cod.html')), 'ClNa (1000041)');
});

test('cescreen view --data: reference energies only → DFT maps and values in the page; a raw DFT table is refused', async () => {
  const { reference } = alphaDft();
  const ref = file('alpha-dft.csv', ['config,site_a,element_a,site_b,element_b,distance,eds', ...reference.map((r) => [r.config, r.site_a, r.element_a, r.site_b, r.element_b, r.distance.toFixed(4), r.eds].join(','))].join('\n') + '\n');
  const html = join(dir, 'viewer-dft.html');
  const r = JSON.parse(await cli('view', 'structures/alpha-Nb5Si3/structure.cif', '--data', ref, '-o', html, '--json'));
  assert.deepEqual(r, { file: html, atoms: 32, environments: 32, pairs: 12, predictions: 0, reference: 1612 });
  const page = readFileSync(html, 'utf8');
  const data = JSON.parse(/<script type="application\/json" id="cescreen-data">([^]*?)<\/script>/.exec(page)![1]);
  assert.ok(data.reference.length > 1612); // mirrored halves of swappable pairs and the pristine zeros
  assert.deepEqual([...page.matchAll(/<figure class="hm" data-config="(\d+)"/g)].map((m) => Number(m[1])), [1, 2, 3, 5, 6, 7, 8]);
  assert.match(data.notes, /Values marked "DFT" are reference energies from/);
  assert.match(page, /class="shared-bar/);
  await assert.rejects(cli('view', 'structures/alpha-Nb5Si3/structure.cif', '--data', 'structures/alpha-Nb5Si3/eds.csv', '-o', join(dir, 'v3.html')), /its config numbers are the file's own/);
  assert.equal(existsSync(join(dir, 'v3.html')), false);
});

test('a bad input exits with status 2 and the message alone', () => {
  const script = `
    import { Command } from 'commander';
    import { registerFigureCommands } from './src/cli/figureCommands.ts';
    import { fail } from './src/cli/output.ts';
    const p = new Command('cescreen').exitOverride();
    registerFigureCommands(p);
    try { await p.parseAsync(process.argv.slice(1), { from: 'user' }); } catch (e) { fail(e); }`;
  const bad = file('nan.csv', `${HEADER}\n1,SiI,B,SiI,B,2.4155,oops,pair,0\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'heatmap', bad, '-o', join(dir, 'never')], { encoding: 'utf8' });
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stderr, `cescreen: ${bad}:2: column eds_pred: expected a number (eV), found 'oops'\n`);
  assert.equal(existsSync(join(dir, 'never')), false);
});

test('reference energies of another structure are refused, naming the configuration', async () => {
  const pred = [{ config: 1, site_a: 'NbI', element_a: 'Ti', site_b: 'NbI', element_b: 'Nb', distance: 2.535, eds_pred: -0.3, kind: 'single' as const, unseen: false }];
  const same = [{ config: 1, site_a: 'NbI', element_a: 'Ti', site_b: 'NbI', element_b: 'Nb', distance: 2.536, eds: -0.2 }];
  assert.doesNotThrow(() => checkSameConfigurations({ file: 'ref.csv', rows: same, lines: [2] }, pred));
  const other = [{ ...same[0], site_a: 'SiI', site_b: 'SiI', distance: 2.415 }];
  assert.throws(() => checkSameConfigurations({ file: 'ref.csv', rows: other, lines: [2] }, pred), (e: Error) => e.name === 'InputError' && /ref\.csv:2: configuration 1 is SiI–SiI/.test(e.message));
});
