import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atomicEnvironment } from '../src/environment/aet.ts';
import { convexHull } from '../src/environment/polyhedron.ts';
import type { Vec3 } from '../src/structure/lattice.ts';
import { facesVolume } from './helpers.ts';
import { readStructure } from '../src/structure/io.ts';
import { buildViewerData } from '../src/figures/viewerData.ts';
import { shellFaces, type ViewerData, type ViewerPrediction } from '../src/figures/viewer.ts';
import { isInputError } from '../src/util/errors.ts';
import { alphaDft } from './viewerFixtures.ts';

const ALPHA = 'structures/alpha-Nb5Si3/structure.cif';
const alpha = readStructure(ALPHA);
// Built once: the per-orbit ideal-polyhedron search dominates (≈ 0.3 s).
const data: ViewerData = buildViewerData(alpha, { title: 'α-Nb5Si3' });

const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);


test('α-Nb5Si3: 32 atoms, one environment each, CN 14/16/9/10 on NbI/NbII/SiI/SiII with their Wyckoff positions', () => {
  assert.equal(data.atoms.length, 32);
  assert.equal(data.environments.length, 32);
  const bySite = new Map<string, { n: number; cn: Set<number>; wyckoff: Set<string> }>();
  for (const e of data.environments) {
    const s = bySite.get(e.label) ?? { n: 0, cn: new Set(), wyckoff: new Set() };
    s.n++;
    s.cn.add(e.cn);
    s.wyckoff.add(e.wyckoff);
    bySite.set(e.label, s);
  }
  const summary = Object.fromEntries([...bySite].map(([l, s]) => [l, { n: s.n, cn: [...s.cn], wyckoff: [...s.wyckoff] }]));
  assert.deepEqual(summary, {
    NbI: { n: 4, cn: [14], wyckoff: ['4c'] },
    NbII: { n: 16, cn: [16], wyckoff: ['16l'] },
    SiI: { n: 8, cn: [9], wyckoff: ['8h'] },
    SiII: { n: 4, cn: [10], wyckoff: ['4a'] },
  });
  // Radii: Nb has a metallic radius (1.473 Å); Si has none and falls back to its covalent radius (1.11 Å).
  assert.equal(data.atoms.find((a) => a.element === 'Nb')!.radius, 1.473);
  assert.equal(data.atoms.find((a) => a.element === 'Si')!.radius, 1.11);
  // Cartesian positions are the structure's own.
  data.atoms.forEach((a, i) => assert.ok(dist(a.cart, alpha.cartesian(i)) < 1e-12));
});

test('shells: Cartesian = centre + vector at the listed distance; faces are closed polyhedra over every shell atom', () => {
  for (const e of data.environments) {
    const centre = data.atoms[e.atom].cart;
    assert.equal(e.shell.length, e.cn);
    for (const s of e.shell) assert.ok(Math.abs(dist(s.cart, centre) - s.distance) < 1e-9, `atom ${e.atom}`);
    assert.ok(Math.abs(e.shell[0].distance - e.dmin) < 1e-12);
    const faces = e.faces!;
    const used = new Set(faces.flat());
    assert.equal(used.size, e.cn, `atom ${e.atom}: faces use ${used.size} of ${e.cn} shell atoms`);
    assert.ok([...used].every((i) => Number.isInteger(i) && i >= 0 && i < e.cn));
    // Euler V − E + F = 2, and the faces enclose the AET's hull volume.
    const edges = new Set(faces.flatMap((f) => f.map((u, k) => [u, f[(k + 1) % f.length]].sort((x, y) => x - y).join('-'))));
    assert.equal(e.cn - edges.size + faces.length, 2, `atom ${e.atom}`);
    const vectors = e.shell.map((s) => s.cart.map((x, k) => x - centre[k]) as Vec3);
    // Faces merged within the 15° tolerance are not exactly planar, so their fans differ slightly
    // from the hull triangles (NbII: 83.908 vs 83.970 Å³); exactly planar shells agree to 1e-9 (bcc below).
    const v = facesVolume(vectors, faces);
    assert.ok(Math.abs(v - e.volume) < 2e-3 * e.volume, `atom ${e.atom}: ${v} vs ${e.volume}`);
  }
  // The faces are the ones the topological code counts: a tricapped trigonal prism (SiI) has 14 triangles.
  const si = data.environments.find((e) => e.label === 'SiI')!;
  assert.equal(si.faces!.length, 14);
  assert.equal(si.ideal?.name, 'tricapped trigonal prism');
});

test('ideal polyhedron and NNH are computed once per orbit and equal a direct computation on another atom', () => {
  for (const label of ['NbI', 'NbII', 'SiI', 'SiII']) {
    const envs = data.environments.filter((e) => e.label === label);
    const last = envs[envs.length - 1];
    const direct = atomicEnvironment(alpha, last.atom);
    assert.equal(last.ideal?.name, direct.ideal?.name);
    assert.ok(Math.abs(last.ideal!.deviation - direct.ideal!.deviation) < 1e-6, `${label}: ${last.ideal!.deviation} vs ${direct.ideal!.deviation}`);
    assert.equal(last.code, direct.code);
    assert.deepEqual(last.histogram, envs[0].histogram);
    assert.ok(Math.abs(last.histogram[0].d_over_dmin - 1) < 1e-12);
    assert.ok(Math.abs(last.dmin - direct.dmin) < 1e-9);
  }
});

test('pairs: the 12 configurations of the DFT study, cart_b the nearest image of b', () => {
  const pairs = data.pairs!;
  assert.equal(pairs.length, 12);
  assert.deepEqual([pairs[0].site_a, pairs[0].site_b], ['SiI', 'SiI']);
  assert.equal(pairs[0].distance.toFixed(4), '2.4155');
  assert.equal(pairs[11].distance.toFixed(4), '3.5651');
  for (const p of pairs) {
    assert.ok(Math.abs(dist(data.atoms[p.atom_a].cart, p.cart_b) - p.distance) < 1e-9, `pair ${p.id}`);
    assert.equal(data.atoms[p.atom_b].label, p.site_b);
  }
  assert.deepEqual(pairs.filter((p) => p.swappable).map((p) => p.id), [1, 6, 9, 10, 11, 12]);
});

test('bcc Nb from its CIF: CN14 rhombic dodecahedron, 12 rhombic faces enclosing 2a³', () => {
  const bcc = buildViewerData(readStructure('structures/reference/bcc-Nb.cif'), { title: 'bcc Nb', maxDistance: 3.4 });
  const a = bcc.lattice[0][0];
  assert.equal(bcc.atoms.length, 2);
  for (const e of bcc.environments) {
    assert.equal(e.cn, 14);
    assert.equal(e.faces!.length, 12);
    assert.ok(e.faces!.every((f) => f.length === 4));
    assert.ok(Math.abs(e.volume - 2 * a ** 3) < 1e-6);
    assert.equal(e.ideal?.name, 'rhombic dodecahedron');
    assert.ok(e.ideal!.deviation < 1e-6);
  }
  // One pair: corner–centre at a√3/2 (an atom and its own image at a cannot carry two different elements).
  assert.equal(bcc.pairs!.length, 1);
  assert.ok(Math.abs(bcc.pairs![0].distance - (a * Math.sqrt(3)) / 2) < 1e-9);
  const centre = bcc.atoms[bcc.environments[0].atom].cart;
  assert.ok(Math.abs(facesVolume(bcc.environments[0].shell.map((s) => s.cart.map((x, k) => x - centre[k]) as Vec3), bcc.environments[0].faces!) - 2 * a ** 3) < 1e-9);
  // The same faces from the absolute positions (the hull does not care where the origin is).
  const pts: Vec3[] = bcc.environments[0].shell.map((s) => s.cart);
  assert.equal(shellFaces(pts).length, 12);
  assert.ok(Math.abs(convexHull(pts).volume - 2 * a ** 3) < 1e-6);
});

test('predictions: checked against the pairs; swappable pairs get both orders and every config its pristine zero', () => {
  const p1 = data.pairs![0]; // SiI–SiI, swappable
  const p8 = data.pairs![7]; // NbI–NbII, not swappable
  const rows: ViewerPrediction[] = [
    { config: 1, site_a: 'SiI', element_a: 'B', site_b: 'SiI', element_b: 'Ti', distance: p1.distance, eds_pred: 1.25 },
    { config: 8, site_a: 'NbI', element_a: 'Ti', site_b: 'NbII', element_b: 'Mo', distance: p8.distance, eds_pred: -0.5 },
  ];
  const d = buildViewerData(alpha, { title: 't', predictions: rows, notes: 'synthetic' });
  const find = (c: number, x: string, y: string) => d.predictions!.find((r) => r.config === c && r.element_a === x && r.element_b === y);
  assert.equal(find(1, 'Ti', 'B')?.eds_pred, 1.25);
  assert.equal(find(8, 'Mo', 'Ti'), undefined);
  assert.equal(find(1, 'Si', 'Si')?.eds_pred, 0);
  assert.equal(find(8, 'Nb', 'Nb')?.kind, 'pristine');
  assert.equal(d.predictions!.length, 5);
  assert.equal(d.notes, 'synthetic');

  const wrong = [{ ...rows[1], config: 7 }];
  assert.throws(
    () => buildViewerData(alpha, { title: 't', predictions: wrong, predictionsSource: { file: 'p.csv', lines: [2] } }),
    (e: unknown) => isInputError(e) && /^p\.csv:2: config 7 is NbI–NbII at 3\.0432 Å here but NbI–SiII at 2\.9889 Å/.test(e.message),
  );
  assert.throws(() => buildViewerData(alpha, { title: 't', predictions: [{ ...rows[0], config: 13 }] }), /config 13 is not a pair of this structure \(it has 12\)/);
});

test('a 1x1x2 supercell keeps the chemistry: 64 atoms, same CNs, more pairs only by new translations', () => {
  const d = buildViewerData(alpha, { title: 'α 1x1x2', supercell: '1x1x2', maxDistance: 3.6 });
  assert.equal(d.atoms.length, 64);
  const cn = (x: ViewerData) => Object.fromEntries([...new Set(x.environments.map((e) => e.label))].map((l) => [l, [...new Set(x.environments.filter((e) => e.label === l).map((e) => e.cn))]]));
  assert.deepEqual(cn(d), cn(data));
  // Doubling c (11.9 Å → 23.8 Å) splits no pair of a 3.6 Å range: the same 12 distances.
  assert.deepEqual(d.pairs!.map((p) => p.distance.toFixed(4)), data.pairs!.map((p) => p.distance.toFixed(4)));
});

test('without energies: any element is offered, hosts first among the rest; no heatmaps', () => {
  const choices = data.elementChoices!;
  assert.equal(choices.length, 94); // H … Pu, each once
  assert.deepEqual(choices.slice(0, 2), ['Nb', 'Si']); // the hosts lead when no energies are given
  assert.ok(['Ti', 'B', 'Hf', 'Au'].every((e) => choices.includes(e)));
  assert.equal(data.heatmaps, undefined);
  assert.deepEqual(data.hosts, { NbI: 'Nb', NbII: 'Nb', SiI: 'Si', SiII: 'Si' });
  // Fractional coordinates and lattice parameters for the CIF download are the structure's own.
  data.atoms.forEach((a, i) => assert.deepEqual(a.frac, alpha.sites[i].frac));
  assert.deepEqual(data.cellParameters, alpha.lattice.parameters);
});

test('reference (DFT) energies: checked against the pairs, completed like predictions, drawn as DFT maps on one scale', () => {
  const { reference } = alphaDft();
  const d = buildViewerData(alpha, { title: 'α with DFT', reference });
  // Swappable pairs gain their mirrored rows, every config its pristine zero.
  const find = (c: number, x: string, y: string) => d.reference!.find((r) => r.config === c && r.element_a === x && r.element_b === y);
  const b1 = reference.find((r) => r.config === 1 && r.element_a === 'B' && r.element_b === 'Ti')!;
  assert.equal(find(1, 'Ti', 'B')?.eds, b1.eds);
  assert.equal(find(1, 'Si', 'Si')?.eds, 0);
  assert.equal(d.reference!.length, new Set(d.reference!.map((r) => `${r.config}:${r.element_a}:${r.element_b}`)).size);
  // The maps: one per site-type pair, titled DFT, without their own bars (one shared bar above them).
  assert.deepEqual(d.heatmaps!.map((h) => h.config), [1, 2, 3, 5, 6, 7, 8]);
  assert.ok(d.heatmaps!.every((h) => h.title.startsWith('DFT #') && !h.svg.includes('class="colorbar"')));
  assert.equal(d.heatmapScale!.limit, 10);
  // Elements with energies come first in the choices.
  assert.deepEqual(d.elementChoices!.slice(0, 14), ['Al', 'B', 'Co', 'Cr', 'Fe', 'Hf', 'Mo', 'Nb', 'Ni', 'Si', 'Ti', 'V', 'Y', 'Zr']);
  // A reference row of another structure is refused with its file and line.
  assert.throws(
    () => buildViewerData(alpha, { title: 't', reference: [{ ...reference[0], config: 1, site_a: 'NbI', site_b: 'NbII' }], referenceSource: { file: 'ref.csv', lines: [7] } }),
    (e: unknown) => isInputError(e) && /^ref\.csv:7: config 1 is NbI–NbII/.test(e.message),
  );
});

test('predictions keep their sd, interval and domain flags for the page', () => {
  const p1 = data.pairs![0];
  const rows: ViewerPrediction[] = [{ config: 1, site_a: 'SiI', element_a: 'B', site_b: 'SiI', element_b: 'Ti', distance: p1.distance, eds_pred: -0.2, eds_sd: 0.15, eds_lo: -0.45, eds_hi: 0.05, domain: 0.8, out_of_domain: true }];
  const d = buildViewerData(alpha, { title: 't', predictions: rows });
  const mirrored = d.predictions!.find((r) => r.element_a === 'Ti' && r.element_b === 'B')!;
  assert.deepEqual([mirrored.eds_sd, mirrored.eds_lo, mirrored.eds_hi, mirrored.out_of_domain], [0.15, -0.45, 0.05, true]);
  const pristine = d.predictions!.find((r) => r.kind === 'pristine')!;
  assert.equal(pristine.eds_pred, 0);
  assert.equal(pristine.eds_sd, undefined);
  // −0.2 ± 0.15: P(E_DS < 0) = 0.91 from the sd (no p_stabilising given): stabilising, and its interval straddles 0.
  assert.match(d.heatmaps![0].svg, /<rect class="cell stabilising straddles" data-row="B" data-col="Ti" data-value="-0\.2" data-lo="-0\.45" data-hi="0\.05" data-p="0\.908/);
});
