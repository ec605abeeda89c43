/**
 * What real CIF files written by other programs do, and what the reader makes of it:
 * symmetry from a space-group symbol, Hall symbol or number; repeated tags;
 * labels that are not element symbols; quirks tolerated with a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseCif, parseCifDetailed } from '../src/structure/cif.ts';
import { analyzeSymmetry } from '../src/structure/symmetry.ts';
import { settingFromHall, settingsFromHermannMauguin, settingsOfNumber, settingOfHallNumber } from '../src/structure/spaceGroups.ts';
import { composeSymops, symopKey } from '../src/structure/symop.ts';
import { elementSymbol, normaliseElement } from '../src/structure/periodicTable.ts';
import { InputError } from '../src/util/errors.ts';
import type { Structure } from '../src/structure/structure.ts';
import { ALPHA, BETA, repoPath } from './helpers.ts';

const CELL = (a: number, b: number, c: number, al = 90, be = 90, ga = 90) =>
  `_cell_length_a ${a}\n_cell_length_b ${b}\n_cell_length_c ${c}\n_cell_angle_alpha ${al}\n_cell_angle_beta ${be}\n_cell_angle_gamma ${ga}\n`;
const ATOMS = (rows: string[], extra: string[] = []) =>
  `loop_\n_atom_site_label\n${extra.map((t) => t + '\n').join('')}_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${rows.join('\n')}\n`;

/** The text without its symmetry-operation loop (and without any tag listed in `drop`). */
function withoutOperations(text: string, drop: RegExp[] = []): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    const t = line.trim().toLowerCase();
    if (t === 'loop_') skipping = false;
    if (/^_(space_group_symop|symmetry_equiv_pos)/.test(t)) {
      skipping = true;
      if (out.at(-1)?.trim().toLowerCase() === 'loop_') out.pop();
      continue;
    }
    if (skipping && !t.startsWith('_') && t !== 'loop_') continue;
    skipping = false;
    if (drop.some((d) => d.test(line))) continue;
    out.push(line);
  }
  return out.join('\n');
}

/** Sorted element + rounded fractional coordinates: equal for the same atoms in any order. */
function atomKeys(s: Structure): string[] {
  const r = (x: number) => ((Math.round(x * 1e4) % 1e4) + 1e4) % 1e4;
  return s.sites.map((a) => `${a.element} ${a.frac.map(r).join(' ')}`).sort();
}

const BUNDLED = [ALPHA, BETA, ...readdirSync(repoPath('structures/reference')).filter((f) => f.endsWith('.cif')).map((f) => `structures/reference/${f}`)];

test('every bundled CIF without its operation loop gives the same atoms from its H-M symbol, from its IT number, and from the Hall symbol', () => {
  let checked = 0;
  for (const path of BUNDLED) {
    const text = readFileSync(repoPath(path), 'utf8');
    const full = parseCifDetailed(text);
    assert.equal(full.operationsFrom, 'file', path);
    const expected = atomKeys(full.structure);
    const bySymbol = parseCifDetailed(withoutOperations(text));
    assert.equal(bySymbol.operationsFrom, 'symbol', path);
    assert.deepEqual(atomKeys(bySymbol.structure), expected, `${path}: from the H-M symbol (${bySymbol.spaceGroup.setting?.symbol})`);
    assert.match(bySymbol.warnings.join('\n'), /no symmetry operations listed: used the \d+ of/, path);
    const byNumber = parseCif(withoutOperations(text, [/name_H-M/i, /name_Hall/i]));
    assert.deepEqual(atomKeys(byNumber), expected, `${path}: from the IT number`);
    // the Hall symbol of the setting the H-M symbol chose, alone
    const hall = bySymbol.spaceGroup.setting!.hallNumber;
    const byHall = parseCif(withoutOperations(text, [/name_H-M/i, /IT_number/i]).replace(/^(_cell_length_a.*)$/m, `$1\n_space_group_name_Hall '${settingOfHallNumber(hall)!.hallSymbol}'`));
    assert.deepEqual(atomKeys(byHall), expected, `${path}: from the Hall symbol`);
    checked++;
  }
  assert.ok(checked >= 8, `${checked} files`);
});

test('the operation table: 530 settings, each a closed group of the order International Tables give', () => {
  const order = (n: number) => settingsOfNumber(n)[0].operations.length;
  let settings = 0;
  for (let n = 1; n <= 230; n++) {
    for (const s of settingsOfNumber(n)) {
      settings++;
      const keys = new Set(s.operations.map(symopKey));
      assert.equal(keys.size, s.operations.length, s.symbol);
      for (const a of s.operations) for (const b of s.operations) assert.ok(keys.has(symopKey(composeSymops(a, b))), `${s.symbol} not closed`);
    }
  }
  assert.equal(settings, 530);
  // conventional-cell orders: P1 1, P2_1/c 4, Pnma 8, I4/mcm 32, P6_3/mmc 24, R-3m (hexagonal axes) 36, Fm-3m 192, Ia-3d 96
  assert.deepEqual([1, 14, 62, 140, 194, 166, 225, 230].map(order), [1, 4, 8, 32, 24, 36, 192, 96]);
  assert.equal(settingFromHall('-P 2ybc')!.number, 14);
  assert.equal(settingFromHall('-f 4vw 2vw 3')!.symbol, 'F 4_1/d -3 2/m:2');
});

test('H-M spellings of other programs: 21 for 2_1, short monoclinic symbols, old glide letters, m3m, setting suffixes', () => {
  const numbers = (s: string) => [...new Set(settingsFromHermannMauguin(s).map((x) => x.number))];
  const cases: [string, number, number][] = [
    // symbol, space-group number, how many settings it leaves open
    ['P 21/c', 14, 2], // unique axis b (P 1 21/c 1) or a (P 21/c 1 1): the cell decides
    ['P 1 21/n 1', 14, 1],
    ['P21/n', 14, 3],
    ['C m c a', 64, 1], // today C m c e
    ['A b m 2', 39, 1], // today A e m 2
    ['P n m a', 62, 1],
    ['P b n m', 62, 1],
    ['F d -3 m', 227, 2], // origin choice 1 or 2
    ['F d -3 m :2', 227, 1],
    ['Fd3m', 227, 2],
    ['P m 3 m', 221, 1],
    ['R -3 m', 166, 2], // hexagonal or rhombohedral axes
    ['R -3 m :H', 166, 1],
    ['R -3 m H', 166, 1],
    ['P 63/m m c', 194, 1],
    ['P6_3/mmc', 194, 1],
    ['C2:b1', 5, 1],
    ['I 41/a m d:2', 141, 1],
  ];
  for (const [symbol, number, open] of cases) {
    assert.deepEqual(numbers(symbol), [number], symbol);
    assert.equal(settingsFromHermannMauguin(symbol).length, open, symbol);
  }
  assert.deepEqual(settingsFromHermannMauguin('P 4/q m m'), []);
});

test('origin choice from the atoms: diamond with Si at 0,0,0 (choice 1) or at 1/8,1/8,1/8 (choice 2), 8 atoms either way', () => {
  const a = 5.431;
  for (const [x, choice] of [['0', ':1'], ['0.125', ':2']] as const) {
    const d = parseCifDetailed(`data_si\n_symmetry_space_group_name_H-M 'F d -3 m'\n${CELL(a, a, a)}${ATOMS([`Si1 ${x} ${x} ${x}`])}`);
    assert.equal(d.structure.length, 8, `Si at ${x}`);
    assert.ok(d.spaceGroup.setting!.symbol.endsWith(choice), d.spaceGroup.setting!.symbol);
    assert.match(d.warnings.join("\n"), /fits several settings .*used F 4_1\/d -3 2\/m:. \(8 atoms\): it gives the fewest atoms/);
    assert.equal(analyzeSymmetry(d.structure).number, 227);
    const s = d.structure;
    const nearest = Math.min(...s.sites.slice(1).map((b) => s.lattice.minimumImage(b.frac.map((f, k) => f - s.sites[0].frac[k]) as [number, number, number]).distance));
    assert.ok(Math.abs(nearest - (Math.sqrt(3) / 4) * a) < 1e-9, `Si–Si ${nearest}`);
  }
});

test('R groups: the cell decides between hexagonal and rhombohedral axes (α-Bi, both settings give Bi–Bi 3.07 Å)', () => {
  // α-Bi, R-3m, a = 4.546 Å, c = 11.862 Å, Bi at 6c (0, 0, 0.2341) (Cucka & Barrett, Acta Cryst. 15, 865 (1962))
  const hex = parseCifDetailed(`data_bi\n_symmetry_space_group_name_H-M 'R -3 m'\n${CELL(4.546, 4.546, 11.862, 90, 90, 120)}${ATOMS(['Bi1 0 0 0.2341'])}`);
  assert.equal(hex.structure.length, 6);
  assert.equal(hex.spaceGroup.setting!.symbol, 'R -3 2/m:H');
  // the same crystal on rhombohedral axes: a_R = √(a²/3 + c²/9), cos α = (2c² − 3a²)/(2c² + 6a²)
  const [a, c] = [4.546, 11.862];
  const aR = Math.sqrt(a * a / 3 + c * c / 9);
  const alpha = (Math.acos((2 * c * c - 3 * a * a) / (2 * c * c + 6 * a * a)) * 180) / Math.PI;
  const rh = parseCifDetailed(`data_bi\n_symmetry_space_group_name_H-M 'R -3 m'\n${CELL(aR, aR, aR, alpha, alpha, alpha)}${ATOMS(['Bi1 0.2341 0.2341 0.2341'])}`);
  assert.equal(rh.structure.length, 2);
  assert.equal(rh.spaceGroup.setting!.symbol, 'R -3 2/m:R');
  const shortest = (s: Structure) => {
    let best = Infinity;
    for (const x of s.sites) for (const y of s.sites) {
      const d = s.lattice.minimumImage(y.frac.map((f, k) => f - x.frac[k]) as [number, number, number]).distance;
      if (d > 1e-6) best = Math.min(best, d);
    }
    return best;
  };
  assert.ok(Math.abs(shortest(hex.structure) - shortest(rh.structure)) < 1e-6);
  assert.ok(Math.abs(shortest(hex.structure) - 3.07) < 0.01, `${shortest(hex.structure)}`);
  for (const d of [hex, rh]) assert.equal(analyzeSymmetry(d.structure).number, 166);
});

test('monoclinic short symbols: the angle that differs from 90° picks the unique axis', () => {
  const atom = ATOMS(['Ti1 0.1 0.2 0.3']);
  const b = parseCifDetailed(`data_m\n_symmetry_space_group_name_H-M 'P 21/c'\n${CELL(5, 6, 7, 90, 100, 90)}${atom}`);
  assert.equal(b.spaceGroup.setting!.symbol, 'P 1 2_1/c 1');
  const a = parseCifDetailed(`data_m\n_symmetry_space_group_name_H-M 'P 21/c'\n${CELL(5, 6, 7, 100, 90, 90)}${atom}`);
  assert.equal(a.spaceGroup.setting!.symbol, 'P 2_1/c 1 1');
  const c = parseCifDetailed(`data_m\n_symmetry_space_group_name_H-M 'P 21/a'\n${CELL(5, 6, 7, 90, 90, 100)}${atom}`);
  assert.equal(c.spaceGroup.setting!.symbol, 'P 1 1 2_1/a');
  for (const d of [a, b, c]) {
    assert.equal(d.structure.length, 4);
    assert.equal(analyzeSymmetry(d.structure).number, 14);
  }
});

test('a tag repeated with an empty or equal value is a warning (PyXtal writes _chemical_formula_sum twice); the non-empty one is kept', () => {
  const body = `${CELL(4, 4, 4)}${ATOMS(['Nb1 0 0 0'])}`;
  const empty = parseCifDetailed(`data_p\n_chemical_formula_sum 'Nb'\n_chemical_formula_sum ''\n${body}`);
  assert.equal(empty.structure.length, 1);
  assert.match(empty.warnings[0], /^line 3: tag _chemical_formula_sum appears twice .*first on line 2.*this copy is empty/);
  const first = parseCifDetailed(`data_p\n_journal_year ?\n_journal_year 1930\n${body}`);
  assert.match(first.warnings[0], /first copy is empty, kept this one/);
  const equal = parseCifDetailed(`data_p\n${CELL(4, 4, 4)}_cell_length_a 4.0\n${ATOMS(['Nb1 0 0 0'])}`.replace('_cell_length_a 4\n', '_cell_length_a 4.0\n'));
  assert.match(equal.warnings[0], /values agree/);
  // the symmetry loop given twice with the same operations
  const ops = `loop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\n-x,-y,-z\n`;
  const twice = parseCifDetailed(`data_p\n${ops}${ops}${CELL(4, 4, 4)}${ATOMS(['Nb1 0.1 0.1 0.1'])}`);
  assert.equal(twice.structure.length, 2);
  assert.match(twice.warnings[0], /same values; ignored the second loop/);
});

test('labels that are not element symbols: Wat is water oxygen (not W), D is H, CO1 in a carbonate is C', () => {
  // gypsum-like AMCSD layout: labels only, water oxygen written Wat
  const gypsum = (formula: string) =>
    `data_global\n${formula}${CELL(5.68, 15.18, 6.29, 90, 114.1, 90)}${ATOMS(['Ca 0 0.0793 0.25', 'S 0 0.4273 0.25', 'O1 0.0829 0.2723 0.5946', 'Wat 0.2566 0.0792 0.6346'])}`;
  for (const formula of ['', "_chemical_formula_sum 'Ca S O6 H4'\n"]) {
    const d = parseCifDetailed(gypsum(formula));
    assert.deepEqual(d.structure.sites.map((s) => s.element), ['Ca', 'S', 'O', 'O']);
    assert.match(d.warnings.join('\n'), /label 'Wat' read as O \(the oxygen of a water molecule\)/);
  }
  // a label naming no element of the formula is refused, not guessed
  assert.throws(
    () => parseCif(gypsum("_chemical_formula_sum 'Ca S'\n"), { file: 'g.cif' }),
    (e: unknown) => e instanceof InputError && e.line === 16 && /label 'O1' reads as O, not an element of _chemical_formula_sum \(S Ca\)/.test(e.message),
  );
  const calcite = parseCifDetailed(`data_c\n_chemical_formula_sum 'Ca C O3'\n${CELL(4.99, 4.99, 17.06, 90, 90, 120)}${ATOMS(['CA1 0 0 0', 'CO1 0 0 0.25', 'O1 0.257 0 0.25'])}`);
  assert.deepEqual(calcite.structure.sites.map((s) => s.element), ['Ca', 'C', 'O']);
  assert.match(calcite.warnings.join('\n'), /label 'CO1' read as C, as _chemical_formula_sum \(C O Ca\) has it/);
  const deuterated = parseCifDetailed(`data_d\n${CELL(5, 5, 5)}${ATOMS(['O1 0 0 0', 'D1 0.1 0.1 0.1', 'D2 0.9 0.1 0.1'])}`);
  assert.deepEqual(deuterated.structure.sites.map((s) => s.element), ['O', 'H', 'H']);
  assert.match(deuterated.warnings.join('\n'), /label 'D1' read as H \(deuterium\)/);
});

test('tolerated quirks: a quoted value over several lines, _eof, a value with spaces, a ragged unused loop, an empty site', () => {
  const d = parseCifDetailed(
    `data_x\n_cgraph_comments 'Praezisionsbestimmung von\n   Gitterkonstanten\n'\n_chemical_name_common Niobium silicide\nloop_\n_publ_author_name\n_publ_author_address\n'A' 'x'\n'B'\n` +
      `${CELL(4, 4, 4)}${ATOMS(['Nb1 1 0 0 0', 'Nb2 0.0 0.5 0.5 0.5'], ['_atom_site_occupancy'])}_eof\nthis is not CIF any more\n`,
  );
  assert.equal(d.structure.length, 1);
  const w = d.warnings.join('\n');
  assert.match(w, /line 2: the quoted value of _cgraph_comments runs on to line 4/);
  assert.match(w, /line 5: unexpected value 'silicide' after the value of _chemical_name_common/);
  assert.match(w, /loop_ starting on line 6 has 3 values for 2 tags.*does not use this loop/);
  assert.match(w, /site Nb2 has occupancy 0; no atom placed there/);
  // two data blocks of one name (AMCSD writes data_global): both are read, the first with atoms is used
  const twice = parseCifDetailed(`data_global\n${CELL(4, 4, 4)}${ATOMS(['Nb1 0 0 0'])}data_global\n${CELL(5, 5, 5)}${ATOMS(['Si1 0 0 0'])}`);
  assert.equal(twice.structure.sites[0].element, 'Nb');
  assert.match(twice.warnings.join('\n'), /data block 'global' appears again/);
});

test('elementSymbol normalises what users type and refuses labels; normaliseElement keeps reading CIF labels', () => {
  const cases: [string, string | undefined][] = [['ti', 'Ti'], ['TI', 'Ti'], [' nb ', 'Nb'], ['b', 'B'], ['Si', 'Si'], ['Ti1', undefined], ['Ti4+', undefined], ['Tix', undefined], ['Xx', undefined], ['', undefined], ['D', undefined]];
  for (const [raw, want] of cases) assert.equal(elementSymbol(raw), want, raw);
  assert.equal(normaliseElement('Ti1'), 'Ti');
});
