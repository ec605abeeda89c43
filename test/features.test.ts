import { test } from 'node:test';
import assert from 'node:assert/strict';
import { substitutionPairs, type PairEnumeration } from '../src/substitution/pairs.ts';
import { canonicalSubstitution, expandSubstitutions } from '../src/substitution/substitution.ts';
import { CeFeaturizer, featureNames } from '../src/features/ce.ts';
import { property } from '../src/features/elements.ts';
import { ALPHA, bundled } from './helpers.ts';
import { Structure } from '../src/structure/structure.ts';
import type { Vec3 } from '../src/structure/lattice.ts';

const alpha = substitutionPairs(bundled(ALPHA), { maxDistance: 3.6 });
const hostOf = (atom: number) => alpha.cell.sites[atom].element;
const close = (a: number[], b: number[], tol = 1e-9) => a.length === b.length && a.every((x, k) => Math.abs(x - b[k]) <= tol * (1 + Math.abs(x)));

/** Minimum-image distance between atoms i and j of a cell (Å). */
function atomDistance(cell: Structure, i: number, j: number): number {
  const [a, b] = [cell.sites[i].frac, cell.sites[j].frac];
  return cell.lattice.minimumImage([b[0] - a[0], b[1] - a[1], b[2] - a[2]]).distance;
}

/** (pair, operation) where the image of Ti@a, B@b gets another feature vector than the pair itself. */
function symmetryViolations(e: PairEnumeration, permutations: readonly Int32Array[]): string[] {
  const f = new CeFeaturizer(e, { values: 'both', aggregate: 'sum', host: true });
  const out: string[] = [];
  for (const pair of e.pairs) {
    const ref = f.featuresOf(pair.atomA, 'Ti', pair.atomB, 'B', pair.distance);
    permutations.forEach((perm, g) => {
      const [i, j] = [perm[pair.atomA], perm[pair.atomB]];
      if (!close(f.featuresOf(i, 'Ti', j, 'B', atomDistance(e.cell, i, j)), ref)) out.push(`pair ${pair.id}, operation ${g}`);
    });
    if (pair.swappable && !close(f.featuresOf(pair.atomB, 'B', pair.atomA, 'Ti', pair.distance), ref)) out.push(`pair ${pair.id} swapped`);
  }
  return out;
}

test('the atom permutations are the 32 operations of I4/mcm (4/mmm, order 16, times the 2 lattice points of the I cell), each mapping a pair to one at the same distance', () => {
  const { permutations, symmetry, cell } = alpha;
  assert.equal(symmetry.number, 140);
  assert.equal(permutations.length, 16 * 2);
  assert.equal(new Set(symmetry.operations.map((o) => JSON.stringify(o.rotation))).size, 16);
  const identity = JSON.stringify([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.equal(symmetry.operations.filter((o) => JSON.stringify(o.rotation) === identity).length, 2);
  const asKey = (p: Int32Array) => p.join(',');
  const all = new Set(permutations.map(asKey));
  assert.equal(all.size, permutations.length, 'two operations induce the same permutation');
  for (const p of permutations) {
    assert.equal(new Set(p).size, cell.length, 'not a bijection of the atoms');
    p.forEach((img, i) => assert.equal(cell.sites[img].element, cell.sites[i].element));
    // closed under composition: a group
    for (const q of permutations) assert.ok(all.has(asKey(p.map((i) => q[i]))));
  }
  for (const pair of alpha.pairs)
    for (const p of permutations) {
      const [i, j] = [p[pair.atomA], p[pair.atomB]];
      assert.ok(Math.abs(atomDistance(cell, i, j) - pair.distance) < 1e-6, `pair ${pair.id}`);
      assert.equal(alpha.configOf(i, j)?.id, pair.id);
    }
});

test('symmetry-equivalent substitutions get identical feature vectors, either end first; a cell that breaks the symmetry is caught', () => {
  assert.deepEqual(symmetryViolations(alpha, alpha.permutations), []);
  // move one Nb by 0.1 Å: the ideal cell's operations no longer map the environments onto each other
  const nb = alpha.cell.sites.findIndex((s) => s.element === 'Nb');
  const shifted = new Structure(
    alpha.cell.lattice,
    alpha.cell.sites.map((s, k) => ({ ...s, frac: k === nb ? ([s.frac[0] + 0.1 / alpha.cell.lattice.a, s.frac[1], s.frac[2]] as Vec3) : s.frac })),
  );
  assert.ok(symmetryViolations({ ...alpha, cell: shifted }, alpha.permutations).length > 0);
});

test('r^-1-weighted AET environments: SiII sees only Nb, SiI its Si dimer partner and 8 Nb', () => {
  const f = new CeFeaturizer(alpha, { properties: ['EN'], values: 'absolute', aggregate: 'mean', geometry: false });
  const siI = alpha.cell.sites.findIndex((s) => s.label === 'SiI');
  const siII = alpha.cell.sites.findIndex((s) => s.label === 'SiII');
  const [, envII] = f.endFeatures(siII, 'Si');
  assert.ok(Math.abs(envII - property('Nb', 'EN')!) < 1e-12);
  const site = f.site(siI);
  const w = site.shell.map((n) => 1 / n.distance);
  const want = site.shell.reduce((s, n, k) => s + w[k] * property(n.element, 'EN')!, 0) / w.reduce((a, b) => a + b, 0);
  assert.equal(site.cn, 9);
  assert.ok(Math.abs(f.endFeatures(siI, 'Si')[1] - want) < 1e-12);
  assert.ok(want > 1.6 && want < 1.9);
});

test('the partner counts in the environment only when it lies in the shell', () => {
  const f = new CeFeaturizer(alpha, { properties: ['EN'], values: 'relative', aggregate: 'sum', geometry: false });
  const dimer = alpha.pairs[0]; // SiI–SiI at 2.415 Å: each is in the other's AET
  const far = alpha.pairs.find((p) => p.siteA === 'NbII' && p.siteB === 'NbII' && p.distance > 3.5)!;
  const dv = f.features(canonicalSubstitution(dimer, 'B', 'B'));
  // block: [dC, dE]; B on the partner changes the environment by (EN_B − EN_Si)/2.4155
  const want = (property('B', 'EN')! - property('Si', 'EN')!) / dimer.distance;
  assert.ok(Math.abs(dv[1] - want) < 1e-9 && Math.abs(dv[3] - want) < 1e-9);
  assert.equal(dv[4 + 1], 1); // N2_in_shell1
  const fv = f.features(canonicalSubstitution(far, 'Ti', 'Ti'));
  const inShell = fv[5];
  assert.equal(inShell === 0, fv[1] === 0);
});

test('host-relative features of the pristine cell are the zero vector', () => {
  const f = new CeFeaturizer(alpha, { values: 'relative', aggregate: 'sum', geometry: false, host: false });
  for (const p of alpha.pairs) {
    const v = f.featuresOf(p.atomA, hostOf(p.atomA), p.atomB, hostOf(p.atomB), p.distance);
    assert.ok(v.slice(0, -3).every((x) => x === 0), `pair ${p.id}`);
  }
});

test('CEAET and CENN shells agree where the AET CN equals n and differ where it does not', () => {
  const aet = new CeFeaturizer(alpha, { env: 'aet' });
  const nn14 = new CeFeaturizer(alpha, { env: 'nn', nn: 14 });
  const nbI = alpha.cell.sites.findIndex((s) => s.label === 'NbI'); // AET CN 14
  const siI = alpha.cell.sites.findIndex((s) => s.label === 'SiI'); // AET CN 9
  assert.ok(close(aet.endFeatures(nbI, 'Ti'), nn14.endFeatures(nbI, 'Ti'), 1e-9));
  assert.ok(!close(aet.endFeatures(siI, 'B'), nn14.endFeatures(siI, 'B'), 1e-6));
  assert.equal(nn14.site(siI).cn, 14);
});

test('a single substitution is the pair with a host partner; the pristine cell is not enumerated', () => {
  const els = ['B', 'Ti'];
  const subs = expandSubstitutions(alpha, els);
  const pair = alpha.pairs[1]; // NbI–SiI: X on NbI from {Nb, B, Ti}, Y on SiI from {Si, B, Ti}
  const mine = subs.filter((s) => s.pair.id === pair.id);
  assert.equal(mine.length, 3 * 3 - 1);
  assert.ok(mine.some((s) => s.elementA === 'Ti' && s.elementB === 'Si'));
  assert.ok(!mine.some((s) => s.elementA === 'Nb' && s.elementB === 'Si'));
  const f = new CeFeaturizer(alpha);
  const single = f.features({ pair, elementA: 'Ti', elementB: 'Si' });
  assert.equal(single.length, featureNames(f.definition).length);
});

test('feature names read like the literature (PN_C, EC_E …) and match the vector length', () => {
  const f = new CeFeaturizer(alpha);
  assert.ok(f.names.includes('PN_C1') && f.names.includes('EC_E2') && f.names.includes('TN_C1'));
  assert.equal(f.features(canonicalSubstitution(alpha.pairs[0], 'B', 'Ti')).length, f.names.length);
});
