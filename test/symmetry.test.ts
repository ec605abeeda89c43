import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSymmetry } from '../src/structure/symmetry.ts';
import { describeStructure } from '../src/structure/describe.ts';
import { supercell } from '../src/structure/supercell.ts';
import { ALPHA, ALPHA_P1, BETA, bundled, ref } from './helpers.ts';

test('α-Nb5Si3: I4/mcm with the four orbits NbI 4c, NbII 16l, SiI 8h, SiII 4a', () => {
  const s = bundled(ALPHA);
  const sym = analyzeSymmetry(s);
  assert.equal(sym.number, 140);
  assert.equal(sym.symbol, 'I4/mcm');
  assert.equal(sym.operations.length, 32); // 16 point operations × I-centring
  const r = describeStructure(s, sym);
  assert.equal(r.formula, 'Nb5Si3');
  assert.deepEqual(
    r.sites.map((x) => `${x.site} ${x.multiplicity}${x.wyckoff}`).sort(),
    ['NbI 4c', 'NbII 16l', 'SiI 8h', 'SiII 4a'],
  );
  assert.ok(Math.abs(r.lattice.volume - 523.1554) < 1e-3);
});

test('the P1 file of 3D-ELAN recovers I4/mcm and the same orbits, atom for atom', () => {
  const p1 = bundled(ALPHA_P1);
  const alpha = bundled(ALPHA);
  const sym = analyzeSymmetry(p1);
  assert.equal(sym.number, 140);
  const orbits = sym.orbits.map((o) => `${o.element} ${o.multiplicity}${o.wyckoff} ×${o.atoms.length}`).sort();
  assert.deepEqual(orbits, ['Nb 16l ×16', 'Nb 4c ×4', 'Si 4a ×4', 'Si 8h ×8']);
  // Every P1 atom sits on the symmetrised file's atom of the same Wyckoff orbit.
  const symA = analyzeSymmetry(alpha);
  for (let i = 0; i < p1.length; i++) {
    const j = alpha.sites.findIndex((s) => alpha.lattice.minimumImage(s.frac.map((x, k) => x - p1.sites[i].frac[k]) as [number, number, number]).distance < 1e-3);
    assert.ok(j >= 0, `P1 atom ${i} has no partner`);
    const o1 = sym.orbits[sym.orbitOf[i]];
    const o2 = symA.orbits[symA.orbitOf[j]];
    assert.equal(`${o1.multiplicity}${o1.wyckoff}`, `${o2.multiplicity}${o2.wyckoff}`);
  }
});

test('β-Nb5Si3: I4/mcm, NbI 4b, NbII 16k, SiI 4a, SiII 8h', () => {
  const s = bundled(BETA);
  const sym = analyzeSymmetry(s);
  assert.equal(sym.number, 140);
  assert.deepEqual(
    sym.orbits.map((o) => `${o.label} ${o.multiplicity}${o.wyckoff}`).sort(),
    ['NbI 4b', 'NbII 16k', 'SiI 4a', 'SiII 8h'],
  );
});

test('reference crystals: space groups and Wyckoff positions', () => {
  const expect: [string, number, string[]][] = [
    ['bcc-Nb', 229, ['Nb 2a']],
    ['fcc-Al', 225, ['Al 4a']],
    ['hcp-Ti', 194, ['Ti 2c']],
    ['A15-Cr3Si', 223, ['Cr 6c', 'Si 2a']],
    ['C15-MgCu2', 227, ['Cu 16d', 'Mg 8a']],
    ['C14-MgZn2', 194, ['Mg 4f', 'Zn1 2a', 'Zn2 6h']],
  ];
  for (const [name, number, orbits] of expect) {
    const sym = analyzeSymmetry(bundled(ref(name)));
    assert.equal(sym.number, number, name);
    assert.deepEqual(sym.orbits.map((o) => `${o.label} ${o.multiplicity}${o.wyckoff}`).sort(), orbits, name);
  }
});

test('a supercell keeps the space group type and the Wyckoff multiplicities', () => {
  const s = supercell(bundled(ALPHA), [[2, 0, 0], [0, 2, 0], [0, 0, 1]]);
  const sym = analyzeSymmetry(s);
  assert.equal(sym.number, 140);
  assert.equal(sym.operations.length, 32 * 4); // the parent translations are operations of the supercell
  assert.equal(sym.orbits.length, 4);
});

test('every operation maps each crystal onto itself (hexagonal and cubic included)', async () => {
  const { atomPermutations } = await import('../src/substitution/pairs.ts');
  for (const name of ['hcp-Ti', 'C14-MgZn2', 'C15-MgCu2', 'A15-Cr3Si', 'bcc-Nb']) {
    const s = bundled(ref(name));
    const sym = analyzeSymmetry(s);
    // atomPermutations throws if an operation sends an atom to an empty position
    const perms = atomPermutations(s, sym.operations);
    assert.equal(perms.length, sym.operations.length);
    for (const p of perms) assert.equal(new Set(p).size, s.length, name);
  }
});

test('orbits sharing a label and a Wyckoff letter get distinct labels (three O in a P1 cell)', async () => {
  const { parseCif } = await import('../src/structure/cif.ts');
  const s = parseCif(
    `data_p1\n_cell_length_a 5\n_cell_length_b 6\n_cell_length_c 7\n_cell_angle_alpha 80\n_cell_angle_beta 85\n_cell_angle_gamma 95\n` +
      `loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n` +
      `Ca Ca 0 0 0\nO O 0.31 0.12 0.05\nO O 0.52 0.61 0.33\nO O 0.07 0.44 0.71\n`,
  );
  const labels = analyzeSymmetry(s).orbits.map((o) => o.label);
  assert.deepEqual(labels, ['Ca', 'O_1a', 'O_1a_2', 'O_1a_3']);
});
