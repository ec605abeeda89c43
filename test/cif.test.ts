import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseCif, parseCifDetailed, readCif, readCifDetailed, listBlocks } from '../src/structure/cif.ts';
import { parseSymop, formatSymop, composeSymops, symopKey, applySymop, type Symop } from '../src/structure/symop.ts';
import { normaliseElement, SYMBOLS, atomicNumber } from '../src/structure/periodicTable.ts';
import { InputError } from '../src/util/errors.ts';
import type { Structure } from '../src/structure/structure.ts';
import type { Vec3 } from '../src/structure/lattice.ts';

const ALPHA = 'structures/alpha-Nb5Si3/structure.cif';
const ALPHA_P1 = 'structures/alpha-Nb5Si3/3D-ELAN-P1.cif';
const BETA = 'structures/beta-Nb5Si3/structure.cif';
const REF = 'structures/reference';

function countByLabel(s: Structure): Record<string, number> {
  const out: Record<string, number> = {};
  for (const site of s.sites) out[site.label] = (out[site.label] ?? 0) + 1;
  return out;
}

function distance(s: Structure, i: number, j: number): number {
  const a = s.sites[i].frac;
  const b = s.sites[j].frac;
  return s.lattice.minimumImage([b[0] - a[0], b[1] - a[1], b[2] - a[2]]).distance;
}

/** Shortest distance between atoms of elements e1 and e2. */
function shortest(s: Structure, e1: string, e2: string): number {
  let best = Infinity;
  for (let i = 0; i < s.length; i++)
    for (let j = 0; j < s.length; j++) {
      if (i === j || s.sites[i].element !== e1 || s.sites[j].element !== e2) continue;
      best = Math.min(best, distance(s, i, j));
    }
  return best;
}

/** Line (1-based) of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `test setup: '${needle}' not in text`);
  return i + 1;
}

function expectInputError(fn: () => unknown, line: number, pattern: RegExp): InputError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.equal(e.line, line, `line of: ${e.message}`);
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected an InputError matching ${pattern}`);
}

const CELL = (a = 5, b = 5, c = 5, al = 90, be = 90, ga = 90) =>
  `_cell_length_a ${a}\n_cell_length_b ${b}\n_cell_length_c ${c}\n_cell_angle_alpha ${al}\n_cell_angle_beta ${be}\n_cell_angle_gamma ${ga}\n`;
const ATOMS = (rows: string[], extra: string[] = []) =>
  `loop_\n_atom_site_label\n${extra.map((t) => t + '\n').join('')}_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${rows.join('\n')}\n`;

// ------------------------------------------------------------- bundled files

test('alpha-Nb5Si3: 32 atoms on the four sites, Nb5Si3, V = a²c', () => {
  const d = readCifDetailed(ALPHA);
  const s = d.structure;
  assert.equal(s.length, 32);
  assert.deepEqual(countByLabel(s), { NbI: 4, NbII: 16, SiI: 8, SiII: 4 });
  assert.equal(s.formula(), 'Nb5Si3');
  assert.ok(Math.abs(s.lattice.volume - 6.615034 ** 2 * 11.955468) < 1e-9);
  assert.ok(Math.abs(s.lattice.volume - 523.155) < 1e-3);
  assert.equal(d.operations.length, 32);
  assert.equal(d.spaceGroup.number, 140);
  assert.deepEqual(d.asymmetricUnit.map((a) => [a.label, a.multiplicity]), [['NbI', 4], ['NbII', 16], ['SiI', 8], ['SiII', 4]]);
  for (const site of s.sites) assert.equal(site.element, site.label.startsWith('Nb') ? 'Nb' : 'Si');
  // NbI–SiII along c: (0,0,0)–(0,0,1/4) is c/4 apart.
  const nbI = s.sites.findIndex((x) => x.label === 'NbI');
  const siII = s.sites.map((_, i) => i).filter((i) => s.sites[i].label === 'SiII');
  assert.ok(Math.abs(Math.min(...siII.map((j) => distance(s, nbI, j))) - 11.955468 / 4) < 1e-9);
  // The Si–Si dumbbell of the 8h site: (x, x+1/2, 0) to (1-x, 3/2-x, 0), i.e. (1-2x)(a+b), length √2·a·(1-2x).
  assert.ok(Math.abs(shortest(s, 'Si', 'Si') - Math.SQRT2 * 6.615034 * (1 - 2 * 0.3709)) < 1e-9);
});

test('the 3D-ELAN P1 cell is the symmetrised alpha cell: same 32 positions, same origin and setting', () => {
  const sym = readCif(ALPHA);
  const p1 = readCif(ALPHA_P1);
  assert.equal(p1.length, 32);
  assert.equal(p1.formula(), 'Nb5Si3');
  for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(p1.lattice.matrix[k][j] - sym.lattice.matrix[k][j]) < 1e-9);
  // One-to-one match without any origin shift: the P1 file is in the standard setting.
  const used = new Set<number>();
  let worst = 0;
  const labelOf: Record<string, string> = {};
  p1.sites.forEach((a) => {
    let best = -1;
    let bestD = Infinity;
    sym.sites.forEach((b, j) => {
      const d = Math.max(...[0, 1, 2].map((k) => {
        const x = Math.abs(a.frac[k] - b.frac[k]);
        return Math.min(x, 1 - x);
      }));
      if (d < bestD) [best, bestD] = [j, d];
    });
    assert.ok(bestD < 1e-4, `P1 atom ${a.label} has no partner (closest ${bestD})`);
    assert.ok(!used.has(best), 'two P1 atoms map onto one site');
    assert.equal(sym.sites[best].element, a.element);
    used.add(best);
    worst = Math.max(worst, bestD);
    labelOf[a.label] = sym.sites[best].label;
  });
  assert.equal(used.size, 32);
  assert.ok(worst < 1e-5, `largest deviation ${worst}`); // 0.16624350 vs 0.16624 etc.
  for (const n of ['Nb8', 'Nb9', 'Nb18', 'Nb19']) assert.equal(labelOf[n], 'NbI');
  for (const n of ['Si24', 'Si25', 'Si30', 'Si31']) assert.equal(labelOf[n], 'SiII');
});

test('beta-Nb5Si3 (W5Si3 type): 4 + 16 + 4 + 8 atoms, Nb5Si3', () => {
  const s = readCif(BETA);
  assert.deepEqual(countByLabel(s), { NbI: 4, NbII: 16, SiI: 4, SiII: 8 });
  assert.equal(s.formula(), 'Nb5Si3');
  assert.ok(Math.abs(s.lattice.volume - 10.06 * 10.06 * 5.07) < 1e-9);
  // NbI 4b (0,1/2,1/4) and SiI 4a (0,0,1/4) chains along c: spacing c/2.
  const nbI = s.sites.map((x, i) => [x, i] as const).filter(([x]) => x.label === 'NbI').map(([, i]) => i);
  assert.ok(Math.abs(distance(s, nbI[0], nbI.find((j) => Math.abs(distance(s, nbI[0], j) - 5.07 / 2) < 1e-9)!) - 2.535) < 1e-9);
});

test('reference crystals: atom counts, formulas and nearest-neighbour distances from their lattice constants', () => {
  const cases: [string, number, string, (s: Structure) => void][] = [
    ['bcc-Nb.cif', 2, 'Nb', (s) => assert.ok(Math.abs(shortest(s, 'Nb', 'Nb') - (3.3004 * Math.sqrt(3)) / 2) < 1e-9)],
    ['fcc-Al.cif', 4, 'Al', (s) => assert.ok(Math.abs(shortest(s, 'Al', 'Al') - 4.0495 / Math.SQRT2) < 1e-9)],
    ['hcp-Ti.cif', 2, 'Ti', (s) => {
      assert.ok(Math.abs(s.lattice.c / s.lattice.a - Math.sqrt(8 / 3)) < 1e-8);
      // Ideal c/a: the in-plane and out-of-plane neighbours are both at a.
      assert.ok(Math.abs(distance(s, 0, 1) - 2.9506) < 1e-6);
    }],
    ['A15-Cr3Si.cif', 8, 'Cr3Si', (s) => {
      assert.deepEqual(countByLabel(s), { Cr: 6, Si: 2 });
      assert.ok(Math.abs(shortest(s, 'Cr', 'Cr') - 4.556 / 2) < 1e-9); // chains along the cube axes
      assert.ok(Math.abs(shortest(s, 'Cr', 'Si') - 4.556 * Math.sqrt(5) / 4) < 1e-9);
    }],
    ['C15-MgCu2.cif', 24, 'Cu2Mg', (s) => {
      assert.deepEqual(countByLabel(s), { Mg: 8, Cu: 16 });
      assert.ok(Math.abs(shortest(s, 'Cu', 'Cu') - 7.04 * Math.SQRT2 / 4) < 1e-9);
      assert.ok(Math.abs(shortest(s, 'Mg', 'Mg') - 7.04 * Math.sqrt(3) / 4) < 1e-9);
    }],
    ['C14-MgZn2.cif', 12, 'MgZn2', (s) => {
      assert.deepEqual(countByLabel(s), { Mg: 4, Zn1: 2, Zn2: 6 });
      assert.ok(Math.abs(s.lattice.volume - (Math.sqrt(3) / 2) * 5.221 ** 2 * 8.567) < 1e-9);
    }],
  ];
  for (const [file, n, formula, check] of cases) {
    const s = readCif(`${REF}/${file}`);
    assert.equal(s.length, n, file);
    assert.equal(s.formula(), formula, file);
    check(s);
  }
  // every reference file names its published source in a comment line
  for (const f of readdirSync(REF).filter((x) => x.endsWith('.cif'))) {
    assert.match(readFileSync(`${REF}/${f}`, 'utf8'), /^#.*(Source: .*\d{4}|Pearson's Handbook)/m, `${f}: no source comment`);
  }
});

test('bundled operation lists are complete groups of the right order', () => {
  const order: Record<string, number> = {
    [ALPHA]: 32, [BETA]: 32,
    [`${REF}/bcc-Nb.cif`]: 96, [`${REF}/fcc-Al.cif`]: 192, [`${REF}/hcp-Ti.cif`]: 24,
    [`${REF}/A15-Cr3Si.cif`]: 48, [`${REF}/C15-MgCu2.cif`]: 192, [`${REF}/C14-MgZn2.cif`]: 24,
  };
  for (const [file, n] of Object.entries(order)) {
    const ops = readCifDetailed(file).operations;
    const keys = new Set(ops.map(symopKey));
    assert.equal(keys.size, n, `${file}: distinct operations`);
    assert.equal(symopKey(ops[0]), symopKey(parseSymop('x,y,z')), `${file}: identity first`);
    for (const a of ops) for (const b of ops) assert.ok(keys.has(symopKey(composeSymops(a, b))), `${file}: not closed`);
    // The text form round-trips.
    for (const op of ops) assert.equal(symopKey(parseSymop(formatSymop(op))), symopKey(op));
  }
});

// ------------------------------------------------------------- symmetry operations

test('parseSymop reads fractions, decimals, either order and upper case', () => {
  const a = parseSymop('-x+1/2, y, z+0.25');
  assert.deepEqual(a.rotation, [[-1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.deepEqual(a.translation, [0.5, 0, 0.25]);
  const b = parseSymop('x-y,x,z+1/2');
  assert.deepEqual(b.rotation, [[1, -1, 0], [1, 0, 0], [0, 0, 1]]);
  assert.deepEqual(b.translation, [0, 0, 0.5]);
  const c = parseSymop(" 1/2+X , -Y,  -z-1/3 ");
  assert.deepEqual(c.rotation, [[1, 0, 0], [0, -1, 0], [0, 0, -1]]);
  assert.ok(Math.abs(c.translation[2] + 1 / 3) < 1e-15);
  assert.deepEqual(applySymop(b, [0.3, 0.1, 0.2]).map((v) => +v.toFixed(12)), [0.2, 0.3, 0.7]);
  assert.equal(formatSymop(a), '-x+1/2, y, z+1/4');
  assert.equal(formatSymop(b), 'x-y, x, z+1/2');
});

test('parseSymop rejects what is not an operation', () => {
  for (const bad of ['x,y', 'x,y,z,x', 'x,y,q', 'x,x,z', '0.5x,y,z', 'x+,y,z', 'xy,y,z', 'x,,z', 'x,y,z+1/0', 'foo, bar, baz']) {
    assert.throws(() => parseSymop(bad, { file: 'f.cif', line: 7 }), (e: unknown) => e instanceof InputError && e.line === 7 && e.message.includes(bad), bad);
  }
});

// ------------------------------------------------------------- elements

test('normaliseElement maps symbols, labels and ions to elements', () => {
  const cases: [string, string | undefined][] = [
    ['Nb', 'Nb'], ['NB', 'Nb'], ['nb', 'Nb'], ['Nb2+', 'Nb'], ['Nb1', 'Nb'], ['NbII', 'Nb'], ['Si2a', 'Si'],
    ['O2-', 'O'], ['O1', 'O'], ['W', 'W'], ['Nb_pv', 'Nb'], ['Og', 'Og'], ['Xx', undefined], ['12', undefined], ['', undefined], ['?', undefined],
  ];
  for (const [raw, want] of cases) assert.equal(normaliseElement(raw), want, raw);
  assert.equal(SYMBOLS.length, 119);
  assert.equal(atomicNumber('Nb'), 41);
  assert.equal(atomicNumber('Si'), 14);
  assert.equal(atomicNumber('Og'), 118);
});

// ------------------------------------------------------------- syntax

test('quotes, text fields, comments and standard uncertainties', () => {
  const text = `# a comment line
data_syntax
_publ_section_title
;
 A title over lines with loop_ and _fake_tag and 'quotes' inside,
 which must stay text.
;
_chemical_name_common "it's Nb"   # trailing comment
_journal_name_full 'Acta "quoted" Cryst'
_cell_length_a 6.6150(3)
_cell_length_b 6.6150(3)
_cell_length_c 11.955(12)
_cell_angle_alpha 90.0
_cell_angle_beta 90
_cell_angle_gamma 90.00(1)
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
'Nb 1' Nb 0.1234(5) 0.25 0.5 1.0
"Si 2" Si .5 -0.25 1.25(11) 0.995
`;
  const s = parseCif(text);
  assert.equal(s.title, 'syntax');
  assert.ok(Math.abs(s.lattice.a - 6.615) < 1e-12);
  assert.ok(Math.abs(s.lattice.c - 11.955) < 1e-12);
  assert.deepEqual(s.sites.map((x) => x.label), ['Nb 1', 'Si 2']);
  assert.deepEqual(s.sites[0].frac, [0.1234, 0.25, 0.5]);
  assert.deepEqual(s.sites[1].frac, [0.5, 0.75, 0.25]); // wrapped into [0,1)
});

test('elements come from _atom_site_type_symbol, else from the label', () => {
  const fromLabel = parseCif(`data_l\n${CELL()}${ATOMS(['Nb1 0 0 0', 'Si2a 0.5 0.5 0.5', "O2- 0.5 0 0", 'NB3 0 0.5 0'])}`);
  assert.deepEqual(fromLabel.sites.map((x) => x.element), ['Nb', 'Si', 'O', 'Nb']);
  assert.deepEqual(fromLabel.labels(), ['Nb1', 'Si2a', 'O2-', 'NB3']);
  // The type symbol wins over a misleading label; '?' falls back to the label.
  const typed = parseCif(`data_t\n${CELL()}${ATOMS(['Co1 Nb2+ 0 0 0', 'Si1 ? 0.5 0.5 0.5'], ['_atom_site_type_symbol'])}`);
  assert.deepEqual(typed.sites.map((x) => x.element), ['Nb', 'Si']);
  assert.deepEqual(typed.labels(), ['Co1', 'Si1']);
});

test('both symmetry-operation tags give the same structure; no tag means identity only', () => {
  const ops = ["'x, y, z'", "'-x, -y, z'", "'-y, x, z+1/2'", "'y, -x, z+0.5'"];
  const body = `${CELL(4, 4, 6)}${ATOMS(['Ti1 0.1 0.2 0.3', 'Ti2 0 0 0'])}`;
  const modern = parseCifDetailed(`data_a\nloop_\n_space_group_symop_operation_xyz\n${ops.join('\n')}\n${body}`);
  const old = parseCifDetailed(`data_b\nloop_\n_symmetry_equiv_pos_site_id\n_symmetry_equiv_pos_as_xyz\n${ops.map((o, i) => `${i + 1} ${o}`).join('\n')}\n${body}`);
  assert.equal(modern.operations.length, 4);
  // Ti1 in a general position gives 4 atoms; Ti2 on the 4-fold axis gives 2 (z and z+1/2).
  assert.deepEqual(countByLabel(modern.structure), { Ti1: 4, Ti2: 2 });
  assert.deepEqual(modern.asymmetricUnit.map((a) => a.multiplicity), [4, 2]);
  assert.deepEqual(modern.structure.sites.map((x) => x.frac), old.structure.sites.map((x) => x.frac));
  const none = parseCifDetailed(`data_c\n_symmetry_space_group_name_H-M 'P 1'\n${body}`);
  assert.equal(none.operations.length, 1);
  assert.equal(none.structure.length, 2);
});

test('data blocks: default is the first block with atoms; --block picks by name; unknown names list the others', () => {
  const text = `data_global\n_journal_name_full 'J'\n\ndata_first\n${CELL(3)}${ATOMS(['Nb1 0 0 0'])}\ndata_Second\n${CELL(4, 4, 4)}${ATOMS(['Al1 0 0 0', 'Al2 0.5 0.5 0'])}`;
  assert.deepEqual(listBlocks(text), ['global', 'first', 'Second']);
  const d = parseCif(text);
  assert.equal(d.title, 'first');
  assert.equal(d.length, 1);
  const s = parseCif(text, { block: 'second' }); // block names are case-insensitive
  assert.equal(s.title, 'Second');
  assert.equal(s.formula(), 'Al');
  assert.ok(Math.abs(s.lattice.volume - 64) < 1e-9);
  const e = expectInputError(() => parseCif(text, { block: 'third', file: 'x.cif' }), 1, /no data block 'third'.*global, first, Second/);
  assert.equal(e.file, 'x.cif');
  expectInputError(() => parseCif(text, { block: 'global' }), 1, /'global' has no atoms.*with atoms: first, Second/);
});

test('images of one site that coincide are merged; the tolerance is in Å', () => {
  const ops = ['x,y,z', '-x,-y,-z', '-x,y,z', 'x,-y,z', 'x,y,-z', '-x,-y,z', '-x,y,-z', 'x,-y,-z'];
  const head = `data_m\n${CELL(5, 5, 5)}loop_\n_symmetry_equiv_pos_as_xyz\n${ops.map((o) => `'${o}'`).join('\n')}\n`;
  // mmm: a general position has 8 images, (0,0,0) one, (x,0,0) two, (1/2,1/2,z) two.
  const s = parseCif(head + ATOMS(['A1 Nb 0.1 0.2 0.3', 'B1 Nb 0 0 0', 'C1 Si 0.3 0 0', 'D1 Si 0.5 0.5 0.2'], ['_atom_site_type_symbol']));
  assert.deepEqual(countByLabel(s), { A1: 8, B1: 1, C1: 2, D1: 2 });
  // 0.0006 × 5 Å = 0.003 Å off the mirror: mirror images are 0.006 Å apart.
  const near = head + ATOMS(['B1 0.0006 0 0']);
  assert.equal(parseCif(near).length, 1);
  assert.equal(parseCif(near, { mergeTolerance: 0.001 }).length, 2);
  // The same site written twice is one site.
  assert.equal(parseCif(head + ATOMS(['B1 0 0 0', 'B1 0 0 0'])).length, 1);
});

test('different sites on one position: an error naming both', () => {
  const text = `data_c\n${CELL()}loop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\n-x,-y,-z\n${ATOMS(['Nb1 0.2 0.2 0.2', 'Si1 0.8 0.8 0.8'])}`;
  expectInputError(() => parseCif(text), lineOf(text, 'Si1'), /sites Nb1 .*and Si1/);
  // the same element written twice under two labels is one atom, with a warning naming both
  const same = parseCifDetailed(`data_c\n${CELL()}${ATOMS(['NbA 0.2 0.2 0.2', 'NbB 0.2005 0.2 0.2'])}`);
  assert.equal(same.structure.length, 1);
  assert.match(same.warnings.join('\n'), /site NbB .* site NbA .*counted once/);
});

test('partial occupancy is refused and names the site', () => {
  const text = `data_o\n${CELL()}${ATOMS(['Nb1 1.0 0 0 0', 'Nb2 0.5 0.5 0.5 0.5', 'Si1 0.995 0 0.5 0'], ['_atom_site_occupancy'])}`;
  expectInputError(() => parseCif(text), lineOf(text, 'Nb2'), /partial occupancy 0\.5 on site Nb2 is not supported/);
  const ok = `data_o\n${CELL()}${ATOMS(['Nb1 1.0 0 0 0', 'Si1 0.995 0 0.5 0', 'Si2 ? 0.5 0 0'], ['_atom_site_occupancy'])}`;
  assert.equal(parseCif(ok).length, 3);
});

// ------------------------------------------------------------- bad input

test('each class of bad input is an InputError on the right line', () => {
  const good = `data_g\n${CELL()}${ATOMS(['Nb1 0 0 0'])}`;
  assert.equal(parseCif(good).length, 1);
  const cases: [string, string, number | string, RegExp][] = [
    ['empty file', '', 1, /empty/],
    ['only comments', '# nothing\n\n', 1, /empty/],
    ['no data block', `${CELL()}`, 1, /expected a data_ block header/],
    ['truncated loop', good.slice(0, good.lastIndexOf(' 0')), 'Nb1 0 0', /last row has 3 of 4 values/],
    ['truncated text field', `data_t\n_title\n;\nsome text\n`, 3, /never closed/],
    ['unterminated quote', `data_q\n_title 'abc\n`, 2, /unterminated/],
    ['tag without value', `data_v\n${CELL().replace('_cell_angle_gamma 90\n', '')}_cell_angle_gamma\n`, '_cell_angle_gamma', /has no value/],
    ['missing cell parameter', `data_m\n${CELL().replace('_cell_length_b 5\n', '')}${ATOMS(['Nb1 0 0 0'])}`, 1, /missing _cell_length_b/],
    ['unknown cell value', `data_m\n${CELL().replace('_cell_length_b 5', '_cell_length_b ?')}${ATOMS(['Nb1 0 0 0'])}`, '_cell_length_b', /missing _cell_length_b/],
    ['negative length', `data_n\n${CELL(5, -5)}${ATOMS(['Nb1 0 0 0'])}`, '_cell_length_b', /positive length/],
    ['zero volume', `data_z\n${CELL(5, 5, 5, 120, 120, 120)}${ATOMS(['Nb1 0 0 0'])}`, '_cell_length_a', /zero or negative volume/],
    ['nearly flat cell', `data_f\n${CELL(5, 5, 5, 119.95, 119.95, 119.95)}${ATOMS(['Nb1 0 0 0'])}`, '_cell_length_a', /the cell is 0\.\d+ Å thick across its .* faces \(expected at least 0\.5 Å/],
    ['cell edge beyond 1000 Å', `data_f\n${CELL(5, 5, 20000)}${ATOMS(['Nb1 0 0 0'])}`, '_cell_length_a', /a cell edge of 20000\.0 Å is longer than the 1000 Å cescreen reads/],
    ['text as number', `data_z\n${CELL().replace('_cell_angle_beta 90', '_cell_angle_beta ninety')}${ATOMS(['Nb1 0 0 0'])}`, 'ninety', /expected a number/],
    ['unknown element', `data_u\n${CELL()}${ATOMS(['Nb1 0 0 0', 'Xx1 0.5 0.5 0.5'])}`, 'Xx1', /unknown element 'Xx1'/],
    ['unknown type symbol', `data_u\n${CELL()}${ATOMS(['Nb1 Qq 0 0 0'], ['_atom_site_type_symbol'])}`, 'Nb1 Qq', /unknown element 'Qq'/],
    ['non-numeric coordinate', `data_c\n${CELL()}${ATOMS(['Nb1 0 0 0', 'Nb2 0.5 abc 0.5'])}`, 'Nb2', /non-numeric coordinate _atom_site_fract_y = 'abc'/],
    ['missing coordinate', `data_c\n${CELL()}${ATOMS(['Nb1 0 ? 0'])}`, 'Nb1', /non-numeric coordinate/],
    ['bad symmetry operation', `data_s\n${CELL()}loop_\n_space_group_symop_operation_xyz\n'x, y, z'\n'-x, y, w'\n${ATOMS(['Nb1 0 0 0'])}`, "'-x, y, w'", /cannot read symmetry operation '-x, y, w'/],
    ['unknown space group without operations', `data_s\n_symmetry_space_group_name_H-M 'I 4/q c m'\n${CELL()}${ATOMS(['Nb1 0 0 0'])}`, 2, /'I 4\/q c m', which is not a symbol cescreen knows, and lists no symmetry operations/],
    ['space-group number out of range', `data_s\n${CELL()}_space_group_IT_number 231\n${ATOMS(['Nb1 0 0 0'])}`, '_space_group_IT_number', /231 is not a space-group number/],
    ['atom loop without fract', `data_f\n${CELL()}loop_\n_atom_site_label\n_atom_site_Cartn_x\n_atom_site_Cartn_y\n_atom_site_Cartn_z\nNb1 0 0 0\n`, 'loop_', /no _atom_site_fract_x.*Cartesian/],
    ['atom loop without fract_z', `data_f\n${CELL()}loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\nNb1 0 0\n`, 'loop_', /no _atom_site_fract_z/],
    ['conflicting duplicate tag', `data_d\n${CELL()}_cell_length_a 6\n${ATOMS(['Nb1 0 0 0'])}`, '_cell_length_a 6', /appears twice.*different value \('5' vs '6'\)/],
    ['conflicting duplicate loop', `data_d\n${CELL()}loop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\nloop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\n-x,-y,-z\n${ATOMS(['Nb1 0 0 0'])}`, 11, /appears twice.*different values/],
    ['stray value after a cell parameter', `data_d\n${CELL()}oops\n${ATOMS(['Nb1 0 0 0'])}`, 'oops', /unexpected value 'oops'/],
    ['label outside the formula', `data_w\n_chemical_formula_sum 'Ca S O6 H4'\n${CELL()}${ATOMS(['Ca1 0 0 0', 'O1 0.5 0.5 0.5', 'Nb1 0.5 0 0'])}`, 'Nb1', /label 'Nb1' reads as Nb or N, not an element of _chemical_formula_sum \(H O S Ca\)/],
    ['multi-line quote that never closes', `data_q\n_journal_name_full 'Acta\nCryst\n_cell_length_a 5\n`, 2, /unterminated single-quoted/],
    ['multi-line quote inside a loop', `data_q\n${CELL()}loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n'Nb 1 0 0 0\n'Nb 2' 0.5 0.5 0.5\n`, "'Nb 1 0", /unterminated single-quoted/],
    ['loop without values', `data_d\n${CELL()}loop_\n_atom_site_label\n_atom_site_fract_x\n`, 'loop_', /no values/],
    ['no atoms anywhere', `data_d\n${CELL()}`, 1, /no data block with atoms/],
    ['coordinate overflow', `data_c\n${CELL()}${ATOMS(['Nb1 1e400 0 0'])}`, 'Nb1', /non-numeric coordinate/],
  ];
  for (const [what, text, where, pattern] of cases) {
    const line = typeof where === 'number' ? where : lineOf(text, where);
    const e = (() => {
      try {
        parseCif(text, { file: 'bad.cif' });
      } catch (err) {
        return err;
      }
      assert.fail(`${what}: no error`);
    })();
    assert.ok(e instanceof InputError, `${what}: ${(e as Error).name} ${(e as Error).message}`);
    assert.equal(e.file, 'bad.cif', what);
    assert.equal(e.line, line, `${what}: ${e.message}`);
    assert.match(e.message, pattern, what);
    assert.ok(e.message.startsWith(`bad.cif:${line}: `), what);
  }
});

test('readCif on a missing file is an InputError', () => {
  assert.throws(() => readCif('structures/no-such-file.cif'), (e: unknown) => e instanceof InputError && /cannot read/.test(e.message));
});

test('operations from the file are exposed for pair enumeration', () => {
  const d = readCifDetailed(ALPHA);
  // Every operation maps the structure onto itself.
  const s = d.structure;
  const key = (f: Vec3, el: string) => `${el}:${f.map((x) => (Math.round(x * 1e4) % 1e4 + 1e4) % 1e4).join(',')}`;
  const all = new Set(s.sites.map((x) => key(x.frac, x.element)));
  const wrap = (f: Vec3) => f.map((x) => x - Math.floor(x)) as Vec3;
  for (const op of d.operations as Symop[]) for (const site of s.sites) assert.ok(all.has(key(wrap(applySymop(op, site.frac)), site.element)));
});

test('a single atom written without loop_ is read as a one-row atom table', () => {
  const s = parseCif(`data_one\n${CELL(3.3, 3.3, 3.3)}_space_group_symop_operation_xyz 'x,y,z'\n_atom_site_label Nb1\n_atom_site_fract_x 0.5\n_atom_site_fract_y 0\n_atom_site_fract_z 1.25\n`);
  assert.equal(s.length, 1);
  assert.deepEqual(s.sites[0], { element: 'Nb', label: 'Nb1', frac: [0.5, 0, 0.25] });
  assert.ok(Math.abs(s.lattice.volume - 3.3 ** 3) < 1e-9);
});
