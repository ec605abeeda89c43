import { test } from 'node:test';
import assert from 'node:assert/strict';
import { substitutionPairs } from '../src/substitution/pairs.ts';
import { expandSubstitutions, substitutionKey } from '../src/substitution/substitution.ts';
import { supercell } from '../src/structure/supercell.ts';
import { ALPHA, bundled, ref } from './helpers.ts';

test('bcc 2×2×2: three configurations up to √2·a with multiplicities 64, 24, 24 and 1, 2, 4 images', () => {
  const a = 3.3004;
  const cell = supercell(bundled(ref('bcc-Nb')), [[2, 0, 0], [0, 2, 0], [0, 0, 2]]);
  const e = substitutionPairs(cell, { maxDistance: Math.SQRT2 * a + 1e-3 });
  assert.deepEqual(e.pairs.map((p) => p.multiplicity), [64, 24, 24]);
  assert.deepEqual(e.pairs.map((p) => p.imageDistances.length), [1, 2, 4]);
  const want = [(Math.sqrt(3) / 2) * a, a, Math.SQRT2 * a];
  e.pairs.forEach((p, k) => assert.ok(Math.abs(p.distance - want[k]) < 1e-9));
  assert.ok(e.pairs.every((p) => p.swappable));
  // every pair of atoms of the cell within the cutoff belongs to exactly one configuration
  assert.equal(e.pairs.reduce((n, p) => n + p.multiplicity, 0), 64 + 24 + 24);
});

test('fcc conventional cell: its 6 atom pairs are one configuration, each with 4 images at a/√2', () => {
  const a = 4.0495;
  const e = substitutionPairs(bundled(ref('fcc-Al')), { maxDistance: 1.1 * a });
  assert.equal(e.pairs.length, 1);
  assert.equal(e.pairs[0].multiplicity, 6);
  assert.equal(e.pairs[0].imageDistances.length, 4);
  assert.ok(e.pairs[0].imageDistances.every((d) => Math.abs(d - a / Math.SQRT2) < 1e-9));
});

test('α-Nb5Si3 1×1×1 within 3.6 Å: exactly 12 configurations, 2.415 to 3.565 Å', () => {
  const e = substitutionPairs(bundled(ALPHA), { maxDistance: 3.6 });
  assert.equal(e.pairs.length, 12);
  const first = e.pairs[0];
  assert.deepEqual([first.siteA, first.siteB, first.wyckoffA], ['SiI', 'SiI', '8h']);
  assert.ok(Math.abs(first.distance - 2.4155) < 1e-3);
  assert.ok(Math.abs(e.pairs[11].distance - 3.565) < 1e-3);
  assert.deepEqual(
    e.pairs.map((p) => `${p.siteA}-${p.siteB}`),
    ['SiI-SiI', 'NbI-SiI', 'NbII-SiI', 'NbII-SiI', 'NbII-SiII', 'NbII-NbII', 'NbI-SiII', 'NbI-NbII', 'NbII-NbII', 'NbII-NbII', 'NbII-NbII', 'NbII-NbII'],
  );
  // pairs of equivalent sites are swapped by an operation; mixed pairs cannot be
  for (const p of e.pairs) assert.equal(p.swappable, p.siteA === p.siteB);
  // the 32-atom cell has 196 atom pairs within 3.6 Å
  assert.equal(e.pairs.reduce((n, p) => n + p.multiplicity, 0), 196);
});

test('a 2×2×1 supercell separates periodic images: more configurations, each image farther', () => {
  const one = substitutionPairs(bundled(ALPHA), { maxDistance: 5.5 });
  const two = substitutionPairs(supercell(bundled(ALPHA), [[2, 0, 0], [0, 2, 0], [0, 0, 1]]), { maxDistance: 5.5 });
  assert.ok(two.pairs.length > one.pairs.length);
  // in the small cell the NbII–NbII pair listed at 4.93 Å has a nearer image at 3.11 Å; in 2×2×1 a pair at 4.93 Å exists as its own configuration
  assert.ok(two.pairs.some((p) => Math.abs(p.distance - 4.933) < 5e-3 && p.siteA === 'NbII' && p.siteB === 'NbII'));
  assert.ok(!one.pairs.some((p) => Math.abs(p.distance - 4.933) < 5e-3));
});

test('substitutions: 14 elements on a swappable pair give 105 distinct double and single substitutions', () => {
  const e = substitutionPairs(bundled(ALPHA), { maxDistance: 3.6 });
  const elements = ['B', 'Al', 'Si', 'Ti', 'V', 'Cr', 'Fe', 'Co', 'Ni', 'Y', 'Zr', 'Nb', 'Mo', 'Hf'];
  const dimer = expandSubstitutions(e, elements, [e.pairs[0]]); // SiI–SiI, host Si on both
  // unordered pairs of 14 elements with repetition (105) minus the pristine Si,Si
  assert.equal(dimer.length, 104);
  const mixed = expandSubstitutions(e, elements, [e.pairs[1]]); // NbI–SiI: ordered, 14 × 14 − pristine
  assert.equal(mixed.length, 195);
  assert.equal(new Set(mixed.map(substitutionKey)).size, 195);
});
