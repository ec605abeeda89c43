import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lattice, type Vec3 } from '../src/structure/lattice.ts';
import { Structure } from '../src/structure/structure.ts';
import { NeighborFinder } from '../src/environment/neighbors.ts';
import { nearestNeighborHistogram } from '../src/environment/nnh.ts';
import { analyzeSymmetry } from '../src/structure/symmetry.ts';
import { siteHistograms } from '../src/environment/sites.ts';
import { ALPHA, BETA, bundled, ref } from './helpers.ts';

function bruteForce(s: Structure, i: number, cutoff: number): number[] {
  const out: number[] = [];
  const h = s.lattice.heights;
  const n = h.map((x) => Math.ceil(cutoff / x) + 1);
  for (let j = 0; j < s.length; j++)
    for (let a = -n[0]; a <= n[0]; a++)
      for (let b = -n[1]; b <= n[1]; b++)
        for (let c = -n[2]; c <= n[2]; c++) {
          if (j === i && a === 0 && b === 0 && c === 0) continue;
          const df: Vec3 = [s.sites[j].frac[0] + a - s.sites[i].frac[0], s.sites[j].frac[1] + b - s.sites[i].frac[1], s.sites[j].frac[2] + c - s.sites[i].frac[2]];
          const d = s.lattice.fracLength(df);
          if (d <= cutoff) out.push(d);
        }
  return out.sort((x, y) => x - y);
}

test('cell list agrees with brute force on a skewed triclinic cell, cutoff beyond the cell', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lattice = Lattice.fromParameters(4.1, 5.3, 3.7, 71, 104, 118);
  const sites = Array.from({ length: 9 }, (_, k) => ({ element: k % 2 ? 'Si' : 'Nb', label: `A${k}`, frac: [rnd(), rnd(), rnd()] as Vec3 }));
  const s = new Structure(lattice, sites);
  for (const cutoff of [2.5, 6, 11]) {
    const f = new NeighborFinder(s, cutoff);
    for (let i = 0; i < s.length; i++) {
      const got = f.neighbors(i).map((n) => n.distance);
      const want = bruteForce(s, i, cutoff);
      assert.equal(got.length, want.length, `atom ${i}, cutoff ${cutoff}`);
      got.forEach((d, k) => assert.ok(Math.abs(d - want[k]) < 1e-9));
    }
  }
});

test('bcc Nb: shells 8, 6, 12, 24, 8 at 1, 2/√3, √(8/3), √(11/3), 2 of d_min', () => {
  const s = bundled(ref('bcc-Nb'));
  const a = 3.3004;
  const h = nearestNeighborHistogram(s, 0, { cutoff: 1.9 * a });
  assert.ok(Math.abs(h.dmin - (a * Math.sqrt(3)) / 2) < 1e-6);
  assert.deepEqual(h.histogram.map((b) => b.count), [8, 6, 12, 24, 8]);
  const want = [1, 2 / Math.sqrt(3), Math.sqrt(8 / 3), Math.sqrt(11 / 3), 2];
  h.histogram.forEach((b, k) => assert.ok(Math.abs(b.d_over_dmin - want[k]) < 1e-9));
});

test('fcc Al and ideal hcp Ti: 12 nearest neighbours, then 6 at √2; hcp has 2 at √(8/3)', () => {
  const fcc = nearestNeighborHistogram(bundled(ref('fcc-Al')), 0, { cutoff: 8 });
  assert.ok(Math.abs(fcc.dmin - 4.0495 / Math.SQRT2) < 1e-6);
  assert.deepEqual(fcc.histogram.slice(0, 4).map((b) => b.count), [12, 6, 24, 12]);
  const hcp = nearestNeighborHistogram(bundled(ref('hcp-Ti')), 0, { cutoff: 6 });
  assert.deepEqual(hcp.histogram.slice(0, 4).map((b) => b.count), [12, 6, 2, 18]);
  assert.ok(Math.abs(hcp.histogram[2].d_over_dmin - Math.sqrt(8 / 3)) < 1e-3);
});

test('α-Nb5Si3 NNH: the SiI–SiI dimer at 2.415 Å and SiII with 8 Nb at 2.746 Å', () => {
  const s = bundled(ALPHA);
  const hs = siteHistograms(s, analyzeSymmetry(s), { cutoff: 8 });
  const by = Object.fromEntries(hs.map((h) => [h.site, h]));
  assert.ok(Math.abs(by.SiI.dmin - 2.4155) < 1e-3);
  assert.equal(by.SiI.histogram[0].count, 1);
  assert.ok(Math.abs(by.SiII.dmin - 2.7457) < 1e-3);
  assert.equal(by.SiII.histogram[0].count, 8);
  assert.equal(by.SiII.histogram[1].count, 2); // NbI above and below along c at c/4
  assert.ok(Math.abs(by.SiII.histogram[1].d_over_dmin * by.SiII.dmin - 11.955468 / 4) < 1e-6);
  // Every distance within 8 Å: sum of counts = number of distances, all ≤ cutoff
  for (const h of hs) {
    assert.equal(h.histogram.reduce((n, b) => n + b.count, 0), h.distances.length);
    assert.ok(h.distances.at(-1)! <= 8);
  }
});

test('β-Nb5Si3 NNH: SiI 4a has its two Si chain neighbours at c/2 = 2.535 Å', () => {
  const s = bundled(BETA);
  const hs = siteHistograms(s, analyzeSymmetry(s), { cutoff: 6, site: 'SiI' });
  assert.equal(hs.length, 1);
  assert.ok(Math.abs(hs[0].dmin - 5.07 / 2) < 1e-9);
  assert.equal(hs[0].histogram[0].count, 2);
});

test('neighborList: the same pairs as the per-atom queries and brute force; images reproduce the distances', () => {
  let seed = 3;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lattice = Lattice.fromParameters(5.2, 4.4, 6.1, 65, 112, 97);
  const sites = Array.from({ length: 11 }, (_, k) => ({ element: 'Nb', label: `A${k}`, frac: [rnd(), rnd(), rnd()] as Vec3 }));
  const s = new Structure(lattice, sites);
  for (const cutoff of [3, 7.5, 13]) {
    const f = new NeighborFinder(s, cutoff);
    const list = f.neighborList();
    let p = 0;
    for (let i = 0; i < s.length; i++) {
      const want = bruteForce(s, i, cutoff);
      const got: number[] = [];
      for (; p < list.count && list.centers[p] === i; p++) {
        got.push(list.distances[p]);
        const j = list.neighbors[p];
        const img = [list.images[3 * p], list.images[3 * p + 1], list.images[3 * p + 2]];
        const d = s.lattice.fracLength([0, 1, 2].map((k) => s.sites[j].frac[k] + img[k] - s.sites[i].frac[k]) as Vec3);
        assert.ok(Math.abs(d - list.distances[p]) < 1e-12, `pair ${p}: image distance ${d} vs ${list.distances[p]}`);
      }
      got.sort((a, b) => a - b);
      assert.equal(got.length, want.length, `atom ${i}, cutoff ${cutoff}`);
      got.forEach((d, k) => assert.ok(Math.abs(d - want[k]) < 1e-12));
    }
    assert.equal(p, list.count, 'centres ascending');
  }
});

test('α-Nb5Si3 2×2×2 (256 atoms): 33 408 pairs within 8 Å, as pymatgen counts (scripts/BENCHMARKS.md)', async () => {
  const { supercell } = await import('../src/structure/supercell.ts');
  const cell = supercell(bundled(ALPHA), [[2, 0, 0], [0, 2, 0], [0, 0, 2]]);
  const list = new NeighborFinder(cell, 8).neighborList();
  assert.equal(list.count, 33408);
  // the shortest pair is the SiI–SiI dimer (2.4155 Å): 8 SiI (8h) per cell pair into 4 dimers, ×8 cells, seen from both ends
  let min = Infinity;
  for (let p = 0; p < list.count; p++) min = Math.min(min, list.distances[p]);
  assert.ok(Math.abs(min - 2.4155) < 1e-3);
  assert.equal(list.distances.filter((d) => Math.abs(d - min) < 1e-9).length, 64);
});
