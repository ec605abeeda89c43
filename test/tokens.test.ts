import { test } from 'node:test';
import assert from 'node:assert/strict';
import { substitutionPairs } from '../src/substitution/pairs.ts';
import { CeFeaturizer, featureNames } from '../src/features/ce.ts';
import { realTokens, standardisedProperties } from '../src/features/tokens.ts';
import { ALPHA, bundled } from './helpers.ts';

const alpha = substitutionPairs(bundled(ALPHA), { maxDistance: 3.6 });
const f = new CeFeaturizer(alpha, { layout: 'tokens' });
const pair = f.tokenLayout('pair');
const P = pair.properties;
const col = (name: string) => pair.columns.indexOf(name);
const close = (a: number[], b: number[], tol = 1e-9) => a.length === b.length && a.every((x, k) => Math.abs(x - b[k]) <= tol * (1 + Math.abs(x)));
const tokensOf = (row: number[]) => realTokens(pair, row).map((t) => row.slice(t.offset, t.offset + pair.width));

test('token layout: 2 × 25 tokens of 13 properties + 7 columns, names match the flat row', () => {
  assert.deepEqual([pair.tokens, pair.width, P, pair.elementColumn, pair.maskColumn], [50, 20, 13, 18, 19]);
  assert.equal(featureNames(f.definition).length, 1000);
  assert.equal(f.names.length, 1000);
  assert.equal(f.names[pair.width + col('r')], 'A01_r');
});

test('each centre brings AET CN + 1 tokens, its shell ordered by distance; the partner is flagged in the other shell', () => {
  const cn: Record<string, number> = { NbI: 14, NbII: 16, SiI: 9, SiII: 10 };
  for (const p of alpha.pairs) {
    const row = f.featuresOf(p.atomA, 'Ti', p.atomB, 'B', p.distance);
    const toks = tokensOf(row);
    const [la, lb] = [alpha.cell.sites[p.atomA].label, alpha.cell.sites[p.atomB].label];
    assert.equal(toks.length, cn[la] + cn[lb] + 2, `pair ${p.id}`);
    for (const side of [0, 1]) {
      const seg = toks.filter((t) => t[P + 2] === side);
      assert.equal(seg[0][col('centre')], 1);
      assert.equal(seg.slice(1).every((t) => t[col('centre')] === 0), true);
      const r = seg.slice(1).map((t) => t[col('r')]);
      for (let k = 1; k < r.length; k++) assert.ok(r[k] >= r[k - 1] - 1e-9, `pair ${p.id} side ${side} not sorted`);
      // r^-1 weights of the default definition
      seg.slice(1).forEach((t) => assert.ok(Math.abs(t[col('w')] - 1 / t[col('r')]) < 1e-12));
      // the partner sits in this shell exactly when the pair is closer than the shell's edge
      const partners = seg.filter((t) => t[col('partner')] === 1);
      for (const t of partners) assert.ok(Math.abs(t[col('r')] - p.distance) < 1e-6, `partner at ${t[col('r')]} vs ${p.distance}`);
    }
  }
  // the shortest pair (NbI–NbI chain, 2.415 Å … the SiI dimer) is in both shells
  const nearest = [...alpha.pairs].sort((a, b) => a.distance - b.distance)[0];
  const toks = tokensOf(f.featuresOf(nearest.atomA, 'Ti', nearest.atomB, 'B', nearest.distance));
  const partnerTok = toks.filter((t) => t[col('partner')] === 1);
  assert.equal(new Set(partnerTok.map((t) => t[P + 2])).size, 2);
  // the partner seen from one shell is the other centre's element
  for (const t of partnerTok) {
    const otherCentre = toks.find((c) => c[col('centre')] === 1 && c[P + 2] !== t[P + 2])!;
    assert.equal(t[col('Z')], otherCentre[col('Z')]);
  }
});

test('symmetry-equivalent substitutions give identical token sequences, either end first', () => {
  for (const p of alpha.pairs) {
    const ref = f.featuresOf(p.atomA, 'Zr', p.atomB, 'Al', p.distance);
    for (const perm of alpha.permutations) assert.ok(close(f.featuresOf(perm[p.atomA], 'Zr', perm[p.atomB], 'Al', p.distance), ref), `pair ${p.id}`);
    if (p.swappable) assert.ok(close(f.featuresOf(p.atomB, 'Al', p.atomA, 'Zr', p.distance), ref));
  }
});

test('pristine tokens carry the host properties; the labels read like the science', () => {
  const p = alpha.pairs[0];
  const host = (a: number) => alpha.cell.sites[a].element;
  const row = f.featuresOf(p.atomA, host(p.atomA), p.atomB, host(p.atomB), p.distance);
  for (const t of tokensOf(row)) {
    const el = symbolOf(t[col('Z')]);
    assert.deepEqual(t.slice(0, P), standardisedProperties(el, f.definition.properties));
  }
  const labels = f.tokenLabels({ pair: p, elementA: 'Ti', elementB: host(p.atomB) });
  assert.equal(labels.length, tokensOf(row).length);
  assert.match(labels[0], /^(Ti|Nb|Si)@(NbI|NbII|SiI|SiII)$/);
  assert.match(labels[1], /^(Nb|Si|Ti)\*? \d\.\d\d Å \(A\)$/);
  // z-scores: Nb and Si sit on either side of the element means for electronegativity
  const en = f.definition.properties.indexOf('EN');
  assert.ok(standardisedProperties('Si', f.definition.properties)[en] > standardisedProperties('Nb', f.definition.properties)[en]);
});

test('single-site tokens: one segment, the centre then its shell', () => {
  const single = f.tokenLayout('single');
  const siII = alpha.cell.sites.findIndex((s) => s.label === 'SiII');
  const row = f.endFeatures(siII, 'B');
  const toks = realTokens(single, row);
  assert.equal(row.length, 25 * 20);
  assert.equal(toks.length, 11);
  assert.equal(row[toks[0].offset + single.elementColumn], 5);
  // SiII's shell is all Nb
  assert.ok(toks.slice(1).every((t) => t.Z === 41));
});

function symbolOf(Z: number): string {
  return Z === 41 ? 'Nb' : Z === 14 ? 'Si' : assert.fail(`unexpected Z ${Z}`);
}
