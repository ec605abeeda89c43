import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCif, parseCif, toCif } from '../src/structure/cif.ts';
import { parsePoscar, toPoscar } from '../src/structure/poscar.ts';
import { parseSupercellSpec, supercell, formatSupercell } from '../src/structure/supercell.ts';
import { readStructure, writeStructure, formatOf } from '../src/structure/io.ts';
import { Lattice, type Mat3, type Vec3, norm, sub } from '../src/structure/lattice.ts';
import { Structure } from '../src/structure/structure.ts';
import { InputError } from '../src/util/errors.ts';

const alpha = readCif('structures/alpha-Nb5Si3/structure.cif');
const bcc = readCif('structures/reference/bcc-Nb.cif');

function countByLabel(s: Structure): Record<string, number> {
  const out: Record<string, number> = {};
  for (const site of s.sites) out[site.label] = (out[site.label] ?? 0) + 1;
  return out;
}

/** Smallest periodic distance between any two atoms (Å). */
function minDistance(s: Structure): number {
  let best = Infinity;
  for (let i = 0; i < s.length; i++)
    for (let j = i + 1; j < s.length; j++) {
      const a = s.sites[i].frac;
      const b = s.sites[j].frac;
      best = Math.min(best, s.lattice.minimumImage([b[0] - a[0], b[1] - a[1], b[2] - a[2]]).distance);
    }
  return best;
}

test('parseSupercellSpec: diagonal and nine-integer forms', () => {
  const diag: Mat3 = [[2, 0, 0], [0, 2, 0], [0, 0, 1]];
  for (const s of ['2x2x1', '2X2X1', ' 2 x 2 x 1 ', '2,2,1', '2 2 1', '2 0 0 0 2 0 0 0 1', '2,0,0, 0,2,0, 0,0,1']) assert.deepEqual(parseSupercellSpec(s), diag, s);
  assert.deepEqual(parseSupercellSpec('1 1 0 -1 1 0 0 0 1'), [[1, 1, 0], [-1, 1, 0], [0, 0, 1]]);
  assert.equal(formatSupercell(diag), '2x2x1');
  assert.equal(formatSupercell([[1, 1, 0], [-1, 1, 0], [0, 0, 1]]), '1 1 0 -1 1 0 0 0 1');
  for (const bad of ['', '2x2', '2x2x1x1', '2.5x2x1', 'axbxc', '0x2x2', '-1x1x1', '1 1 0 1 1 0 0 0 1', '2 2 2 2 2 2 2 2', '1 0 0 0 1 0 0 0 -1', '1000x1000x1000']) {
    assert.throws(() => parseSupercellSpec(bad), InputError, bad);
  }
});

test('2x2x1 of alpha-Nb5Si3: 128 atoms, 4x volume, labels kept, nearest neighbours unchanged', () => {
  const s = supercell(alpha, '2x2x1');
  assert.equal(s.length, 128);
  assert.ok(Math.abs(s.lattice.volume - 4 * alpha.lattice.volume) < 1e-9);
  assert.ok(Math.abs(s.lattice.volume - 4 * 6.615034 ** 2 * 11.955468) < 1e-8);
  assert.deepEqual(countByLabel(s), { NbI: 16, NbII: 64, SiI: 32, SiII: 16 });
  assert.equal(s.formula(), 'Nb5Si3');
  // No atom doubled or lost: the closest pair is still the Si–Si dumbbell of the unit cell.
  assert.ok(Math.abs(minDistance(s) - minDistance(alpha)) < 1e-9);
  assert.equal(s.title, 'alpha-Nb5Si3 2x2x1');
});

test('a non-diagonal det-2 supercell of bcc Nb: 4 atoms on lattice points of the old cell', () => {
  const m: Mat3 = [[1, 1, 0], [-1, 1, 0], [0, 0, 1]];
  const s = supercell(bcc, m);
  assert.equal(s.length, 4);
  assert.ok(Math.abs(s.lattice.volume - 2 * bcc.lattice.volume) < 1e-9);
  assert.ok(Math.abs(s.lattice.a - 3.3004 * Math.SQRT2) < 1e-9);
  // Every atom sits on an old lattice point or on the body centre (the old atom positions).
  for (let i = 0; i < s.length; i++) {
    const f = bcc.lattice.toFractional(s.cartesian(i));
    const onCorner = f.every((x) => Math.abs(x - Math.round(x)) < 1e-9);
    const onCentre = f.every((x) => Math.abs(x - 0.5 - Math.round(x - 0.5)) < 1e-9);
    assert.ok(onCorner || onCentre, `atom ${i} at old fractional ${f}`);
  }
  // Nearest-neighbour distance of bcc is kept: a√3/2.
  assert.ok(Math.abs(minDistance(s) - (3.3004 * Math.sqrt(3)) / 2) < 1e-9);
  // The 8-fold coordination survives the change of cell.
  let n = 0;
  for (let j = 1; j < s.length; j++) {
    const a = s.sites[0].frac;
    const b = s.sites[j].frac;
    for (let x = -1; x <= 1; x++) for (let y = -1; y <= 1; y++) for (let z = -1; z <= 1; z++) {
      const r = s.lattice.toCartesian([b[0] - a[0] + x, b[1] - a[1] + y, b[2] - a[2] + z]);
      if (Math.abs(norm(r) - (3.3004 * Math.sqrt(3)) / 2) < 1e-6) n++;
    }
  }
  assert.equal(n, 8);
});

test('a sheared det-3 supercell keeps composition and density', () => {
  const m: Mat3 = [[1, 2, 0], [0, 1, 1], [1, 0, 1]]; // det 3
  const s = supercell(alpha, m);
  assert.equal(s.length, 96);
  assert.ok(Math.abs(s.lattice.volume - 3 * alpha.lattice.volume) < 1e-8);
  assert.deepEqual(countByLabel(s), { NbI: 12, NbII: 48, SiI: 24, SiII: 12 });
  assert.ok(Math.abs(minDistance(s) - minDistance(alpha)) < 1e-9);
});

/** Same elements, labels and Cartesian positions (same order) to tol Å. */
function assertSameAtoms(a: Structure, b: Structure, tol: number): void {
  assert.equal(b.length, a.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(b.sites[i].element, a.sites[i].element);
    assert.equal(b.sites[i].label, a.sites[i].label);
    const d = norm(sub(a.cartesian(i), b.cartesian(i)));
    // Atoms on a cell face may come back as the periodic image (0.99999999999 → 0).
    const dp = a.lattice.minimumImage(sub(a.sites[i].frac, b.lattice.toFractional(b.cartesian(i)))).distance;
    assert.ok(Math.min(d, dp) < tol, `atom ${i}: ${d} Å`);
  }
}

test('CIF round trip (write → read) keeps elements, labels and Cartesian positions to 1e-6 Å', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-cif-'));
  try {
    const hcp = readCif('structures/reference/hcp-Ti.cif');
    const odd = new Structure(Lattice.fromParameters(5.1, 6.2, 7.3, 81, 97, 112), [
      { element: 'Nb', label: 'Nb I', frac: [0.1, 0.2, 0.3] },
      { element: 'Si', label: "Si'2", frac: [0.7, 0.8, 0.999999999] },
      { element: 'Nb', label: 'Nb I', frac: [0.5, 0.5, 0.5] },
    ], 'odd cell with spaces');
    for (const s of [alpha, supercell(alpha, '2x2x1'), hcp, odd]) {
      const path = join(dir, 'x.cif');
      writeStructure(path, s);
      const back = readStructure(path);
      assertSameAtoms(s, back, 1e-6);
      assert.ok(Math.abs(back.lattice.volume - s.lattice.volume) < 1e-6);
      // The written file lists unique labels and the original site labels.
      const text = readFileSync(path, 'utf8');
      assert.match(text, /_atom_site_cescreen_site/);
    }
    assert.match(toCif(alpha), /^NbII_16 +Nb +NbII /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CIF round trip of a rotated (non-standard orientation) cell keeps fractional positions and metric', () => {
  const rotated = supercell(alpha, [[1, 1, 0], [-1, 1, 0], [0, 0, 1]]);
  const back = parseCif(toCif(rotated));
  assert.equal(back.length, 64);
  assert.ok(Math.abs(back.lattice.volume - 2 * alpha.lattice.volume) < 1e-6);
  for (let i = 0; i < rotated.length; i++) {
    assert.equal(back.sites[i].label, rotated.sites[i].label);
    const d = rotated.lattice.minimumImage(sub(back.sites[i].frac, rotated.sites[i].frac) as Vec3).distance;
    assert.ok(d < 1e-6, `atom ${i}: ${d}`);
  }
  assert.ok(Math.abs(minDistance(back) - minDistance(alpha)) < 1e-6);
});

test('POSCAR round trip keeps the lattice matrix, elements, labels and Cartesian positions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-poscar-'));
  try {
    const rotated = supercell(alpha, [[1, 1, 0], [-1, 1, 0], [0, 0, 1]]);
    for (const [name, s] of [['POSCAR', alpha], ['CONTCAR', rotated], ['x.vasp', supercell(bcc, '2x1x1')], ['y.poscar', readCif('structures/reference/C14-MgZn2.cif')]] as const) {
      const path = join(dir, name);
      writeStructure(path, s);
      const back = readStructure(path);
      assert.equal(back.length, s.length);
      // Grouped by element in order of first appearance: compare as multisets of (element, label, position).
      const key = (x: Structure, i: number) => `${x.sites[i].element}|${x.sites[i].label}|${x.cartesian(i).map((v) => v.toFixed(5)).join(',')}`;
      for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(back.lattice.matrix[k][j] - s.lattice.matrix[k][j]) < 1e-9);
      const want = new Map<string, number>();
      for (let i = 0; i < s.length; i++) want.set(key(s, i), i);
      for (let i = 0; i < back.length; i++) {
        const j = want.get(key(back, i));
        assert.ok(j !== undefined, `${name}: atom ${i} not found`);
        assert.ok(norm(sub(back.cartesian(i), s.cartesian(j))) < 1e-6);
      }
    }
    const text = toPoscar(alpha).split('\n');
    assert.deepEqual(text[5].trim().split(/\s+/), ['Nb', 'Si']);
    assert.deepEqual(text[6].trim().split(/\s+/), ['20', '12']);
    assert.equal(text[7], 'Direct');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parsePoscar: scale factors, Cartesian mode, selective dynamics, labels default to elements', () => {
  const c = 2.9506 * Math.sqrt(8 / 3);
  const text = (scale: string, mode: string, coords: string[]) =>
    `hcp Ti\n${scale}\n 1.0 0 0\n -0.5 ${Math.sqrt(3) / 2} 0\n 0 0 ${c / 2.9506}\nTi\n2\nSelective dynamics\n${mode}\n${coords.join('\n')}\n`;
  const direct = parsePoscar(text('2.9506', 'Direct', ['0.33333333 0.66666667 0.25 T T T', '0.66666667 0.33333333 0.75 F F F']));
  assert.ok(Math.abs(direct.lattice.a - 2.9506) < 1e-12);
  assert.deepEqual(direct.labels(), ['Ti']);
  const ideal = 2.9506; // ideal c/a: both neighbour shells at a
  assert.ok(Math.abs(minDistance(direct) - ideal) < 1e-6);
  // A negative scale is the volume.
  const vol = (Math.sqrt(3) / 2) * 2.9506 ** 2 * c;
  const byVolume = parsePoscar(text(`-${vol}`, 'Direct', ['0.33333333 0.66666667 0.25', '0.66666667 0.33333333 0.75']));
  assert.ok(Math.abs(byVolume.lattice.volume - vol) < 1e-9);
  assert.ok(Math.abs(byVolume.lattice.a - 2.9506) < 1e-9);
  // Cartesian coordinates are scaled too.
  const r1 = direct.cartesian(0).map((x) => x / 2.9506);
  const cart = parsePoscar(text('2.9506', 'Cartesian', [`${r1.join(' ')} T T T`, '0 0 0 F F F']));
  assert.ok(norm(sub(cart.sites[0].frac, direct.sites[0].frac)) < 1e-9);
});

test('parsePoscar errors are InputErrors on the right line', () => {
  const good = toPoscar(bcc);
  assert.equal(parsePoscar(good).length, 2);
  const lines = good.split('\n');
  const edit = (i: number, v: string) => lines.map((l, k) => (k === i ? v : l)).join('\n');
  const cases: [string, string, number, RegExp][] = [
    ['empty', '', 1, /empty/],
    ['bad scale', edit(1, 'abc'), 2, /scale factor/],
    ['bad lattice', edit(3, '0 1'), 4, /lattice vector 2/],
    ['flat cell', edit(4, '0 0 0'), 3, /volume/],
    ['VASP 4', edit(5, '2'), 6, /VASP 4/],
    ['unknown element', edit(5, 'Xx'), 6, /unknown element 'Xx'/],
    ['counts', edit(6, '2 1'), 7, /atom counts/],
    ['mode', edit(7, 'Fractional'), 8, /'Direct' or 'Cartesian'/],
    ['coordinate', edit(9, '0.5 0.5 zz'), 10, /three numbers for atom 2/],
    ['truncated', lines.slice(0, 9).join('\n'), 10, /ends early.*atom 2 of 2/],
  ];
  for (const [what, text, line, pattern] of cases) {
    assert.throws(() => parsePoscar(text, { file: 'POSCAR' }), (e: unknown) => e instanceof InputError && e.line === line && pattern.test(e.message) && e.file === 'POSCAR', what);
  }
});

test('readStructure / writeStructure choose the format from the name', () => {
  assert.equal(formatOf('a/b/POSCAR'), 'poscar');
  assert.equal(formatOf('CONTCAR'), 'poscar');
  assert.equal(formatOf('x.vasp'), 'poscar');
  assert.equal(formatOf('x.POSCAR'), 'poscar');
  assert.equal(formatOf('Nb5Si3.CIF'), 'cif');
  assert.equal(formatOf('notes.txt'), undefined);
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-io-'));
  try {
    assert.throws(() => writeStructure(join(dir, 'out.xyz'), alpha), InputError);
    assert.throws(() => readStructure(join(dir, 'missing.cif')), InputError);
    const two = join(dir, 'two.cif');
    writeFileSync(two, toCif(bcc) + toCif(alpha).replace('data_alpha-Nb5Si3', 'data_other'));
    assert.equal(readStructure(two).length, 2);
    assert.equal(readStructure(two, { block: 'other' }).length, 32);
    writeStructure(join(dir, 'POSCAR'), alpha);
    assert.throws(() => readStructure(join(dir, 'POSCAR'), { block: 'x' }), InputError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
